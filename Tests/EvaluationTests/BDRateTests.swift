import XCTest
@testable import Evaluation

/// BD figures pinned against the `bd-metric` package (0.9.0, piecewise=1); the numbers come from
/// scripts/bd_reference.py, which holds the same curves.
final class BDRateTests: XCTestCase {
    private func curve(_ rates: [Double], _ psnr: [Double]) -> [RDPoint] {
        zip(rates, psnr).map { RDPoint(rate: $0, quality: $1) }
    }

    /// (anchor rates, anchor PSNR, test rates, test PSNR, BD-rate %, BD-PSNR dB) from bd-metric.
    private let cases: [(String, [Double], [Double], [Double], [Double], Double, Double)] = [
        ("readme", [686.76, 309.58, 157.11, 85.95], [40.28812, 37.18136, 34.24085, 31.42496],
         [893.34, 407.8, 204.93, 112.75], [40.39288, 37.21325, 34.16915, 31.35366],
         31.093403612272, -1.170919787174),
        ("overlap", [0.10, 0.22, 0.45, 0.90], [28.1, 30.6, 33.2, 36.0],
         [0.15, 0.30, 0.50, 1.20, 2.0], [29.9, 32.0, 33.5, 37.1, 39.0],
         -3.897961764908, 0.164079220422),
        ("two-points", [0.2, 0.8], [30.0, 36.0], [0.25, 0.7], [31.5, 35.0],
         -1.287261563363, 0.056075474583),
        ("three-descending", [1.6, 0.7, 0.3], [38.0, 34.5, 31.0], [1.1, 0.5, 0.2], [37.0, 33.9, 30.2],
         -16.977795844976, 0.758336881632),
    ]

    func testMatchesBDMetricPackage() throws {
        for (name, r1, p1, r2, p2, rate, psnr) in cases {
            let a = curve(r1, p1), t = curve(r2, p2)
            XCTAssertEqual(try Bjontegaard.rate(anchor: a, test: t), rate, accuracy: 1e-9, name)
            XCTAssertEqual(try Bjontegaard.quality(anchor: a, test: t), psnr, accuracy: 1e-9, name)
        }
    }

    func testIdenticalCurvesGiveZeroAndSwappingFlipsTheSign() throws {
        let a = curve([0.1, 0.3, 0.6, 1.2], [28, 31, 34, 37])
        XCTAssertEqual(try Bjontegaard.rate(anchor: a, test: a), 0, accuracy: 1e-12)
        XCTAssertEqual(try Bjontegaard.quality(anchor: a, test: a), 0, accuracy: 1e-12)
        // Half the rate at every quality: -50 %; the reverse: +100 %.
        let half = a.map { RDPoint(rate: $0.rate / 2, quality: $0.quality) }
        XCTAssertEqual(try Bjontegaard.rate(anchor: a, test: half), -50, accuracy: 1e-9)
        XCTAssertEqual(try Bjontegaard.rate(anchor: half, test: a), 100, accuracy: 1e-9)
        // One dB better everywhere.
        let better = a.map { RDPoint(rate: $0.rate, quality: $0.quality + 1) }
        XCTAssertEqual(try Bjontegaard.quality(anchor: a, test: better), 1, accuracy: 1e-12)
    }

    func testUnusableCurvesAreErrors() {
        let a = curve([0.1, 0.2, 0.4], [30, 32, 34])
        XCTAssertThrowsError(try Bjontegaard.rate(anchor: a, test: curve([0.5], [35])))
        XCTAssertThrowsError(try Bjontegaard.rate(anchor: a, test: curve([0.5, 0.9], [35, 38]))) {
            XCTAssertTrue("\($0)".contains("do not overlap"), "\($0)")
        }
        XCTAssertThrowsError(try Bjontegaard.quality(anchor: a, test: curve([0, 0.2], [30, 33])))
        XCTAssertThrowsError(try Bjontegaard.rate(anchor: a, test: curve([0.1, 0.2], [31, 31])))
    }

    func testPchipIsMonotoneAndPassesThroughItsKnots() throws {
        let x = [0.0, 1, 2, 3, 6], y = [0.0, 0.1, 2.0, 2.1, 9]
        let p = try Pchip(x: x, y: y)
        for (a, b) in zip(x, y) { XCTAssertEqual(p(a), b, accuracy: 1e-12) }
        var last = -Double.infinity
        for i in 0...600 {
            let v = p(Double(i) / 100)
            XCTAssertGreaterThanOrEqual(v, last - 1e-12)
            last = v
        }
        // Flat neighbours give a zero slope: no overshoot past a plateau.
        let q = try Pchip(x: [0, 1, 2], y: [0, 1, 1])
        XCTAssertEqual(q.slopes[1], 0)
        XCTAssertLessThanOrEqual(q(1.5), 1)
        // Two knots: a straight line.
        let line = try Pchip(x: [1, 3], y: [2, 6])
        XCTAssertEqual(line(2), 4, accuracy: 1e-12)
        XCTAssertThrowsError(try Pchip(x: [0, 0, 1], y: [1, 2, 3]))
    }
}
