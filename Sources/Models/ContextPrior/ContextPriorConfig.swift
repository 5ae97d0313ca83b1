import Foundation

/// The architecture of the context index prior (spec/intra.md §4): everything needed to rebuild
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
    /// Passes per level: 2 (checkerboard) or 4 (2x2 interleave).
    public var passes: Int

    public init(levels: Int = 8, codebookSize: Int = 256, hidden: Int = 64, blocks: Int = 1, passes: Int = 4) {
        self.levels = levels; self.codebookSize = codebookSize; self.hidden = hidden
        self.blocks = blocks; self.passes = passes
    }

    /// Checks the ranges the codec supports.
    public func validate() throws {
        func bad(_ r: String) -> ContextPriorConfigError { ContextPriorConfigError(reason: r) }
        guard (1...8).contains(levels) else { throw bad("levels \(levels) (1...8)") }
        guard (2...65536).contains(codebookSize) else { throw bad("codebook size \(codebookSize)") }
        guard (1...1024).contains(hidden) else { throw bad("hidden width \(hidden)") }
        guard (0...16).contains(blocks) else { throw bad("blocks \(blocks)") }
        guard passes == 2 || passes == 4 else { throw bad("passes \(passes) (2 or 4)") }
    }

    /// The pass in which position (x, y) of a level is coded. Four passes: (0,0) even-even first,
    /// then odd-odd, then (odd x, even y), then (even x, odd y); two passes: the checkerboard,
    /// x + y even first.
    @inlinable
    public func pass(x: Int, y: Int) -> Int {
        if passes == 2 { return (x + y) & 1 }
        switch (x & 1, y & 1) {
        case (0, 0): return 0
        case (1, 1): return 1
        case (1, 0): return 2
        default: return 3
        }
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
