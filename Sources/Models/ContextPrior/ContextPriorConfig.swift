import Foundation

/// The architecture of the context index prior (spec/intra.md §3.1): everything needed to rebuild
/// the network and read its weights. Stored as JSON in the shipped `.safetensors`.
public struct ContextPriorConfig: Codable, Equatable, Sendable {
    /// RVQ levels modelled (the tokenizer's L).
    public var levels: Int
    /// Codes per level (the tokenizer's K).
    public var codebookSize: Int
    /// Hidden width C.
    public var hidden: Int
    /// Residual 3x3 conv blocks after the embedding sum.
    public var blocks: Int
    /// Passes of level 0: 1 (raster-free, no same-level context), 2 (checkerboard) or 4 (2x2
    /// interleave).
    public var passes: Int
    /// Passes of levels 1 and up (same choices). Measured on the f = 8 tokenizer, same-level
    /// neighbours tell almost nothing about a residual level's index once the lower levels are
    /// known (level 2 and up: under 0.1 bit), so one pass there costs little and saves 3/4 of the
    /// prior's work.
    public var upperPasses: Int
    /// Whether the previous I-frame's index of the same level and position is also a context
    /// (index mode 3, spec/intra.md §3, §3.1). Such a prior codes frames without a previous one too.
    public var temporal: Bool

    public init(levels: Int = 8, codebookSize: Int = 256, hidden: Int = 64, blocks: Int = 1, passes: Int = 4,
                upperPasses: Int = 1, temporal: Bool = false) {
        self.levels = levels; self.codebookSize = codebookSize; self.hidden = hidden
        self.blocks = blocks; self.passes = passes; self.upperPasses = upperPasses; self.temporal = temporal
    }

    /// Passes of level `level`.
    @inlinable
    public func passCount(level: Int) -> Int { level == 0 ? passes : upperPasses }

    /// Rows of the pass-bias table: the most passes any level has.
    public var passTableRows: Int { max(passes, upperPasses) }

    /// Checks the ranges the codec supports.
    public func validate() throws {
        func bad(_ r: String) -> ContextPriorConfigError { ContextPriorConfigError(reason: r) }
        guard (1...8).contains(levels) else { throw bad("levels \(levels) (1...8)") }
        guard (2...65536).contains(codebookSize) else { throw bad("codebook size \(codebookSize)") }
        guard (1...1024).contains(hidden) else { throw bad("hidden width \(hidden)") }
        guard (0...16).contains(blocks) else { throw bad("blocks \(blocks)") }
        guard [1, 2, 4].contains(passes), [1, 2, 4].contains(upperPasses) else {
            throw bad("passes \(passes)/\(upperPasses) (1, 2 or 4)")
        }
    }

    /// The pass in which position (x, y) of level `level` is coded. Four passes: (0,0) even-even
    /// first, then odd-odd, then (odd x, even y), then (even x, odd y); two passes: the
    /// checkerboard, x + y even first; one pass: every position at once.
    @inlinable
    public func pass(x: Int, y: Int, level: Int) -> Int {
        let n = passCount(level: level)
        if n == 1 { return 0 }
        if n == 2 { return (x + y) & 1 }
        switch (x & 1, y & 1) {
        case (0, 0): return 0
        case (1, 1): return 1
        case (1, 0): return 2
        default: return 3
        }
    }

    private enum CodingKeys: String, CodingKey { case levels, codebookSize, hidden, blocks, passes, upperPasses, temporal }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        levels = try c.decode(Int.self, forKey: .levels)
        codebookSize = try c.decode(Int.self, forKey: .codebookSize)
        hidden = try c.decode(Int.self, forKey: .hidden)
        blocks = try c.decode(Int.self, forKey: .blocks)
        passes = try c.decode(Int.self, forKey: .passes)
        upperPasses = try c.decodeIfPresent(Int.self, forKey: .upperPasses) ?? passes
        temporal = try c.decodeIfPresent(Bool.self, forKey: .temporal) ?? false
    }

    /// `temporal` is written only when true, so a spatial prior's JSON (and its weight file) is
    /// what it was before the option existed.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(levels, forKey: .levels)
        try c.encode(codebookSize, forKey: .codebookSize)
        try c.encode(hidden, forKey: .hidden)
        try c.encode(blocks, forKey: .blocks)
        try c.encode(passes, forKey: .passes)
        try c.encode(upperPasses, forKey: .upperPasses)
        if temporal { try c.encode(temporal, forKey: .temporal) }
    }

    /// JSON text of the configuration (sorted keys, stable).
    public var json: String {
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys]
        return String(decoding: try! enc.encode(self), as: UTF8.self)
    }

    /// Parses and validates `json`.
    public static func parse(json: String) throws -> ContextPriorConfig {
        let c = try JSONDecoder().decode(ContextPriorConfig.self, from: Data(json.utf8))
        try c.validate()
        return c
    }

    /// Metadata key of the configuration JSON in a weights file.
    public static let metadataKey = "context_prior_config"
}

/// An invalid context prior configuration.
public struct ContextPriorConfigError: Error, CustomStringConvertible {
    public var reason: String
    public var description: String { "invalid context prior configuration: \(reason)" }
}
