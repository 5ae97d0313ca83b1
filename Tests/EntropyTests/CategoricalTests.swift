import ToolTesting
import XCTest
@testable import Entropy

final class CategoricalTests: XCTestCase {
    func testExp2PolynomialIsAccurateAndExactAtZero() {
        XCTAssertEqual(CategoricalDistribution.exp2Fraction(0), 1 << 24)
        var worst = 0.0
        for r in stride(from: Int64(0), to: 65536, by: 13) {
            let exact = 16_777_216.0 * pow2(-Double(r) / 65536)
            worst = max(worst, abs(Double(CategoricalDistribution.exp2Fraction(r)) - exact) / exact)
        }
        XCTAssertLessThan(worst, 3e-7)
    }

    func testLogitQuantization() {
        XCTAssertEqual(CategoricalDistribution.quantizeLogit(0), 0)
        XCTAssertEqual(CategoricalDistribution.quantizeLogit(1), 1024)
        XCTAssertEqual(CategoricalDistribution.quantizeLogit(0.5 / 1024), 0)        // half to even
        XCTAssertEqual(CategoricalDistribution.quantizeLogit(1.5 / 1024), 2)
        XCTAssertEqual(CategoricalDistribution.quantizeLogit(-1.5 / 1024), -2)
        XCTAssertEqual(CategoricalDistribution.quantizeLogit(.nan), -1 << 20)
        XCTAssertEqual(CategoricalDistribution.quantizeLogit(-.infinity), -1 << 20)
        XCTAssertEqual(CategoricalDistribution.quantizeLogit(.infinity), 1 << 20)
        XCTAssertEqual(CategoricalDistribution.quantizeLogit(1e30), 1 << 20)
    }

    func testFrequenciesFollowSoftmax() {
        // Logits ln(1), ln(2), ln(4), ln(8): probabilities 1/15, 2/15, 4/15, 8/15.
        let d = CategoricalDistribution(logits: [0, 0.693147, 1.386294, 2.079442], bits: 20)
        let f = d.frequencies.map { Double($0) / Double(1 << 20) }
        for (i, p) in [1.0, 2, 4, 8].map({ $0 / 15 }).enumerated() { XCTAssertEqual(f[i], p, accuracy: 5e-4) }
        // Equal logits: uniform up to the remainder.
        let u = CategoricalDistribution(logits: [Float](repeating: 3.5, count: 1000), bits: 16)
        XCTAssert(u.frequencies.allSatisfy { $0 == 65 || $0 == 65 + 536 })
        // Shifting all logits by a constant changes nothing (exactly, for shifts on the 2^-10 grid).
        let a = CategoricalDistribution(logits: [0.25, -3, 7.5, 1], bits: 16)
        let b = CategoricalDistribution(logits: [100.25, 97, 107.5, 101], bits: 16)
        XCTAssertEqual(a.frequencies, b.frequencies)
    }

    func testHostileLogitsStillGiveValidTables() {
        let logits: [Float] = [.nan, .infinity, -.infinity, 1e38, -1e38, 0, .leastNonzeroMagnitude, -0.0]
        let d = CategoricalDistribution(logits: logits, bits: 16)
        XCTAssertEqual(d.frequencies.reduce(0, +), 1 << 16)
        XCTAssert(d.frequencies.allSatisfy { $0 >= 1 })
    }

    func testBinarySearchAgreesWithLinearScan() {
        var rng = SplitMix64(seed: 7)
        for k in [1, 2, 3, 64, 1000, 4096] {
            let logits = (0..<k).map { _ in Float(rng.unit() * 20 - 10) }
            let d = CategoricalDistribution(logits: logits, bits: 20)
            for _ in 0..<2000 {
                let slot = UInt32(truncatingIfNeeded: rng.next()) & 0xF_FFFF
                XCTAssertEqual(d.symbol(forSlot: slot), linearSymbol(d.cumulative, slot))
            }
            XCTAssertEqual(d.symbol(forSlot: 0), 0)
            XCTAssertEqual(d.symbol(forSlot: 0xF_FFFF), k - 1)
        }
    }

