// Filling in unspecified colour metadata for a conversion.

extension ColorInfo {
    /// The matrix and range to use for conversion, with unspecified values filled in by the
    /// documented rule (spec/colour.md, "Unspecified metadata"):
    /// - matrix: BT.709 when `width >= 1280` or `height > 576` (HD), otherwise BT.601 (SD);
    /// - range: limited.
    /// The result says which values were guessed so callers can report it.
    public func resolved(width: Int, height: Int) -> ResolvedColor {
        var matrix = self.matrix
        var range = self.range
        let matrixGuessed = matrix == .unspecified
        let rangeGuessed = range == .unspecified
        if matrixGuessed { matrix = (width >= 1280 || height > 576) ? .bt709 : .bt601 }
        if rangeGuessed { range = .limited }
        return ResolvedColor(matrix: matrix, range: range,
                             matrixWasGuessed: matrixGuessed, rangeWasGuessed: rangeGuessed)
    }
}

/// A matrix and range that are never `.unspecified`, and whether each was guessed.
public struct ResolvedColor: Equatable, Hashable, Sendable, CustomStringConvertible {
    public let matrix: ColorMatrix
    public let range: ColorRange
    public let matrixWasGuessed: Bool
    public let rangeWasGuessed: Bool

    /// A stated (not guessed) matrix and range, e.g. to override a frame's metadata.
    /// - Precondition: neither is `.unspecified`.
    public init(matrix: ColorMatrix, range: ColorRange, matrixWasGuessed: Bool = false, rangeWasGuessed: Bool = false) {
        precondition(matrix != .unspecified && range != .unspecified, "a resolved colour needs a concrete matrix and range")
        self.matrix = matrix
        self.range = range
        self.matrixWasGuessed = matrixWasGuessed
        self.rangeWasGuessed = rangeWasGuessed
    }

    public var description: String {
        "\(matrix.rawValue)\(matrixWasGuessed ? " (guessed)" : "")/\(range.rawValue)\(rangeWasGuessed ? " (guessed)" : "")"
    }
}
