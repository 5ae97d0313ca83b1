import Foundation

/// The architecture of a VQGAN tokenizer with a residual vector quantizer: everything needed to
/// rebuild the network and read its weights. Stored as JSON in the shipped `.safetensors`.
public struct VQConfig: Codable, Equatable, Sendable {
    /// Channel width per stage, finest first. Stage 0 runs at 1/2 resolution (the image is
    /// space-to-depth folded by 2 first), each later stage halves again, so f = 2^stages.
    public var channels: [Int]
    /// Residual blocks per encoder stage.
    public var encoderBlocks: Int
    /// Residual blocks per decoder stage.
    public var decoderBlocks: Int
    /// GroupNorm groups (capped at the channel count).
    public var groups: Int
    /// Code (latent) dimension D.
    public var codeDim: Int
    /// Codewords per RVQ level, K.
    public var codebookSize: Int
    /// RVQ levels, L.
    public var levels: Int

    public init(channels: [Int], encoderBlocks: Int = 1, decoderBlocks: Int = 1, groups: Int = 8,
                codeDim: Int = 16, codebookSize: Int = 256, levels: Int = 8) {
        self.channels = channels; self.encoderBlocks = encoderBlocks; self.decoderBlocks = decoderBlocks
        self.groups = groups; self.codeDim = codeDim; self.codebookSize = codebookSize; self.levels = levels
    }

    /// The default tokenizer for downsampling factor `f` (8 or 16).
    public static func standard(f: Int, codeDim: Int = 16, codebookSize: Int = 256, levels: Int = 8) -> VQConfig {
        precondition(f == 8 || f == 16, "f must be 8 or 16")
        let channels = f == 8 ? [32, 64, 128] : [32, 64, 128, 128]
        return VQConfig(channels: channels, encoderBlocks: 1, decoderBlocks: 1, groups: 8,
                        codeDim: codeDim, codebookSize: codebookSize, levels: levels)
    }

    /// Downsampling factor between the image and the latent grid.
    public var factor: Int { 1 << channels.count }

    /// Checks the ranges the codec supports.
    public func validate() throws {
        func bad(_ r: String) -> VQConfigError { VQConfigError(reason: r) }
        guard factor == 8 || factor == 16 else { throw bad("downsampling factor \(factor) (need 8 or 16: 3 or 4 stages)") }
        guard channels.allSatisfy({ $0 > 0 && $0 % min(groups, $0) == 0 }) else { throw bad("channels \(channels) not divisible by \(groups) groups") }
        guard (1...64).contains(codeDim) else { throw bad("code dim \(codeDim)") }
        guard (2...65536).contains(codebookSize) else { throw bad("codebook size \(codebookSize)") }
        guard (1...8).contains(levels) else { throw bad("levels \(levels) (1...8)") }
        guard encoderBlocks >= 0, decoderBlocks >= 0 else { throw bad("negative block count") }
    }

    /// JSON text of the configuration (sorted keys, stable).
    public var json: String {
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys]
        return String(decoding: try! enc.encode(self), as: UTF8.self)
    }

    /// Parses `json`.
    public static func parse(json: String) throws -> VQConfig {
        let c = try JSONDecoder().decode(VQConfig.self, from: Data(json.utf8))
        try c.validate()
        return c
    }
}

/// An invalid tokenizer configuration.
public struct VQConfigError: Error, CustomStringConvertible {
    public var reason: String
    public var description: String { "invalid VQ configuration: \(reason)" }
}
