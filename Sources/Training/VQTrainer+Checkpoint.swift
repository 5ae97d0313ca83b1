import Foundation
import Models
import Tensor
import TensorTraining

extension VQTrainOptions: StepOptions {}

/// A tokenizer run's checkpoints are `RunCheckpoints` (configuration under `vq_config`).
extension VQTrainer: CheckpointedTrainer {
    public static var configKey: String { VQTokenizer.configKey }
    public static func restoring(configJSON: String, options: VQTrainOptions) throws -> Self {
        try Self(config: try VQConfig.parse(json: configJSON), options: options)
    }
    public var configJSON: String { config.json }
    /// The generator's parameters (with the codebook state), then the discriminator's if any.
    public var trainedParameters: ParameterSet { discriminator == nil ? params : params.merged(with: discParams) }
    /// The generator's Adam under "", the discriminator's under "disc".
    public var optimizers: [String: Adam] { discriminator == nil ? ["": adam] : ["": adam, "disc": discAdam] }

    /// The shipped weights: encoder, decoder and codebooks, with the configuration as JSON in
    /// `__metadata__`.
    public func exportWeights(includeEncoder: Bool = true) -> SafeTensorsFile {
        let (enc, dec) = network.weightSpecs()
        var names = dec.map(\.name) + (0..<config.levels).map { ResidualQuantizer.codebookName($0) }
        if includeEncoder { names += enc.map(\.name) }
        var file = SafeTensorsFile()
        for n in names { file.tensors[n] = SafeTensor(params[n]!.value) }
        let gains = codebooks.quantizer.levelGains
        file.tensors[ResidualQuantizer.gainsName] = SafeTensor(Tensor(shape: [gains.count], storage: gains))
        file.metadata = [VQTokenizer.configKey: config.json, "trained_steps": String(step), "format": "dcvc-vq-1"]
        return file
    }
}
