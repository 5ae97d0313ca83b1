import Foundation

/// A monotone piecewise cubic Hermite interpolant (Fritsch–Carlson, as SciPy's
/// `PchipInterpolator` builds it): between two knots it never overshoots the data, and it is
/// monotone wherever the data are.
///
/// Interior slopes are the weighted harmonic mean of the neighbouring secant slopes (zero at a
/// local extremum or a flat secant); end slopes use the one-sided three-point formula, clipped to
/// keep the shape. With two knots the interpolant is the straight line through them.
public struct Pchip: Sendable {
    /// Knot abscissae, strictly increasing.
    public let x: [Double]
    /// Knot values.
    public let y: [Double]
    /// Slopes at the knots.
    public let slopes: [Double]

    /// Builds the interpolant; `x` must be strictly increasing and hold at least two values.
    public init(x: [Double], y: [Double]) throws {
        guard x.count == y.count, x.count >= 2 else {
            throw EvaluationError("pchip needs at least two points of equal-length x and y (got \(x.count) and \(y.count))")
        }
        for i in 1..<x.count where !(x[i] > x[i - 1]) {
            throw EvaluationError("pchip abscissae must be strictly increasing (x[\(i - 1)] = \(x[i - 1]), x[\(i)] = \(x[i]))")
        }
        guard (x + y).allSatisfy(\.isFinite) else { throw EvaluationError("pchip data must be finite") }
        self.x = x
        self.y = y
        self.slopes = Pchip.slopes(x: x, y: y)
    }

    static func slopes(x: [Double], y: [Double]) -> [Double] {
        let n = x.count
        let h = (0..<n - 1).map { x[$0 + 1] - x[$0] }
        let m = (0..<n - 1).map { (y[$0 + 1] - y[$0]) / h[$0] }
        if n == 2 { return [m[0], m[0]] }
        var d = [Double](repeating: 0, count: n)
        for k in 1..<n - 1 {
            let (m0, m1) = (m[k - 1], m[k])
            if m0 == 0 || m1 == 0 || sign(m0) != sign(m1) { continue }
            let w1 = 2 * h[k] + h[k - 1], w2 = h[k] + 2 * h[k - 1]
            d[k] = (w1 + w2) / (w1 / m0 + w2 / m1)
        }
        d[0] = edgeSlope(h[0], h[1], m[0], m[1])
        d[n - 1] = edgeSlope(h[n - 2], h[n - 3], m[n - 2], m[n - 3])
        return d
    }

    /// The shape-preserving three-point end slope.
    private static func edgeSlope(_ h0: Double, _ h1: Double, _ m0: Double, _ m1: Double) -> Double {
        let d = ((2 * h0 + h1) * m0 - h0 * m1) / (h0 + h1)
        if sign(d) != sign(m0) { return 0 }
        if sign(m0) != sign(m1) && abs(d) > 3 * abs(m0) { return 3 * m0 }
        return d
    }

    private static func sign(_ v: Double) -> Int { v > 0 ? 1 : (v < 0 ? -1 : 0) }

    /// The interpolant at `t` (the end pieces extend past the knots).
    public func callAsFunction(_ t: Double) -> Double {
        // The last knot at or left of t, clamped to a valid piece.
        var lo = 0, hi = x.count - 1
        while hi - lo > 1 {
            let mid = (lo + hi) / 2
            if x[mid] <= t { lo = mid } else { hi = mid }
        }
        let k = lo, hk = x[k + 1] - x[k]
        let secant = (y[k + 1] - y[k]) / hk
        let c2 = (3 * secant - 2 * slopes[k] - slopes[k + 1]) / hk
        let c3 = (slopes[k] + slopes[k + 1] - 2 * secant) / (hk * hk)
        let s = t - x[k]
        return ((c3 * s + c2) * s + slopes[k]) * s + y[k]
    }
}
