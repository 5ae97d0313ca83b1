import ToolTesting
import XCTest
@testable import Entropy

final class ScaleTableTests: XCTestCase {
    static let laplace = ScaleTableSet.build(shape: .laplace, levels: 24, minScale: 0.11, maxScale: 64)
    static let gaussian = ScaleTableSet.build(shape: .gaussian, levels: 24, minScale: 0.11, maxScale: 64)

    func testLevelRuleIsComparisonsAgainstThresholds() {
        let set = Self.laplace
        XCTAssertEqual(set.level(forScale: .nan), 0)
        XCTAssertEqual(set.level(forScale: -.infinity), 0)
        XCTAssertEqual(set.level(forScale: 0), 0)
        XCTAssertEqual(set.level(forScale: .infinity), set.levels - 1)
        for (j, t) in set.thresholds.enumerated() {
            XCTAssertEqual(set.level(forScale: t), j + 1)
            XCTAssertEqual(set.level(forScale: t.nextDown), j)
            XCTAssertEqual(set.level(forScale: set.scales[j]), j)
        }
    }

    func testLevelMatchesBruteForceCount() throws {
        var rng = SplitMix64(seed: 13)
        // The built set, and an odd one with negative, zero and huge thresholds.
        let t = BoundedTable(minValue: 0, probabilities: [0.5, 0.4], bits: 8)
        let odd = try ScaleTableSet(thresholds: [-1e30, -2, -0.0, 1e-40, 3, 3.0000002, 1e30],
                                    scales: [Float](repeating: 1, count: 8), tables: [BoundedTable](repeating: t, count: 8))
        for set in [Self.laplace, odd] {
            var probes: [Float] = [0, -0.0, .infinity, -.infinity, .nan, .leastNonzeroMagnitude, .greatestFiniteMagnitude]
            for th in set.thresholds { probes += [th, th.nextUp, th.nextDown] }
            for _ in 0..<5000 {
                probes.append(Float(bitPattern: UInt32(truncatingIfNeeded: rng.next())))
                probes.append(Float(0.05 * pow2(rng.unit() * 14)))
            }
            for s in probes {
                XCTAssertEqual(set.level(forScale: s), set.thresholds.filter { s >= $0 }.count, "scale \(s)")
            }
        }
    }

    func testCenterRounding() {
        XCTAssertEqual(ScaleTableSet.center(mean: 2.5), 2)
        XCTAssertEqual(ScaleTableSet.center(mean: 3.5), 4)
        XCTAssertEqual(ScaleTableSet.center(mean: -2.5), -2)
        XCTAssertEqual(ScaleTableSet.center(mean: -2.6), -3)
        XCTAssertEqual(ScaleTableSet.center(mean: .nan), 0)
        XCTAssertEqual(ScaleTableSet.center(mean: 1e20), .max)
        XCTAssertEqual(ScaleTableSet.center(mean: -.infinity), .min)
        var rng = SplitMix64(seed: 14)
        for _ in 0..<20000 {
            let m = Float(bitPattern: UInt32(truncatingIfNeeded: rng.next()))
            guard m.isFinite && abs(m) < 2e9 else { continue }
            XCTAssertEqual(ScaleTableSet.center(mean: m), Int32(m.rounded(.toNearestOrEven)), "mean \(m)")
        }
        for m: Float in [0.5, 1.5, -0.5, -1.5, 4194303.5, 4194304.5, -4194303.5, 8388607.5, 1e-40] {
            XCTAssertEqual(ScaleTableSet.center(mean: m), Int32(m.rounded(.toNearestOrEven)), "mean \(m)")
        }
    }

    func testTablesAreSaneAtBothEnds() {
        // At scale 0.11 nearly all mass is at 0: Laplace 1 - exp(-0.5/0.11) = 0.98938, Gaussian ~1 - 5e-6.
        for (set, p0) in [(Self.laplace, 0.98938), (Self.gaussian, 0.99999)] {
            let low = set.tables[0]
            XCTAssertEqual(Double(low.table.frequency(Int(-low.minValue))) / 65536, p0, accuracy: 1e-4)
            let high = set.tables[set.levels - 1]
            XCTAssertGreaterThan(high.valueCount, 300)
            XCTAssertEqual(Int(high.minValue), -(high.valueCount - 1) / 2)
        }
    }

