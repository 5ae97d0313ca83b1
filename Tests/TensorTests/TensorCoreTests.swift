import Foundation
@testable import TensorTraining
import XCTest
@testable import Tensor

final class TensorCoreTests: XCTestCase {
    func testShapeAndIndexing() {
        var t = Tensor(shape: [2, 3, 4])
        XCTAssertEqual(t.count, 24)
        t[1, 2, 3] = 5
        XCTAssertEqual(t.storage[23], 5)
        XCTAssertEqual(t.reshaped([6, 4])[5, 3], 5)
    }

    func testParallelChunksCoverEachIndexOnce() {
        for parts in [1, 2, 3, 8, 100] {
            var hits = [Int](repeating: 0, count: 37)
            hits.withUnsafeMutableBufferPointer { h in
                parallelChunks(37, parts: parts) { r in for i in r { h[i] += 1 } }
            }
            XCTAssertEqual(hits, [Int](repeating: 1, count: 37), "parts \(parts)")
        }
    }
}

final class FastMathTests: XCTestCase {
    func testFastExpAgainstLibm() {
        var worst: Double = 0
        var x: Float = -87
        while x < 88 {
            let ref = Foundation.exp(Double(x))
            worst = max(worst, abs(Double(TrainingKernels.fastExp(x)) - ref) / ref)
            x += 0.0137
        }
        XCTAssertLessThan(worst, 3e-7)
        XCTAssertEqual(TrainingKernels.fastExp(0), 1)
        XCTAssertEqual(TrainingKernels.fastExp(-1000) / Float(Foundation.exp(-87.0)), 1, accuracy: 1e-5)
        XCTAssertTrue(TrainingKernels.fastExp(1000).isFinite)
        XCTAssertEqual(TrainingKernels.fastSigmoid(-200), 0, accuracy: 1e-30)
        XCTAssertEqual(TrainingKernels.fastSigmoid(200), 1)
    }
}
