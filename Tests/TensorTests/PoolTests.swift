@testable import TensorTraining
import XCTest
@testable import Tensor

/// Padded pooling (PyTorch semantics) and rectangular convolution kernels, as the FID Inception
/// uses them: max-pool 3x3/1 pad 1, avg-pool 3x3/1 pad 1 without counting padding, 1x7/7x1 convs.
final class PoolTests: XCTestCase {
    /// The 3x4 plane 1...12 (row-major), negated so that padding zeros would win a max.
    let plane = Tensor(shape: [1, 1, 3, 4], storage: (1...12).map { -Float($0) })

    func testMaxPoolPaddingNeverWins() {
        let y = TrainingKernels.maxPool2d(plane, kernel: 3, stride: 1, padding: 1)
        XCTAssertEqual(y.shape, [1, 1, 3, 4])
        // Each output is the largest (least negative) sample of its clipped 3x3 window.
        XCTAssertEqual(y.storage, [-1, -1, -2, -3, -1, -1, -2, -3, -5, -5, -6, -7])
    }

    func testMaxPoolStride2MatchesAlexNetPool() {
        let x = randomTensor([2, 3, 9, 8], seed: 7)
        assertClose(TrainingKernels.maxPool2d(x, kernel: 3, stride: 2, padding: 0), maxPoolReference(x), tol: 0)
    }

    func testAvgPoolExcludingPadding() {
        let y = TrainingKernels.avgPool2d(plane, kernel: 3, stride: 1, padding: 1, countIncludePad: false)
        // Corner (0,0): mean of {1,2,5,6}; edge (0,1): mean of {1,2,3,5,6,7}; centre (1,1): 1..3,5..7,9..11.
        XCTAssertEqual(y.storage[0], -3.5)
        XCTAssertEqual(y.storage[1], -4)
        XCTAssertEqual(y.storage[5], -6)
        XCTAssertEqual(y.storage[11], -(7 + 8 + 11 + 12) / 4)
    }

    func testAvgPoolIncludingPadding() {
        let y = TrainingKernels.avgPool2d(plane, kernel: 3, stride: 1, padding: 1, countIncludePad: true)
        XCTAssertEqual(y.storage[0], -14 / 9, accuracy: 1e-6)
        XCTAssertEqual(y.storage[5], -6, accuracy: 1e-6)
        // Without padding it is the existing unpadded average pool.
        let x = randomTensor([1, 2, 8, 8], seed: 3)
        assertClose(TrainingKernels.avgPool2d(x, kernel: 8, stride: 8, padding: 0, countIncludePad: true),
                    TrainingKernels.avgPool2d(x, kernel: 8, stride: 8), tol: 1e-6)
    }

    /// 1x7, 7x1, 1x3 and 3x1 kernels (im2col path) against the direct definition, with the
    /// asymmetric "same" padding done by `pad2d` as the FID Inception does it.
    func testRectangularKernelsMatchNaive() {
        for (i, (kh, kw)) in [(1, 7), (7, 1), (1, 3), (3, 1)].enumerated() {
            let x = randomTensor([2, 5, 9, 10], seed: UInt64(10 + i))
            let w = randomTensor([6, 5, kh, kw], seed: UInt64(20 + i)), b = randomTensor([6], seed: UInt64(30 + i))
            let padded = TrainingKernels.pad2d(x, left: kw / 2, right: kw / 2, top: kh / 2, bottom: kh / 2)
            let y = TrainingKernels.conv2d(padded, weight: w, bias: b)
            XCTAssertEqual(y.shape, [2, 6, 9, 10])
            assertClose(y, validConvReference(padded, w, b), "\(kh)x\(kw)")
        }
    }

    /// Stride-1 unpadded convolution by its definition.
    private func validConvReference(_ x: Tensor, _ w: Tensor, _ b: Tensor) -> Tensor {
        let (n, ci, h, wd) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let (co, kh, kw) = (w.shape[0], w.shape[2], w.shape[3])
        var y = Tensor.zeros([n, co, h - kh + 1, wd - kw + 1])
        for i in 0..<n { for o in 0..<co { for oy in 0...(h - kh) { for ox in 0...(wd - kw) {
            var acc = b.storage[o]
            for c in 0..<ci { for ky in 0..<kh { for kx in 0..<kw { acc += x[i, c, oy + ky, ox + kx] * w[o, c, ky, kx] } } }
            y[i, o, oy, ox] = acc
        } } } }
        return y
    }

    private func maxPoolReference(_ x: Tensor) -> Tensor {
        let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let oh = (h - 3) / 2 + 1, ow = (w - 3) / 2 + 1
        var y = Tensor.zeros([n, c, oh, ow])
        for i in 0..<n { for ch in 0..<c { for oy in 0..<oh { for ox in 0..<ow {
            var m = -Float.infinity
            for dy in 0..<3 { for dx in 0..<3 { m = max(m, x[i, ch, 2 * oy + dy, 2 * ox + dx]) } }
            y[i, ch, oy, ox] = m
        } } } }
        return y
    }
}
