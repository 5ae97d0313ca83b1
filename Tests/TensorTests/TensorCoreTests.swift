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
