import ToolTesting
import XCTest
@testable import Entropy

/// The fast paths code exactly like the plain ones: the categorical lookup straight from weights
/// (after `setLogits`) against the materialised table, the packed static-table lookup against a
/// linear scan, and the run decoder against one `decode` per symbol.
final class FastPathTests: XCTestCase {
    func testPendingWeightsGiveTheMaterialisedIntervals() {
        var rng = SplitMix64(seed: 31)
        let specials: [Float] = [.nan, .infinity, -.infinity, 1e38, -1e38, -0.0, 0.5 / 1024, 1023.9995, 1025]
        for k in [1, 2, 3, 7, 8, 9, 15, 16, 17, 255, 256, 1000, 4096] {
            for bits in [12, 16, 20, 24] where k <= 1 << bits {
                for spread in [0.001, 3.0, 40.0] {
                    var logits = (0..<k).map { _ in Float((rng.unit() - 0.5) * spread) }
                    if k > 12 { for (i, v) in specials.enumerated() { logits[(i * 7919) % k] = v } }
                    let table = CategoricalDistribution(logits: logits, bits: bits)
                    var pending = CategoricalDistribution(logits: [0], bits: bits)
                    logits.withUnsafeBufferPointer { pending.setLogits($0) }
                    let cum = table.cumulative
                    XCTAssertEqual(pending.cumulative, cum, "k \(k) bits \(bits)")
                    var slots: [UInt32] = [0, (1 << UInt32(bits)) - 1] + cum.dropLast().flatMap { [$0, $0 &- 1] }.filter { $0 < 1 << UInt32(bits) }
                    slots = Array(slots.prefix(600))
                    for _ in 0..<400 { slots.append(UInt32(truncatingIfNeeded: rng.next()) & ((1 << UInt32(bits)) - 1)) }
                    for slot in slots {
                        let s = linearSymbol(cum, slot)
                        let got = pending.interval(forSlot: slot)
                        XCTAssertEqual(got.symbol, s)
                        XCTAssertEqual(got.start, cum[s])
                        XCTAssertEqual(got.frequency, cum[s + 1] - cum[s])
                    }
                    for s in Set((0..<min(k, 300)).map { $0 } + [k - 1, pending.best]) {
                        let got = pending.interval(of: s)
                        XCTAssertEqual(got.start, cum[s], "k \(k) bits \(bits) symbol \(s)")
                        XCTAssertEqual(got.frequency, cum[s + 1] - cum[s])
                    }
                }
            }
        }
    }

    func testPendingAndMaterialisedStreamsAreIdentical() throws {
        var rng = SplitMix64(seed: 32)
        let k = 256, n = 2000
        let rows = (0..<n).map { _ in (0..<k).map { _ in Float((rng.unit() - 0.5) * 12) } }
        var pending = CategoricalDistribution(logits: [0])
        var fast = RansEncoder(), plain = RansEncoder()
        var symbols: [Int] = []
        for row in rows {
            let table = CategoricalDistribution(logits: row)
            let s = draw(table.cumulative, bits: table.bits, &rng)
            symbols.append(s)
            row.withUnsafeBufferPointer { pending.setLogits($0) }
            fast.encode(s, pending)
            plain.encode(s, FrequencyTable(table))
        }
        let bytes = fast.finish()
        XCTAssertEqual(bytes, plain.finish())
        var dec = try RansDecoder(bytes)
        for (row, s) in zip(rows, symbols) {
            row.withUnsafeBufferPointer { pending.setLogits($0) }
            XCTAssertEqual(try dec.decode(pending), s)
        }
        XCTAssertNoThrow(try dec.finish())
    }

