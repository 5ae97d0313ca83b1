import Foundation

/// Shape of the transformer index prior (the "VQGAN + Transformer" baseline).
///
/// One level `l` of a frame's RVQ indices is modelled in raster order. The input at position
/// `(y, x)` is the sum of rows of one embedding table (`embeddingRows`): the level's row, one row
/// per lower level `m < l` for `idx_m(y, x)` (known: lower levels are coded first), and per-level
/// rows for the left neighbour `idx_l(y, x-1)` and the one above `idx_l(y-1, x)` (a start row where
/// there is none). Then `layers` pre-norm blocks: causal multi-head self-attention over a fixed
/// 2-D neighbourhood of already-coded positions (`offsets`) with a learned bias per head and offset,
/// and a ReLU MLP; a final LayerNorm and a linear map to `codebookSize` logits.
public struct IndexTransformerConfig: Codable, Equatable, Sendable {
    public var levels: Int
    public var codebookSize: Int
    public var dModel: Int
    public var layers: Int
    public var heads: Int
    public var mlpRatio: Int
    /// Rows above the current one the attention sees.
    public var rowsAbove: Int
    /// Columns either side (and to the left on the current row) the attention sees.
    public var columns: Int

    public init(levels: Int = 8, codebookSize: Int = 256, dModel: Int = 64, layers: Int = 2, heads: Int = 4,
                mlpRatio: Int = 4, rowsAbove: Int = 3, columns: Int = 4) {
        self.levels = levels; self.codebookSize = codebookSize; self.dModel = dModel; self.layers = layers
        self.heads = heads; self.mlpRatio = mlpRatio; self.rowsAbove = rowsAbove; self.columns = columns
    }

    /// Metadata key of the JSON configuration in weight files.
    public static let metadataKey = "index_transformer_config"

    public var json: String {
        let e = JSONEncoder()
        e.outputFormatting = .sortedKeys
        return String(decoding: try! e.encode(self), as: UTF8.self)
    }

    public static func parse(json: String) throws -> IndexTransformerConfig {
        try JSONDecoder().decode(IndexTransformerConfig.self, from: Data(json.utf8))
    }

    /// Throws unless every size is usable.
    public func validate() throws {
        func bad(_ why: String) -> Error { IndexTransformerConfigError(reason: why) }
        guard levels >= 1, codebookSize >= 2, layers >= 1, heads >= 1, mlpRatio >= 1 else { throw bad("sizes must be positive") }
        guard dModel >= heads, dModel % heads == 0 else { throw bad("dModel \(dModel) is not a multiple of heads \(heads)") }
        guard rowsAbove >= 0, columns >= 0 else { throw bad("negative neighbourhood") }
    }

    public var headDim: Int { dModel / heads }
    public var hidden: Int { dModel * mlpRatio }

    /// Attention offsets `(dy, dx)` (the key is at `(y - dy, x + dx)`), in the fixed order every
    /// sum over keys follows: the position itself, then left on the current row (nearest first),
    /// then each row above (nearest row first) from left to right.
    public var offsets: [(dy: Int, dx: Int)] {
        var o: [(Int, Int)] = [(0, 0)]
        if columns > 0 { for dx in 1...columns { o.append((0, -dx)) } }
        if rowsAbove > 0 { for dy in 1...rowsAbove { for dx in -columns...columns { o.append((dy, dx)) } } }
        return o
    }

    // Embedding table layout: [levels rows][lower: (levels - 1) x K][left: levels x (K + 1)][above: levels x (K + 1)].
    public func levelRow(_ l: Int) -> Int { l }
    public func lowerRow(level m: Int, index: Int) -> Int { levels + m * codebookSize + index }
    /// `index == codebookSize` is the start row (no left neighbour).
    public func leftRow(level l: Int, index: Int) -> Int { levels + (levels - 1) * codebookSize + l * (codebookSize + 1) + index }
    /// `index == codebookSize` is the start row (no row above).
    public func aboveRow(level l: Int, index: Int) -> Int { leftRow(level: levels, index: 0) + l * (codebookSize + 1) + index }
    public var embeddingRows: Int { aboveRow(level: levels, index: 0) }
    /// Rows summed per position: level, lower levels, left, above (unused slots are -1).
    public var slots: Int { levels + 2 }

    /// The embedding rows of position `(y, x)` of level `level`, in summation order, into `out`
    /// (`slots` entries, -1 for unused). `plane(m, i)` returns `idx_m` at raster index `i`; only
    /// levels `< level` at `i` and level `level` at earlier positions are read.
    @inline(__always)
    public func rows(level: Int, x: Int, y: Int, width: Int, into out: UnsafeMutablePointer<Int32>,
                     plane: (Int, Int) -> Int32) {
        let i = y * width + x
        out[0] = Int32(levelRow(level))
        for m in 0..<(levels - 1) { out[1 + m] = m < level ? Int32(lowerRow(level: m, index: Int(plane(m, i)))) : -1 }
        out[levels] = Int32(leftRow(level: level, index: x > 0 ? Int(plane(level, i - 1)) : codebookSize))
        out[levels + 1] = Int32(aboveRow(level: level, index: y > 0 ? Int(plane(level, i - width)) : codebookSize))
    }
}

/// A configuration the prior cannot be built with.
public struct IndexTransformerConfigError: Error, CustomStringConvertible {
    public var reason: String
    public var description: String { "index transformer config: \(reason)" }
}
