import ToolTesting
import XCTest
@testable import Entropy

/// One stream mixing every model type in random order, then truncated and corrupted.
final class RobustnessTests: XCTestCase {
    enum Item { case table(Int), bounded(Int32), scale(Int32, Float, Float), cat(Int, [Float]), adaptive(Int), bits(UInt32, Int) }

    static let table = FrequencyTable(counts: (0..<40).map { UInt64(($0 * 37) % 11) }, bits: 16)
    static let bounded = BoundedTable(minValue: -5, probabilities: [0.05, 0.1, 0.15, 0.2, 0.2, 0.15, 0.1, 0.03], bits: 15)
    static let set = ScaleTableSet.build(shape: .laplace, levels: 12, minScale: 0.2, maxScale: 30)

    func makeStream(seed: UInt64, count: Int) -> ([Item], [UInt8]) {
        var rng = SplitMix64(seed: seed)
        var items: [Item] = []
        var enc = RansEncoder()
        var model = AdaptiveModel(symbolCount: 20)
        for _ in 0..<count {
            switch rng.next() % 6 {
            case 0:
                let s = Int(rng.next() % 40)
                items.append(.table(s)); enc.encode(s, Self.table)
            case 1:
                let v = Int32(truncatingIfNeeded: Int64(rng.next() % 20) - 10) &* (rng.next() % 50 == 0 ? 100_000_000 : 1)
                items.append(.bounded(v)); enc.encode(v, Self.bounded)
            case 2:
                let scale = Float(rng.unit() * 40), mean = Float(rng.unit() * 10 - 5)
                let v = Int32(Double(mean) + (rng.unit() - 0.5) * Double(scale) * 4)
                items.append(.scale(v, mean, scale)); enc.encode(v, mean: mean, scale: scale, Self.set)
            case 3:
                let logits = (0..<Int(2 + rng.next() % 30)).map { _ in Float(rng.unit() * 6) }
                let d = CategoricalDistribution(logits: logits)
                let s = draw(d.cumulative, bits: d.bits, &rng)
                items.append(.cat(s, logits)); enc.encode(s, d)
            case 4:
                let s = Int(rng.next() % 5)
                items.append(.adaptive(s)); enc.encode(s, &model)
            default:
                let n = Int(rng.next() % 33)
                let v = UInt32(truncatingIfNeeded: rng.next()) & UInt32(truncatingIfNeeded: (UInt64(1) << UInt64(n)) - 1)
                items.append(.bits(v, n)); enc.encodeBits(v, count: n)
            }
        }
        return (items, enc.finish())
    }

    /// Decodes `items` from `bytes`; returns true if every symbol matched and finish() passed.
    func decodeAll(_ items: [Item], _ bytes: [UInt8]) throws -> Bool {
        var dec = try RansDecoder(bytes)
        var model = AdaptiveModel(symbolCount: 20)
        var ok = true
        for item in items {
            switch item {
            case let .table(s): let d = try dec.decode(Self.table); ok = ok && d == s
            case let .bounded(v): let d = try dec.decode(Self.bounded); ok = ok && d == v
            case let .scale(v, m, s): let d = try dec.decode(mean: m, scale: s, Self.set); ok = ok && d == v
            case let .cat(s, logits): let d = try dec.decode(CategoricalDistribution(logits: logits)); ok = ok && d == s
            case let .adaptive(s): let d = try dec.decode(&model); ok = ok && d == s
            case let .bits(v, n): let d = try dec.decodeBits(count: n); ok = ok && d == v
            }
        }
        try dec.finish()
        return ok
    }

    func testMixedStreamRoundTrips() throws {
        for seed in 0..<5 {
            let (items, bytes) = makeStream(seed: UInt64(seed), count: 3000)
            XCTAssertTrue(try decodeAll(items, bytes))
        }
    }

    func testTruncationAtEveryByteThrows() {
        let (items, bytes) = makeStream(seed: 42, count: 400)
        for cut in 0..<bytes.count {
            XCTAssertThrowsError(try decodeAll(items, Array(bytes[..<cut])), "cut at \(cut)")
        }
    }

    func testCorruptionNeverTrapsAndIsUsuallyCaught() {
        let (items, bytes) = makeStream(seed: 43, count: 400)
        var rng = SplitMix64(seed: 44)
        var undetected = 0
        let trials = 1500
        for t in 0..<trials {
            var b = bytes
            switch t % 3 {
            case 0: b[Int(rng.next() % UInt64(b.count))] ^= UInt8(1 + rng.next() % 255)
            case 1: for _ in 0..<8 { b[Int(rng.next() % UInt64(b.count))] = UInt8(truncatingIfNeeded: rng.next()) }
            default: b = (0..<b.count).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            }
            if b == bytes { continue }
            if (try? decodeAll(items, b)) == true { undetected += 1 }
        }
        // The final-state check catches almost every change; a stray few may slip through.
        XCTAssertLessThan(undetected, trials / 100)
    }

    func testGarbageWithEscapeHeavyModelsTerminates() {
        // Escapes read unbounded-looking prefixes; on garbage they must stop with an error.
        let tiny = BoundedTable(minValue: 0, probabilities: [1e-9], bits: 16)  // escape nearly certain
        var rng = SplitMix64(seed: 45)
        for _ in 0..<300 {
            let b = (0..<Int(16 + rng.next() % 200)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            guard var dec = try? RansDecoder(b) else { continue }
            for _ in 0..<1000 { if (try? dec.decode(tiny)) == nil { break } }
        }
    }
}
