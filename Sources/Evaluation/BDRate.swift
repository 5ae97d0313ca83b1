import Foundation

/// One rate-distortion point: a rate (bpp, kb/s, bytes: any positive unit, the same for both
/// curves) and a quality (PSNR in dB, or any metric where higher is better).
public struct RDPoint: Sendable, Equatable {
    public var rate: Double
    public var quality: Double
    public init(rate: Double, quality: Double) { self.rate = rate; self.quality = quality }
}

/// Bjøntegaard deltas computed the way the `bd-metric` package (PyPI, `piecewise=1`) does, so
/// our figures can be compared with published ones.
///
/// - Rates become natural logarithms.
/// - Each curve's abscissae and ordinates are sorted **independently** (as `np.sort` on each
///   array does; for the monotone curves of real codecs that is the same as sorting by rate),
///   then interpolated by a monotone cubic (`Pchip`).
/// - The integration interval is the overlap of the two curves; each interpolant is sampled at
///   100 evenly spaced points over it and integrated with the trapezoid rule.
///
/// `scripts/bd_reference.py` prints the package's output for the curves pinned in the tests.
public enum Bjontegaard {
    /// The package's sample count over the overlap interval.
    static let samples = 100

    /// BD-rate in percent: the average bit-rate difference of `test` against `anchor` at equal
    /// quality. Negative: `test` needs fewer bits.
    public static func rate(anchor: [RDPoint], test: [RDPoint]) throws -> Double {
        try check(anchor, "anchor"); try check(test, "test")
        try checkOverlap(anchor.map(\.quality), test.map(\.quality), "quality")
        let a = try Pchip(x: anchor.map(\.quality).sorted(), y: anchor.map { log($0.rate) }.sorted())
        let t = try Pchip(x: test.map(\.quality).sorted(), y: test.map { log($0.rate) }.sorted())
        let diff = try averageDifference(a, t)
        return (exp(diff) - 1) * 100
    }

    /// BD-PSNR (BD-quality): the average quality difference of `test` against `anchor` at equal
    /// rate, in the metric's unit (dB for PSNR). Positive: `test` is better.
    public static func quality(anchor: [RDPoint], test: [RDPoint]) throws -> Double {
        try check(anchor, "anchor"); try check(test, "test")
        try checkOverlap(anchor.map(\.rate), test.map(\.rate), "rate")
        let a = try Pchip(x: anchor.map { log($0.rate) }.sorted(), y: anchor.map(\.quality).sorted())
        let t = try Pchip(x: test.map { log($0.rate) }.sorted(), y: test.map(\.quality).sorted())
        return try averageDifference(a, t)
    }

    private static func check(_ curve: [RDPoint], _ name: String) throws {
        guard curve.count >= 2 else { throw EvaluationError("the \(name) curve has \(curve.count) point(s); BD needs at least 2") }
        guard curve.allSatisfy({ $0.rate > 0 && $0.rate.isFinite && $0.quality.isFinite }) else {
            throw EvaluationError("the \(name) curve has a non-positive rate or a non-finite value")
        }
    }

    private static func checkOverlap(_ a: [Double], _ t: [Double], _ what: String) throws {
        guard min(a.max()!, t.max()!) > max(a.min()!, t.min()!) else {
            throw EvaluationError("the \(what) ranges do not overlap " + String(format: "(anchor %.4g...%.4g, test %.4g...%.4g)",
                                                                              a.min()!, a.max()!, t.min()!, t.max()!))
        }
    }

    /// Mean of (test - anchor) over the overlap of both abscissa ranges, by the trapezoid rule.
    private static func averageDifference(_ anchor: Pchip, _ test: Pchip) throws -> Double {
        let lo = max(anchor.x.first!, test.x.first!), hi = min(anchor.x.last!, test.x.last!)
        guard hi > lo else { throw EvaluationError("the curves do not overlap") }
        let step = (hi - lo) / Double(samples - 1)
        var ia = 0.0, it = 0.0
        for i in 0..<samples {
            let s = lo + Double(i) * step
            let w = (i == 0 || i == samples - 1) ? 0.5 : 1
            ia += w * anchor(s)
            it += w * test(s)
        }
        return (it - ia) * step / (hi - lo)
    }
}
