// The integer RGB -> YCbCr coefficients of the output conversion (spec/colour.md, section 3).

/// Integer RGB -> YCbCr coefficients with 16 fractional bits, derived exactly from (Kr, Kb).
///
/// Derived with integer arithmetic only, so every machine gets the same table:
/// `roundDiv(n, d) = (2n + d) / (2d)` (round half up, n >= 0, d > 0), and with the range's
/// scales sY = 219/255 or 1, sC = 224/255 or 1:
/// - `yR = roundDiv(2^16 sY Kr)`, `yB = roundDiv(2^16 sY Kb)`, `yG = roundDiv(2^16 sY) - yR - yB`
/// - `cbB = crR = roundDiv(2^16 sC / 2)`
/// - `cbR = -roundDiv(2^16 sC Kr / (2 (1 - Kb)))`, `cbG = -cbB - cbR`
/// - `crB = -roundDiv(2^16 sC Kb / (2 (1 - Kr)))`, `crG = -crR - crB`
/// The luma row sums to the exact white level and each chroma row sums to zero, so grey
/// inputs give exactly neutral chroma.
public struct FixedPointMatrix: Equatable, Sendable {
    /// Fractional bits of every coefficient.
    public static let shift = 16

    public let yR: Int, yG: Int, yB: Int
    public let cbR: Int, cbG: Int, cbB: Int
    public let crR: Int, crG: Int, crB: Int
    /// 16 (limited) or 0 (full): added to Y after the matrix, in 8-bit units.
    public let yOffset: Int
    /// Always 128: added to Cb and Cr, in 8-bit units.
    public let chromaOffset: Int = 128

    /// The table for a matrix and range; nil when either is `.unspecified`.
    public init?(matrix: ColorMatrix, range: ColorRange) {
        guard let (kr, kb) = matrix.krKb10000, range != .unspecified else { return nil }
        let one = 1 << FixedPointMatrix.shift
        // (numerator, denominator) of the luma and chroma scales.
        let (syN, syD) = range == .limited ? (219, 255) : (1, 1)
        let (scN, scD) = range == .limited ? (224, 255) : (1, 1)
        func roundDiv(_ n: Int, _ d: Int) -> Int { (2 * n + d) / (2 * d) }

        yR = roundDiv(one * syN * kr, syD * 10000)
        yB = roundDiv(one * syN * kb, syD * 10000)
        yG = roundDiv(one * syN, syD) - yR - yB
        cbB = roundDiv(one * scN, 2 * scD)
        cbR = -roundDiv(one * scN * kr, scD * 2 * (10000 - kb))
        cbG = -cbB - cbR
        crR = cbB
        crB = -roundDiv(one * scN * kb, scD * 2 * (10000 - kr))
        crG = -crR - crB
        yOffset = range == .limited ? 16 : 0
    }
}
