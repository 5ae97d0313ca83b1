import Foundation
import Tensor

/// A trained tokenizer as the codec uses it: the encoder weights (run by `ModelsTraining`), the RVQ
/// codebooks and the decoder on deterministic kernels.
public struct VQTokenizer {
    public let config: VQConfig
    public let network: VQGANNetwork
    /// Encoder weights by name (absent in a decoder-only file); `ModelsTraining` runs them.
    public let encoderWeights: [String: Tensor]?
    /// Decoder weights by name.
    public let decoderWeights: [String: Tensor]
    public let quantizer: ResidualQuantizer
    /// Per-level decoder input gains, as shipped (never recomputed on the decoder).
    public let gains: [Float]

    /// Metadata key of the architecture JSON in a weights file.
    public static let configKey = "vq_config"

    public init(config: VQConfig, encoderWeights: [String: Tensor]?, decoderWeights: [String: Tensor], quantizer: ResidualQuantizer,
                gains: [Float]) {
        self.config = config; network = VQGANNetwork(config: config); self.gains = gains
        self.encoderWeights = encoderWeights; self.decoderWeights = decoderWeights; self.quantizer = quantizer
    }

    /// Reads a shipped weights file (config from `__metadata__`, all tensors validated by shape).
    public init(file: SafeTensorsFile, path: String) throws {
        guard let json = file.metadata[VQTokenizer.configKey] else {
            throw SafeTensorsError.malformed(path: path, reason: "no \(VQTokenizer.configKey) in __metadata__")
        }
        let config = try VQConfig.parse(json: json)
        let net = VQGANNetwork(config: config)
        let (encSpecs, decSpecs) = net.weightSpecs()
        let cbSpecs = (0..<config.levels).map { TensorSpec(ResidualQuantizer.codebookName($0), .f32, [config.codebookSize, config.codeDim]) }
        let gainSpec = TensorSpec(ResidualQuantizer.gainsName, .f32, [config.levels])
        let hasEncoder = encSpecs.allSatisfy { file.tensors[$0.name] != nil }
        try file.validate(decSpecs + cbSpecs + [gainSpec] + (hasEncoder ? encSpecs : []), path: path, allowExtra: false)
        var enc: [String: Tensor]? = nil
        if hasEncoder {
            enc = [:]
            for s in encSpecs { enc?[s.name] = file.tensors[s.name]!.tensor() }
        }
        var dec: [String: Tensor] = [:]
        for s in decSpecs { dec[s.name] = file.tensors[s.name]!.tensor() }
        let q = ResidualQuantizer(codebooks: cbSpecs.map { file.tensors[$0.name]!.tensor() })
        self.init(config: config, encoderWeights: enc, decoderWeights: dec, quantizer: q,
                  gains: file.tensors[gainSpec.name]!.tensor().storage)
    }

    /// Loads a weights file from disk.
    public init(path: String) throws {
        try self.init(file: try SafeTensorsFile.read(from: path), path: path)
    }

    /// Indices of the first `levels` levels for `n` images of latent size h x w -> RGB [n, 3, h f, w f],
    /// bit-exact for any thread count.
    public func decode(indices: [[Int]], levels: Int, n: Int, height h: Int, width w: Int, threads: Int) -> Tensor {
        let z = quantizer.decoderInput(indices: Array(indices.prefix(levels)), prefix: Array(repeating: levels, count: n),
                                       gains: gains, height: h, width: w)
        return network.decode(z, DeterministicBackend(weights: decoderWeights, threads: threads))
    }
}
