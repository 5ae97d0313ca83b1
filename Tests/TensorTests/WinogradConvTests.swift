@testable import TensorTraining
import XCTest
@testable import Tensor

/// The Winograd F(4x4, 3x3) path against the im2col path (itself checked against the definition
/// in ConvTests) and finite differences: odd sizes, partial tiles, paddings 0-2, several blocks.
final class WinogradConvTests: XCTestCase {
    /// (batch, cin, cout, h, w, padding)
    let cases: [(Int, Int, Int, Int, Int, Int)] = [
        (2, 16, 17, 7, 6, 1),
        (1, 17, 16, 9, 13, 1),
        (3, 16, 16, 4, 4, 1),
        (1, 20, 18, 5, 11, 0),
        (2, 16, 16, 6, 5, 2),
        (1, 16, 32, 1, 1, 1),
        (2, 32, 16, 17, 3, 1),
    ]

    func im2colReference<R>(_ body: () -> R) -> R {
        TrainingKernels.winogradEnabled = false
        defer { TrainingKernels.winogradEnabled = true }
        return body()
    }

    func testEligibility() {
        let g = Conv2DGeometry(input: [1, 16, 8, 8], weight: [16, 16, 3, 3], stride: 1, padding: 1)
        XCTAssertTrue(TrainingKernels.usesWinograd(g))
        XCTAssertFalse(TrainingKernels.usesWinograd(Conv2DGeometry(input: [1, 16, 8, 8], weight: [16, 16, 3, 3], stride: 2, padding: 1)))
        XCTAssertFalse(TrainingKernels.usesWinograd(Conv2DGeometry(input: [1, 3, 8, 8], weight: [16, 3, 3, 3], stride: 1, padding: 1)))
        XCTAssertFalse(TrainingKernels.usesWinograd(Conv2DGeometry(input: [1, 16, 8, 8], weight: [16, 16, 3, 3], stride: 1,
                                                                    padding: 1, paddingMode: .replicate)))
    }

    func testForwardAndGradientsMatchIm2col() {
        let saved = (TrainingKernels.threads, TrainingKernels.winogradBlockBytes)
        defer { TrainingKernels.threads = saved.0; TrainingKernels.winogradBlockBytes = saved.1 }
        for (i, c) in cases.enumerated() {
            let (n, cin, cout, h, w, p) = c
            let x = randomTensor([n, cin, h, w], seed: UInt64(i))
            let wt = randomTensor([cout, cin, 3, 3], seed: UInt64(50 + i), -0.3, 0.3)
            let b = randomTensor([cout], seed: UInt64(100 + i))
            let ref = im2colReference { TrainingKernels.conv2d(x, weight: wt, bias: b, padding: p) }
            let dy = randomTensor(ref.shape, seed: UInt64(150 + i))
            let refGrad = im2colReference { TrainingKernels.conv2dBackward(dy, input: x, weight: wt, padding: p) }
            // F(4x4, 3x3) rounds differently from direct sums: errors of ~1e-5 of the values' scale.
            // One thread with one block, and two threads with blocks of a single strip.
            for (threads, bytes) in [(1, 1 << 24), (2, 1)] {
                TrainingKernels.threads = threads; TrainingKernels.winogradBlockBytes = bytes
                let msg = "case \(i) threads \(threads)"
                assertClose(TrainingKernels.conv2d(x, weight: wt, bias: b, padding: p), ref, tol: 5e-5, msg)
                let grad = TrainingKernels.conv2dBackward(dy, input: x, weight: wt, padding: p)
                assertClose(grad.input!, refGrad.input!, tol: 5e-5, "dX " + msg)
                assertClose(grad.weight!, refGrad.weight!, tol: 1e-4, "dW " + msg)
                assertClose(grad.bias!, refGrad.bias!, tol: 1e-6, "dB " + msg)
            }
        }
    }

    func testFiniteDifferences() {
        let x = randomTensor([2, 16, 6, 7], seed: 3), w = randomTensor([16, 16, 3, 3], seed: 4, -0.2, 0.2)
        let b = randomTensor([16], seed: 5)
        XCTAssertTrue(TrainingKernels.usesWinograd(Conv2DGeometry(input: x.shape, weight: w.shape, padding: 1)))
        gradCheck([x, w, b], samples: 12) { v in Ops.conv2d(v[0], v[1], v[2], padding: 1) }
    }
}