    func testRoundTripAcrossScalesMeansAndEscapes() throws {
        var rng = SplitMix64(seed: 9)
        for set in [Self.laplace, Self.gaussian] {
            var triples: [(Int32, Float, Float)] = []
            for i in 0..<6000 {
                let scale: Float
                switch i % 4 {
                case 0: scale = 0.01            // below the table
                case 1: scale = 1000            // above the table
                default: scale = Float(0.05 * pow2(rng.unit() * 12))
                }
                let mean = Float(rng.unit() * 200 - 100)
                let noise = Double(scale) * (rng.unit() - 0.5) * 6
                var v = Int64((Double(mean) + noise).rounded())
                if i % 97 == 0 { v = Int64(Int32.max) }
                if i % 89 == 0 { v = Int64(Int32.min) }
                if i % 83 == 0 { v = Int64(mean) + 5000 }
                v = max(Int64(Int32.min), min(Int64(Int32.max), v))
                triples.append((Int32(v), mean, scale))
            }
            // Extreme means too: the center clamps and the residual still escapes.
            triples += [(Int32.max, -1e30, 1), (Int32.min, 1e30, 1), (0, .nan, .nan), (Int32.min, Float(Int32.max), 0.5)]
            var enc = RansEncoder()
            for (v, m, s) in triples { enc.encode(v, mean: m, scale: s, set) }
            let bytes = enc.finish()
            var dec = try RansDecoder(bytes)
            for (v, m, s) in triples { XCTAssertEqual(try dec.decode(mean: m, scale: s, set), v) }
            XCTAssertNoThrow(try dec.finish())
        }
    }

    func testFactorizedTableRoundTripWithEscapes() throws {
        // A logistic "learned" CDF over -8...8.
        let t = BoundedTable(minValue: -8, maxValue: 8) { x in 1 / (1 + pow2(-x * 1.4427 * 1.3)) }
        XCTAssertEqual(t.valueCount, 17)
        let values: [Int32] = [0, 1, -1, 8, -8, 9, -9, 100, -100, .max, .min, .max - 1, .min + 1, 3]
        var enc = RansEncoder()
        for v in values { enc.encode(v, t) }
        for v in values { enc.encode(v, t, center: .max) }
        for v in values { enc.encode(v, t, center: .min) }
        let bytes = enc.finish()
        var dec = try RansDecoder(bytes)
        for v in values { XCTAssertEqual(try dec.decode(t), v) }
        for v in values { XCTAssertEqual(try dec.decode(t, center: .max), v) }
        for v in values { XCTAssertEqual(try dec.decode(t, center: .min), v) }
        XCTAssertNoThrow(try dec.finish())
    }

    func testSerializationRoundTripAndRejection() throws {
        let set = Self.gaussian
        let ints = TableSerialization.serialize(set)
        XCTAssertEqual(try TableSerialization.scaleTableSet(ints), set)
        let bytes = TableSerialization.bytes(ints)
        XCTAssertEqual(try TableSerialization.scaleTableSet(TableSerialization.int32s(bytes)), set)
        let list = Array(set.tables.prefix(3))
        XCTAssertEqual(try TableSerialization.boundedTables(TableSerialization.serialize(list)), list)

        XCTAssertThrowsError(try TableSerialization.scaleTableSet(Array(ints.dropLast())))
        XCTAssertThrowsError(try TableSerialization.scaleTableSet(ints + [0]))
        XCTAssertThrowsError(try TableSerialization.int32s([1, 2, 3]))
        var bad = ints
        bad[bad.count - 1] += 1  // sum no longer 2^16
        XCTAssertThrowsError(try TableSerialization.scaleTableSet(bad))
        var rng = SplitMix64(seed: 10)
        for _ in 0..<300 {  // random damage: an error or, by chance, a valid set; never a trap
            var d = ints
            d[Int(rng.next() % UInt64(d.count))] = Int32(truncatingIfNeeded: rng.next())
            _ = try? TableSerialization.scaleTableSet(d)
        }
    }
}
