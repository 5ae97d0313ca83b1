import ToolTesting
import XCTest
@testable import Entropy

final class FrequencyTableTests: XCTestCase {
    func testNormalizeRuleKeepsEverySymbolAndSumsExactly() {
        var rng = SplitMix64(seed: 3)
        for k in [1, 2, 3, 17, 256, 4096, 65536] {
            for bits in [16, 20, 24] where k <= 1 << bits {
                let cap = FrequencyNormalization.maxTotalWeight / UInt64(k)
                let w = (0..<k).map { _ in (rng.next() % (cap + 1)) >> (rng.next() % 40) }
                let f = FrequencyNormalization.normalize(w, bits: bits)
                XCTAssertEqual(f.reduce(UInt64(0)) { $0 + UInt64($1) }, UInt64(1) << UInt64(bits))
                XCTAssert(f.allSatisfy { $0 >= 1 })
                // Larger weight never gets a smaller frequency (except the argmax bonus, which only adds).
                let order = (0..<k).sorted { w[$0] < w[$1] }
                for i in 1..<order.count where w[order[i]] > w[order[i - 1]] {
                    XCTAssertGreaterThanOrEqual(f[order[i]], f[order[i - 1]])
                }
            }
        }
        XCTAssertEqual(FrequencyNormalization.normalize([0, 0, 0], bits: 4), [6, 5, 5])
        // Hand-computed: M=16, K=2, W=4, R=(14<<40)/4, f = 1 + 3*14/4 = 11 and 1 + 14/4 = 4, remainder 1 to index 0.
        XCTAssertEqual(FrequencyNormalization.normalize([3, 1], bits: 4), [12, 4])
    }

    func testQuantizeIsCloseToIdeal() {
        let p = [0.5, 0.25, 0.125, 0.0625, 0.0625]
        XCTAssertEqual(FrequencyNormalization.quantize(probabilities: p, bits: 4), [8, 4, 2, 1, 1])
        // A dominant symbol with many rare ones: all rare ones stay at 1.
        let rare = [1.0 - 1e-9] + [Double](repeating: 1e-12, count: 999)
        let f = FrequencyNormalization.quantize(probabilities: rare, bits: 16)
        XCTAssertEqual(f[0], 65536 - 999)
        XCTAssert(f.dropFirst().allSatisfy { $0 == 1 })
    }

    func testLookupAgreesWithLinearScan() throws {
        var rng = SplitMix64(seed: 4)
        for k in [2, 5, 300, 4096, 20000] {
            let counts = (0..<k).map { _ in rng.next() % 1000 }
            let t = FrequencyTable(counts: counts, bits: 16)
            for slot in stride(from: UInt32(0), to: 65536, by: 7) {
                XCTAssertEqual(t.symbol(forSlot: slot), linearSymbol(t.cumulative, slot))
            }
            XCTAssertEqual(t.symbol(forSlot: 65535), linearSymbol(t.cumulative, 65535))
        }
    }

    func testRoundTripAlphabetsFrom2To4096() throws {
        var rng = SplitMix64(seed: 5)
        for k in [2, 3, 16, 255, 256, 1000, 4096] {
            for bits in [12, 16, 24] where k <= 1 << bits {
                let counts = (0..<k).map { _ in rng.next() % 100 }
                let t = FrequencyTable(counts: counts, bits: bits)
                let symbols = (0..<3000).map { _ in draw(t.cumulative, bits: bits, &rng) }
                var enc = RansEncoder()
                for s in symbols { enc.encode(s, t) }
                let ideal = enc.idealBits
                let bytes = enc.finish()
                var dec = try RansDecoder(bytes)
                for s in symbols { XCTAssertEqual(try dec.decode(t), s) }
                XCTAssertNoThrow(try dec.finish())
                XCTAssertLessThan(Double(bytes.count * 8), ideal + Double(8 * Rans.flushBytes + 64), "k \(k) bits \(bits)")
            }
        }
    }

    func testExtremeProbabilities() throws {
        // One symbol takes all but K-1 units; the rest have frequency 1 and still round-trip.
        let k = 4096
        var freqs = [UInt32](repeating: 1, count: k)
        freqs[123] = 65536 - UInt32(k - 1)
        let t = try FrequencyTable(frequencies: freqs, bits: 16)
        var rng = SplitMix64(seed: 6)
        var symbols = (0..<5000).map { _ in 123 }
        for _ in 0..<500 { symbols[Int(rng.next() % 5000)] = Int(rng.next() % UInt64(k)) }
        symbols += [0, k - 1, 0, k - 1]
        var enc = RansEncoder()
        for s in symbols { enc.encode(s, t) }
        let bytes = enc.finish()
        var dec = try RansDecoder(bytes)
        for s in symbols { XCTAssertEqual(try dec.decode(t), s) }
        XCTAssertNoThrow(try dec.finish())
        // A single-symbol alphabet costs nothing at all.
        let one = try FrequencyTable(frequencies: [1 << 16], bits: 16)
        var e1 = RansEncoder()
        for _ in 0..<1000 { e1.encode(0, one) }
        XCTAssertEqual(e1.finish().count, Rans.flushBytes)
    }

    func testInvalidFrequenciesAreRejected() {
        XCTAssertThrowsError(try FrequencyTable(frequencies: [0, 65536], bits: 16))
        XCTAssertThrowsError(try FrequencyTable(frequencies: [1, 65534], bits: 16))
        XCTAssertThrowsError(try FrequencyTable(frequencies: [1, 1], bits: 25))
        XCTAssertThrowsError(try FrequencyTable(frequencies: [], bits: 16))
    }
}

final class FrequencyTableBankTests: XCTestCase {
    func testBankCodesLikeItsTables() throws {
        var rng = SplitMix64(seed: 15)
        let tables = (0..<20).map { i -> FrequencyTable in
            let k = 2 + Int(rng.next() % 3000)
            return FrequencyTable(counts: (0..<k).map { _ in rng.next() % 50 }, bits: 12 + i % 13)
        }
        let bank = FrequencyTableBank(tables)
        var picks: [(Int, Int)] = []
        var viaTables = RansEncoder(), viaBank = RansEncoder()
        for _ in 0..<5000 {
            let i = Int(rng.next() % 20)
            let s = draw(tables[i].cumulative, bits: tables[i].bits, &rng)
            picks.append((i, s))
            viaTables.encode(s, tables[i])
            viaBank.encode(s, bank, index: i)
        }
        let bytes = viaTables.finish()
        XCTAssertEqual(viaBank.finish(), bytes)
        var dec = try RansDecoder(bytes)
        for (i, s) in picks { XCTAssertEqual(try dec.decode(bank, index: i), s) }
        XCTAssertNoThrow(try dec.finish())
    }

    func testHugeCountsAreScaledNotOverflowed() {
        let t = FrequencyTable(counts: [UInt64.max, UInt64.max, 1, 0], bits: 16)
        XCTAssertEqual(t.frequencies.reduce(0, +), 1 << 16)
        XCTAssert(t.frequencies.allSatisfy { $0 >= 1 })
        XCTAssertLessThanOrEqual(abs(Int(t.frequency(0)) - Int(t.frequency(1))), 4)  // equal up to the remainder
        XCTAssertGreaterThan(t.frequency(0), 32000)
    }
}
