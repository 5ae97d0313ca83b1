import Foundation
import Models
import Tensor
import TensorTraining

/// Checkpoint files of a run directory: `ckpt-<step>.safetensors`, the newest `keep` kept.
public enum VQCheckpoints {
    /// Saves the trainer's whole state; `elapsed` (training seconds so far) goes in the metadata.
    public static func save(_ t: VQTrainer, runDir: String, elapsed: Double, keep: Int = 2) throws -> String {
        let path = RunCheckpoints.path(runDir: runDir, step: t.step)
        let opts = String(decoding: try JSONEncoder().encode(t.options), as: UTF8.self)
        try Checkpoint.save(to: path, params: t.params, optimizer: t.adam, step: t.step, rng: t.rng,
                            extra: [VQTokenizer.configKey: t.config.json, "train_options": opts,
                                    "elapsed_seconds": String(elapsed)])
        RunCheckpoints.prune(runDir, keep: keep)
        return path
    }

    /// The configuration and options a checkpoint was written with.
    public static func header(_ path: String) throws -> (VQConfig, VQTrainOptions, Double) {
        let f = try SafeTensorsFile.read(from: path)
        guard let c = f.metadata[VQTokenizer.configKey], let o = f.metadata["train_options"] else {
            throw SafeTensorsError.malformed(path: path, reason: "not a tokenizer checkpoint")
        }
        return (try VQConfig.parse(json: c), try JSONDecoder().decode(VQTrainOptions.self, from: Data(o.utf8)),
                Double(f.metadata["elapsed_seconds"] ?? "0") ?? 0)
    }

    /// Restores a trainer built with the same configuration; returns the elapsed seconds.
    @discardableResult
    public static func restore(_ t: VQTrainer, from path: String) throws -> Double {
        let s = try Checkpoint.load(from: path, params: t.params, optimizer: t.adam)
        t.step = s.step; t.rng = s.rng
        return Double(s.metadata["elapsed_seconds"] ?? "0") ?? 0
    }

    /// The shipped weights: encoder, decoder and codebooks, with the configuration as JSON in
    /// `__metadata__`.
    public static func exportWeights(_ t: VQTrainer, includeEncoder: Bool = true) -> SafeTensorsFile {
        let (enc, dec) = t.network.weightSpecs()
        var names = dec.map(\.name) + (0..<t.config.levels).map { ResidualQuantizer.codebookName($0) }
        if includeEncoder { names += enc.map(\.name) }
        var file = SafeTensorsFile()
        for n in names { file.tensors[n] = SafeTensor(t.params[n]!.value) }
        let gains = t.codebooks.quantizer.levelGains
        file.tensors[ResidualQuantizer.gainsName] = SafeTensor(Tensor(shape: [gains.count], storage: gains))
        file.metadata = [VQTokenizer.configKey: t.config.json, "trained_steps": String(t.step), "format": "dcvc-vq-1"]
        return file
    }
}
