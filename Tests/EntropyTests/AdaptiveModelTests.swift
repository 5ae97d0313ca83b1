import ToolTesting
import XCTest
@testable import Entropy

final class AdaptiveModelTests: XCTestCase {
    func testRoundTripAndAdaptation() throws {
        var rng = SplitMix64(seed: 11)
        for k in [2, 16, 256, 4096] {
            // A skewed source: symbol j with probability proportional to 0.7^j (mod k).
            let n = 20000
            let symbols = (0..<n).map { _ -> Int in
                var j = 0
                while rng.unit() > 0.3 && j < 60 { j += 1 }
                return (j * 7) % k
            }
            var model = AdaptiveModel(symbolCount: k)
            var enc = RansEncoder()
            for s in symbols { enc.encode(s, &model) }
            let ideal = enc.idealBits
            let bytes = enc.finish()
            var dm = AdaptiveModel(symbolCount: k)
            var dec = try RansDecoder(bytes)
            for s in symbols { XCTAssertEqual(try dec.decode(&dm), s) }
            XCTAssertNoThrow(try dec.finish())
            // The model learns: well under the uniform cost (entropy of the source is ~2.9 bits).
            if k >= 16 { XCTAssertLessThan(ideal / Double(n), 3.3, "k \(k)") }
            XCTAssertLessThan(Double(bytes.count * 8), ideal + 200)
        }
    }

    func testRescaleKeepsCountsBoundedAndPositive() {
        var m = AdaptiveModel(symbolCount: 4, increment: 1000, countLimit: 5000, maxPeriod: 16)
        for i in 0..<10000 { m.update(i % 3 == 0 ? 3 : 0) }
        XCTAssertLessThanOrEqual(m.total, 5000)
        XCTAssert(m.counts.allSatisfy { $0 >= 1 })
        XCTAssert(m.table.frequencies.allSatisfy { $0 >= 1 })
        XCTAssertGreaterThan(m.table.frequency(0), m.table.frequency(3))
    }
}