    func testPackedLookupAtExtremePrecisions() throws {
        // One symbol at 24 bits has frequency 2^24: the packed entry stores frequency - 1.
        let one = try FrequencyTable(frequencies: [1 << 24], bits: 24)
        XCTAssertEqual(one.symbol(forSlot: 0), 0)
        XCTAssertEqual(one.symbol(forSlot: (1 << 24) - 1), 0)
        var rng = SplitMix64(seed: 33)
        for bits in [1, 2, 8, 16, 24] {
            for k in [1, 2, 5, 300] where k <= 1 << bits {
                let counts = (0..<k).map { _ in rng.next() % 1000 + (rng.next() % 3 == 0 ? 1_000_000 : 0) }
                let t = FrequencyTable(counts: counts, bits: bits)
                for _ in 0..<2000 {
                    let slot = UInt32(truncatingIfNeeded: rng.next()) & ((1 << UInt32(bits)) - 1)
                    XCTAssertEqual(t.symbol(forSlot: slot), linearSymbol(t.cumulative, slot))
                }
            }
        }
    }

    func testRunDecoderMatchesPerSymbolDecoding() throws {
        var rng = SplitMix64(seed: 34)
        for (k, bits) in [(1, 1), (2, 1), (16, 16), (256, 16), (300, 12), (4096, 20), (50, 24)] {
            let counts = (0..<k).map { i in UInt64(1_000_000.0 * pow(0.9, Double(i % 60))) + rng.next() % 50 }
            let table = FrequencyTable(counts: counts, bits: bits)
            for n in [0, 1, 2, 3, 17, 5000] {
                let syms = (0..<n).map { _ in draw(table.cumulative, bits: bits, &rng) }
                var enc = RansEncoder()
                enc.encodeBits(7, count: 5)  // a bypass step first: the run starts on either state
                for s in syms { enc.encode(s, table) }
                let bytes = enc.finish()
                var dec = try RansDecoder(bytes)
                XCTAssertEqual(try dec.decodeBits(count: 5), 7)
                var out = [Int32](repeating: -1, count: n)
                try out.withUnsafeMutableBufferPointer { try dec.decode(table, into: $0) }
                XCTAssertEqual(out, syms.map { Int32($0) }, "k \(k) bits \(bits) n \(n)")
                XCTAssertNoThrow(try dec.finish())
                // Truncated or damaged: the run decoder throws or returns, like decode(_:), never traps,
                // and agrees with decode(_:) symbol for symbol up to where that one throws.
                for cut in [bytes.count - 4, bytes.count / 2, 20] where cut >= 16 && cut < bytes.count {
                    var damaged = Array(bytes[0..<cut])
                    if damaged.count > 17 { damaged[17] ^= 0x5A }
                    var a = try RansDecoder(damaged), b = try RansDecoder(damaged)
                    _ = try? a.decodeBits(count: 5)
                    _ = try? b.decodeBits(count: 5)
                    var runOut = [Int32](repeating: -1, count: n)
                    let runResult = Result { try runOut.withUnsafeMutableBufferPointer { try a.decode(table, into: $0) } }
                    var single: [Int32] = []
                    var failed = false
                    for _ in 0..<n {
                        guard let s = try? b.decode(table) else { failed = true; break }
                        single.append(Int32(s))
                    }
                    if case .success = runResult { XCTAssertFalse(failed); XCTAssertEqual(runOut, single) }
                    else { XCTAssertTrue(failed); XCTAssertEqual(Array(runOut.prefix(single.count)), single) }
                }
            }
        }
    }
}

final class PendingAccessorTests: XCTestCase {
    func testFrequenciesOfAPendingDistributionMatchTheTable() throws {
        var rng = SplitMix64(seed: 35)
        let logits = (0..<4096).map { _ in Float((rng.unit() - 0.5) * 20) }
        var pending = CategoricalDistribution(logits: [0])
        logits.withUnsafeBufferPointer { pending.setLogits($0) }
        let table = CategoricalDistribution(logits: logits)
        XCTAssertEqual(pending.frequencies, table.frequencies)
        XCTAssertEqual(pending.frequency(17), table.frequency(17))
        XCTAssertEqual(FrequencyTable(pending), FrequencyTable(table))
        var copy = pending
        copy.materialize()
        XCTAssertEqual(copy.cumulative, table.cumulative)
        XCTAssertEqual(copy.symbol(forSlot: 12345), pending.symbol(forSlot: 12345))
    }
}
