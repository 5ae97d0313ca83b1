@testable import TensorTraining
import XCTest
@testable import Tensor

/// Convolutions against a naive reference and finite differences.
final class ConvTests: XCTestCase {
    /// Direct 7-loop convolution (the definition).
    func naiveConv(_ x: Tensor, _ w: Tensor, _ b: Tensor?, stride s: Int, pad p: Int, mode: PaddingMode, groups: Int) -> Tensor {
        let g = Conv2DGeometry(input: x.shape, weight: w.shape, stride: s, padding: p, groups: groups, paddingMode: mode)
        var y = Tensor.zeros(g.outputShape)
        let cpg = g.inChannels / groups, opg = g.outChannels / groups
        for n in 0..<g.batch { for co in 0..<g.outChannels { for oy in 0..<g.outHeight { for ox in 0..<g.outWidth {
            var acc: Float = b?.storage[co] ?? 0
            let gi = co / opg
            for ci in 0..<cpg { for ky in 0..<g.kernelH { for kx in 0..<g.kernelW {
                var iy = oy * s - p + ky, ix = ox * s - p + kx
                if mode == .zeros { if iy < 0 || iy >= g.height || ix < 0 || ix >= g.width { continue } }
                iy = min(max(iy, 0), g.height - 1); ix = min(max(ix, 0), g.width - 1)
                acc += x[n, gi * cpg + ci, iy, ix] * w[co, ci, ky, kx]
            } } }
            y[n, co, oy, ox] = acc
        } } } }
        return y
    }

    let cases: [(cin: Int, cout: Int, k: Int, s: Int, p: Int, mode: PaddingMode, groups: Int, h: Int, w: Int)] = [
        (3, 5, 3, 1, 1, .zeros, 1, 7, 6),
        (4, 6, 3, 2, 1, .zeros, 1, 9, 8),
        (4, 4, 3, 1, 1, .replicate, 1, 6, 7),
        (4, 6, 3, 2, 1, .replicate, 2, 7, 7),
        (6, 6, 3, 1, 1, .zeros, 6, 6, 5),       // depthwise
        (6, 6, 3, 2, 1, .replicate, 6, 7, 6),   // depthwise, stride 2, replicate
        (5, 7, 1, 1, 0, .zeros, 1, 5, 6),       // pointwise GEMM path
        (4, 4, 5, 1, 2, .zeros, 1, 4, 4),       // kernel wider than the image's interior
        (3, 4, 4, 2, 1, .zeros, 1, 8, 8),
    ]

    func testForwardMatchesNaive() {
        for (i, c) in cases.enumerated() {
            let x = randomTensor([2, c.cin, c.h, c.w], seed: UInt64(i))
            let w = randomTensor([c.cout, c.cin / c.groups, c.k, c.k], seed: UInt64(100 + i))
            let b = randomTensor([c.cout], seed: UInt64(200 + i))
            let y = TrainingKernels.conv2d(x, weight: w, bias: b, stride: c.s, padding: c.p, paddingMode: c.mode, groups: c.groups)
            assertClose(y, naiveConv(x, w, b, stride: c.s, pad: c.p, mode: c.mode, groups: c.groups), "case \(i)")
        }
    }

    func testForwardWithSmallBandsAndOneThread() {
        let saved = (TrainingKernels.im2colBandFloats, TrainingKernels.threads)
        defer { TrainingKernels.im2colBandFloats = saved.0; TrainingKernels.threads = saved.1 }
        let x = randomTensor([1, 4, 11, 9], seed: 1), w = randomTensor([3, 4, 3, 3], seed: 2)
        let ref = naiveConv(x, w, nil, stride: 1, pad: 1, mode: .replicate, groups: 1)
        for (band, threads) in [(1, 1), (40, 2), (100, 3)] {
            TrainingKernels.im2colBandFloats = band; TrainingKernels.threads = threads
            let y = TrainingKernels.conv2d(x, weight: w, bias: nil, stride: 1, padding: 1, paddingMode: .replicate, groups: 1)
            assertClose(y, ref, "band \(band) threads \(threads)")
            gradCheck([x, w]) { v in Ops.conv2d(v[0], v[1], padding: 1, paddingMode: .replicate) }
        }
    }

    func testConvGradients() {
        for (i, c) in cases.enumerated() {
            let x = randomTensor([2, c.cin, c.h, c.w], seed: UInt64(i))
            let w = randomTensor([c.cout, c.cin / c.groups, c.k, c.k], seed: UInt64(100 + i))
            let b = randomTensor([c.cout], seed: UInt64(200 + i))
            gradCheck([x, w, b]) { v in
                Ops.conv2d(v[0], v[1], v[2], stride: c.s, padding: c.p, paddingMode: c.mode, groups: c.groups)
            }
        }
    }

    /// Transposed conv as the scatter of each input pixel times the kernel (the definition).
    func naiveConvTranspose(_ x: Tensor, _ w: Tensor, stride s: Int, pad p: Int, outPad op: Int, groups: Int) -> Tensor {
        let (n, cin, h, wd) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let opg = w.shape[1], cout = opg * groups, k = w.shape[2], ipg = cin / groups
        let oh = (h - 1) * s - 2 * p + k + op, ow = (wd - 1) * s - 2 * p + k + op
        var y = Tensor.zeros([n, cout, oh, ow])
        for b in 0..<n { for ci in 0..<cin { for iy in 0..<h { for ix in 0..<wd {
            let gi = ci / ipg
            for co in 0..<opg { for ky in 0..<k { for kx in 0..<k {
                let oy = iy * s - p + ky, ox = ix * s - p + kx
                if oy < 0 || oy >= oh || ox < 0 || ox >= ow { continue }
                y[b, gi * opg + co, oy, ox] += x[b, ci, iy, ix] * w[ci, co, ky, kx]
            } } }
        } } } }
        return y
    }

    func testConvTranspose() {
        for (i, c) in [(cin: 4, cout: 3, k: 4, s: 2, p: 1, op: 0, g: 1), (cin: 3, cout: 5, k: 3, s: 2, p: 1, op: 1, g: 1),
                       (cin: 4, cout: 4, k: 3, s: 1, p: 1, op: 0, g: 2), (cin: 2, cout: 3, k: 5, s: 2, p: 2, op: 1, g: 1)].enumerated() {
            let x = randomTensor([2, c.cin, 4, 5], seed: UInt64(i))
            let w = randomTensor([c.cin, c.cout / c.g, c.k, c.k], seed: UInt64(10 + i))
            let b = randomTensor([c.cout], seed: UInt64(20 + i))
            var ref = naiveConvTranspose(x, w, stride: c.s, pad: c.p, outPad: c.op, groups: c.g)
            TrainingKernels.addChannelBias(&ref, b)
            let y = TrainingKernels.convTranspose2d(x, weight: w, bias: b, stride: c.s, padding: c.p, outputPadding: c.op, groups: c.g)
            assertClose(y, ref, "case \(i)")
            gradCheck([x, w, b]) { v in
                Ops.convTranspose2d(v[0], v[1], v[2], stride: c.s, padding: c.p, outputPadding: c.op, groups: c.g)
            }
        }
    }
}