    func testRoundTripWithFreshLogitsPerSymbol() throws {
        var rng = SplitMix64(seed: 8)
        for k in [2, 16, 256, 1024, 4096] {
            for bits in [16, 20] {
                let n = k >= 1024 ? 150 : 600
                var logitRows: [[Float]] = []
                var symbols: [Int] = []
                var dist = CategoricalDistribution(logits: [0], bits: bits)
                var enc = RansEncoder()
                for _ in 0..<n {
                    let temp = Float(rng.unit() * 8)
                    let row = (0..<k).map { _ in Float(rng.unit() * 2 - 1) * temp }
                    row.withUnsafeBufferPointer { dist.setLogits($0) }
                    let s = draw(dist.cumulative, bits: bits, &rng)
                    enc.encode(s, dist)
                    logitRows.append(row)
                    symbols.append(s)
                }
                let bytes = enc.finish()
                var dec = try RansDecoder(bytes)
                for (row, s) in zip(logitRows, symbols) {
                    row.withUnsafeBufferPointer { dist.setLogits($0) }
                    XCTAssertEqual(try dec.decode(dist), s)
                }
                XCTAssertNoThrow(try dec.finish())
            }
        }
    }
}

/// 2^x for the test's reference only.
func pow2(_ x: Double) -> Double {
    // exp via series on a reduced argument: 2^x = e^(x ln 2).
    let y = x * 0.693147180559945309417232121458
    var term = 1.0, sum = 1.0
    for n in 1..<40 { term *= y / Double(n); sum += term }
    return sum
}

final class CategoricalSpecTests: XCTestCase {
    /// An independent, straight-from-the-spec reference of §6: weights by the formula, then the
    /// shared normalisation rule.
    func referenceFrequencies(_ logits: [Float], bits: Int) -> [UInt32] {
        let q = logits.map { l -> Int64 in
            let v = l * 1024
            if v.isNaN || v <= -1_048_576 { return -1_048_576 }
            if v >= 1_048_576 { return 1_048_576 }
            return Int64(v.rounded(.toNearestOrEven))
        }
        let mx = q.max()!
        let w = q.map { qi -> UInt64 in
            let e = ((mx - qi) * 94548) >> 16
            return e >> 10 >= 32 ? 0 : UInt64(CategoricalDistribution.exp2Fraction((e & 1023) * 64) >> (e >> 10))
        }
        return FrequencyNormalization.normalize(w, bits: bits)
    }

    func testMatchesReferenceRule() {
        var rng = SplitMix64(seed: 12)
        for k in [1, 2, 7, 256, 4096] {
            for bits in [12, 16, 20, 24] where k <= 1 << bits {
                for spread in [0.01, 1.0, 30.0, 3000.0] {
                    let logits = (0..<k).map { _ in Float((rng.unit() - 0.5) * spread) }
                    XCTAssertEqual(CategoricalDistribution(logits: logits, bits: bits).frequencies,
                                   referenceFrequencies(logits, bits: bits), "k \(k) bits \(bits) spread \(spread)")
                }
            }
        }
        // Special values and exact ties at half a fixed-point unit.
        let special: [Float] = [.nan, .infinity, -.infinity, 1e38, -1e38, 0, -0.0, .leastNonzeroMagnitude,
                                0.5 / 1024, 1.5 / 1024, 2.5 / 1024, -0.5 / 1024, -2.5 / 1024, 1023.9995, 1024, -1024, 1025, 3.25]
        for bits in [16, 20] {
            XCTAssertEqual(CategoricalDistribution(logits: special, bits: bits).frequencies, referenceFrequencies(special, bits: bits))
            let finite = Array(special[5...])
            XCTAssertEqual(CategoricalDistribution(logits: finite, bits: bits).frequencies, referenceFrequencies(finite, bits: bits))
        }
    }
}
