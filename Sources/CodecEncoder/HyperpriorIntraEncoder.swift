import Bitstream
import Codec
import Models
import ModelsTraining
import Tensor

/// The hyperprior intra model with its encoder side (`HyperpriorEncoder`: the analysis transforms
/// on the training kernels; the prior on the decode path of the wrapped `HyperpriorIntraModel`),
/// coding one padded image into the two substreams of spec/hyperprior.md §3.
public final class HyperpriorIntraEncoder {
    public let model: HyperpriorIntraModel
    public let encoder: HyperpriorEncoder

    /// `file` must be the weight file `model` was loaded from (it also holds the encoder weights).
    public init(model: HyperpriorIntraModel, file: WeightFile, threads: Int) throws {
        do {
            encoder = try HyperpriorEncoder(config: model.config, weights: try file.floatTensors(), threads: threads)
        } catch {
            throw CodecError(file: file.path, "intra model \(model.modelName) has no encoder weights: \(error)")
        }
        guard encoder.decoder.weights == model.decoder.weights else {
            throw CodecError(file: file.path, "intra model \(model.modelName): decode-path weights differ from the encoder's")
        }
        self.model = model
    }

    public var modelName: String { model.modelName }

    /// Index of rate point `lambda` in the model's lambdas, or an error naming them.
    public func rate(lambda: Int) throws -> Int {
        guard let r = model.lambdas.firstIndex(of: lambda) else {
            throw CodecError(file: model.weightRef.name, "--lambda \(lambda) is not a rate point of intra model \(model.modelName) (\(model.lambdas.map(String.init).joined(separator: ", ")))")
        }
        return r
    }

    /// The substreams of `image` [1, 3, H', W'] (sides multiples of 64) at rate index `rate`, in
    /// decoding order.
    public func substreams(_ image: Tensor, rate: Int) -> [Substream] {
        let a = encoder.analyze(image: image, rate: rate), t = model.tables
        typealias S = HyperpriorStreamSyntax.Substream
        return [
            Substream(name: S.hyper.rawValue, bytes: InterSymbolCoder.encodeHyper(a.z, tables: t.hyper)),
            Substream(name: S.latent.rawValue, bytes: InterSymbolCoder.encodeLatent(a.qy, scale: a.scale, tables: t.latent)),
        ]
    }
}
