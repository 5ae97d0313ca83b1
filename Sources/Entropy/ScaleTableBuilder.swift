#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Training-time construction of scale tables and factorized tables. Float math and libm are
/// allowed here because the results are stored as integers and never rebuilt at decode time.
extension ScaleTableSet {
    /// The shape of the continuous density that each level discretizes.
    public enum Shape: String {
        /// Laplace with scale b (density `exp(-|x|/b) / 2b`).
        case laplace
        /// Gaussian with standard deviation sigma.
        case gaussian
    }

    /// Builds `levels` tables with scales log-spaced from `minScale` to `maxScale`.
    ///
    /// Level `j` holds the value `r` with mass `CDF(r + 1/2) - CDF(r - 1/2)` for `|r| <= T_j`,
    /// where `T_j` is the smallest width whose two tails beyond `T_j + 1/2` hold at most
    /// `tailMass` (capped at `maxHalfWidth`); the escape gets the tails. Thresholds are the
    /// geometric means of neighbouring scales, rounded to Float.
    public static func build(shape: Shape, levels: Int = 64, minScale: Double = 0.11, maxScale: Double = 256,
                             bits: Int = 16, tailMass: Double = 1.0 / 65536, maxHalfWidth: Int = 4096) -> ScaleTableSet {
        precondition(levels >= 1 && minScale > 0 && maxScale >= minScale)
        let step = levels > 1 ? log(maxScale / minScale) / Double(levels - 1) : 0
        let scales = (0..<levels).map { minScale * exp(step * Double($0)) }
        let thresholds = (0..<max(0, levels - 1)).map { Float((scales[$0] * scales[$0 + 1]).squareRoot()) }
        let tables = scales.map { s -> BoundedTable in
            let cdf: (Double) -> Double
            switch shape {
            case .laplace: cdf = { x in x < 0 ? 0.5 * exp(x / s) : 1 - 0.5 * exp(-x / s) }
            case .gaussian: cdf = { x in 0.5 * erfc(-x / (s * 2.0.squareRoot())) }
            }
            var t = 0
            while t < maxHalfWidth && 2 * cdf(-Double(t) - 0.5) > tailMass { t += 1 }
            let probs = (-t...t).map { r in cdf(Double(r) + 0.5) - cdf(Double(r) - 0.5) }
            return BoundedTable(minValue: Int32(-t), probabilities: probs, bits: bits)
        }
        return try! ScaleTableSet(thresholds: thresholds, scales: scales.map { Float($0) }, tables: tables)
    }
}

extension BoundedTable {
    /// Training-time builder for a factorized (per-channel) density: `cdf` is the learned
    /// cumulative distribution; values `minValue...maxValue` get `cdf(v + 1/2) - cdf(v - 1/2)`
    /// and the escape gets the rest.
    public init(minValue: Int32, maxValue: Int32, bits: Int = 16, cdf: (Double) -> Double) {
        precondition(maxValue >= minValue)
        let probs = (Int64(minValue)...Int64(maxValue)).map { v in
            max(0, cdf(Double(v) + 0.5) - cdf(Double(v) - 0.5))
        }
        self.init(minValue: minValue, probabilities: probs, bits: bits)
    }
}
