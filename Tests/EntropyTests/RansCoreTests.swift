import ToolTesting
import XCTest
@testable import Entropy

final class RansCoreTests: XCTestCase {
    func testEmptyStreamIsJustTheFlush() throws {
        var enc = RansEncoder()
        let bytes = enc.finish()
        XCTAssertEqual(bytes.count, Rans.flushBytes)
        let dec = try RansDecoder(bytes)
        XCTAssertNoThrow(try dec.finish())
    }

    func testByteLayoutFollowsTheSpec() throws {
        // Spec §2 by hand: an empty stream is A = B = 2^31, each as low word then high word, LE.
        var empty = RansEncoder()
        XCTAssertEqual(empty.finish(), [0, 0, 0, 0x80, 0, 0, 0, 0, 0, 0, 0, 0x80, 0, 0, 0, 0])
        // One step (start 0, freq 2^15, n 16) on A: x_max = 2^62 > x, so x = (2^31 / 2^15) << 16 = 2^32.
        var one = RansEncoder()
        one.put(start: 0, frequency: 1 << 15, bits: 16)
        let bytes = one.finish()
        XCTAssertEqual(bytes, [0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0x80, 0, 0, 0, 0])
        var dec = try RansDecoder(bytes[...])
        XCTAssertLessThan(dec.slot(bits: 16), 1 << 15)
        try dec.advance(slot: dec.slot(bits: 16), start: 0, frequency: 1 << 15, bits: 16)
        XCTAssertNoThrow(try dec.finish())
    }

    func testBypassBitsRoundTripAllWidths() throws {
        var rng = SplitMix64(seed: 1)
        var enc = RansEncoder()
        var expected: [(UInt32, Int)] = []
        for _ in 0..<3000 {
            let n = Int(rng.next() % 33)
            let v = n == 32 ? UInt32(truncatingIfNeeded: rng.next()) : UInt32(truncatingIfNeeded: rng.next()) & ((1 << UInt32(n)) &- 1)
            expected.append((v, n))
            enc.encodeBits(v, count: n)
        }
        let bytes = enc.finish()
        var dec = try RansDecoder(bytes)
        for (v, n) in expected { XCTAssertEqual(try dec.decodeBits(count: n), v) }
        XCTAssertNoThrow(try dec.finish())
        // Raw bits cost what they say, plus the flush and at most one partial word.
        let totalBits = expected.reduce(0) { $0 + $1.1 }
        XCTAssertLessThanOrEqual(bytes.count * 8, totalBits + 8 * Rans.flushBytes + 64)
    }

    func testRandomStepsAtEveryPrecision() throws {
        // Raw (start, freq, bits) steps, any precision 1...24, decoded by searching the step's slot.
        var rng = SplitMix64(seed: 2)
        var steps: [(UInt32, UInt32, Int)] = []
        var enc = RansEncoder()
        for _ in 0..<20000 {
            let bits = 1 + Int(rng.next() % 24)
            let m = UInt32(1) << UInt32(bits)
            let freq = 1 + UInt32(truncatingIfNeeded: rng.next()) % m
            let start = UInt32(truncatingIfNeeded: rng.next()) % (m - freq + 1)
            steps.append((start, freq, bits))
            enc.put(start: start, frequency: freq, bits: bits)
        }
        let bytes = enc.finish()
        var dec = try RansDecoder(bytes)
        for (start, freq, bits) in steps {
            let slot = dec.slot(bits: bits)
            XCTAssert(slot >= start && slot < start + freq, "slot \(slot) outside [\(start), \(start + freq))")
            try dec.advance(slot: slot, start: start, frequency: freq, bits: bits)
        }
        XCTAssertNoThrow(try dec.finish())
    }

    func testBadInitialStatesAndShortStreamsThrow() {
        XCTAssertThrowsError(try RansDecoder([]))
        XCTAssertThrowsError(try RansDecoder([UInt8](repeating: 0, count: 15)))
        XCTAssertThrowsError(try RansDecoder([UInt8](repeating: 0, count: 16))) { e in
            guard case EntropyError.corrupt = e else { return XCTFail("\(e)") }
        }
        XCTAssertThrowsError(try RansDecoder([UInt8](repeating: 0xFF, count: 16)))
    }

    func testIdealBitsMatchesFrequencies() {
        var enc = RansEncoder()
        enc.put(start: 0, frequency: 1 << 15, bits: 16)  // 1 bit
        enc.put(start: 0, frequency: 1, bits: 10)         // 10 bits
        enc.put(start: 0, frequency: 3, bits: 4)          // 4 - log2 3
        XCTAssertEqual(enc.idealBits, 1 + 10 + 4 - 1.584962500721156, accuracy: 1e-9)
        XCTAssertEqual(Rans.idealBits(frequency: 3, bits: 4), 4 - 1.584962500721156, accuracy: 1e-12)
    }
}
