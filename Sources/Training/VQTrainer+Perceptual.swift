import Foundation
import Models
import Tensor
import TensorTraining

/// A tokenizer run that cannot start, naming the file and the reason.
public struct VQTrainingError: Error, CustomStringConvertible, Equatable {
    public let path: String, reason: String
    public init(path: String, _ reason: String) { self.path = path; self.reason = reason }
    public var description: String { "\(path): \(reason)" }
}

extension VQTrainer {
    /// Attaches LPIPS-Alex from the weights file at `path` when `perceptualWeight` > 0 (a no-op
    /// otherwise). `dcvc-train vq` passes data/lpips/alex-lpips-v0.1.safetensors.
    ///
    /// - Throws: `VQTrainingError` when the file is missing (`make lpips` writes it), or the
    ///   `SafeTensorsError` of a malformed file.
    public func loadPerceptualLoss(path: String) throws {
        guard options.lpipsWeight > 0 else { return }
        guard FileManager.default.fileExists(atPath: path) else {
            throw VQTrainingError(path: path, "perceptualWeight \(options.lpipsWeight) needs the LPIPS weights: run `make lpips`")
        }
        perceptual = try LPIPSAlex(path: path)
    }

    /// Starts from a shipped tokenizer (`export-vq` output with the encoder, e.g.
    /// weights/vqgan-f8.safetensors) instead of random weights and k-means: encoder, decoder and
    /// codebooks are copied, and the EMA statistics restart as if every code had been used
    /// uniformly (count = batch rows / codebook size, sum = codeword · count, last use = now), so
    /// the first EMA updates keep the codebooks where they are. Call before the first step.
    ///
    /// The run may be deeper than the file (more encoder or decoder blocks per stage, all else
    /// equal): each added residual block starts as the identity (its second conv zeroed, so
    /// x + conv2(...) = x) and the network computes exactly what the file's does until training
    /// moves it.
    ///
    /// - Throws: `VQTrainingError` when the file's configuration differs from this trainer's in
    ///   anything but added blocks, or it has no encoder; a `SafeTensorsError` when it is malformed.
    public func initialize(from file: SafeTensorsFile, path: String) throws {
        let tok = try VQTokenizer(file: file, path: path)
        var deepened = tok.config
        deepened.encoderBlocks = config.encoderBlocks; deepened.decoderBlocks = config.decoderBlocks
        guard deepened == config, config.encoderBlocks >= tok.config.encoderBlocks,
              config.decoderBlocks >= tok.config.decoderBlocks else {
            throw VQTrainingError(path: path, "configuration \(tok.config.json) differs from the run's \(config.json) "
                                  + "(only added blocks are allowed)")
        }
        guard let encoder = tok.encoderWeights else {
            throw VQTrainingError(path: path, "a decoder-only file: fine-tuning needs the encoder weights too")
        }
        let loaded = encoder.merging(tok.decoderWeights, uniquingKeysWith: { a, _ in a })
        for (name, t) in loaded {
            guard let p = params[name] else { throw VQTrainingError(path: path, "unexpected weight \(name)") }
            p.value = t
        }
        // VQTokenizer checked the file holds every weight of its configuration, so the network
        // weights it lacks are the added blocks'; a zero second conv makes each one the identity.
        for p in params.parameters where loaded[p.name] == nil
            && (p.name.hasSuffix(".conv2.weight") || p.name.hasSuffix(".conv2.bias")) {
            p.value = Tensor(shape: p.value.shape, repeating: 0)
        }
        let latentSide = options.crop / config.factor
        let count = Float(options.batch * latentSide * latentSide) / Float(config.codebookSize)
        codebooks.restart(from: tok.quantizer.codebooks, count: max(count, 1), step: step)
    }
}
