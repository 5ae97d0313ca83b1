import Tensor
import TensorTraining

/// The convolutional trunk of torchvision's AlexNet (`alexnet().features`) as LPIPS taps it: the
/// ReLU outputs after conv1..conv5, with the two 3x3/2 max-pools between conv1-2 and conv2-3.
///
/// conv1 64x3x11x11 stride 4 pad 2, conv2 192x64x5x5 pad 2, conv3 384x192x3x3 pad 1,
/// conv4 256x384x3x3 pad 1, conv5 256x256x3x3 pad 1, all with bias. Runs on the training kernels
/// (im2col + OpenBLAS, threaded): metrics are not on the decode path.
struct AlexNetFeatures {
    struct Layer {
        var weight: Tensor, bias: Tensor, stride: Int, padding: Int
    }

    /// The five convolutions, conv1 first.
    let layers: [Layer]

    /// (output channels, input channels, kernel, stride, padding) of conv1..conv5.
    static let geometry: [(out: Int, in: Int, kernel: Int, stride: Int, padding: Int)] = [
        (64, 3, 11, 4, 2), (192, 64, 5, 1, 2), (384, 192, 3, 1, 1), (256, 384, 3, 1, 1), (256, 256, 3, 1, 1),
    ]

    /// Channels of the five tapped outputs.
    static var channels: [Int] { geometry.map(\.out) }

    /// The names and shapes a weights file must hold: `alexnet.conv{1..5}.weight|bias`.
    static var specs: [TensorSpec] {
        geometry.enumerated().flatMap { i, g in
            [TensorSpec("alexnet.conv\(i + 1).weight", .f32, [g.out, g.in, g.kernel, g.kernel]),
             TensorSpec("alexnet.conv\(i + 1).bias", .f32, [g.out])]
        }
    }

    init(_ file: SafeTensorsFile) {
        layers = Self.geometry.enumerated().map { i, g in
            Layer(weight: file.tensors["alexnet.conv\(i + 1).weight"]!.tensor(),
                  bias: file.tensors["alexnet.conv\(i + 1).bias"]!.tensor(), stride: g.stride, padding: g.padding)
        }
    }

    /// The smallest side AlexNet's features accept: conv1 must give 7 rows so that pool1 gives
    /// the 3 that pool2 needs.
    static let minimumSide = 31

    /// relu1..relu5 of input `x` [N, 3, H, W] (H, W >= `minimumSide`).
    func callAsFunction(_ x: Tensor) -> [Tensor] {
        var h = x
        var taps: [Tensor] = []
        for (i, layer) in layers.enumerated() {
            if i == 1 || i == 2 { h = TrainingKernels.maxPool2d(h, kernel: 3, stride: 2, padding: 0) }
            h = TrainingKernels.conv2d(h, weight: layer.weight, bias: layer.bias,
                                       stride: layer.stride, padding: layer.padding)
            reluInPlace(&h)
            taps.append(h)
        }
        return taps
    }
}

func reluInPlace(_ t: inout Tensor) {
    let n = t.count
    t.withMutablePointer { p in
        TrainingKernels.parallelFor(n) { r in for i in r { p[i] = max(p[i], 0) } }
    }
}
