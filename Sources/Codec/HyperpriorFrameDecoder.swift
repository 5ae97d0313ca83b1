import Bitstream
import Entropy
import Models
import Tensor

/// Decodes one hyperprior I-frame unit (spec/hyperprior.md §4): the hyper-latents under the
/// per-channel tables, the latent residuals under the scale levels the prior computes from them,
/// then the synthesis. The symbol coder and tables are the P-frame path's (`InterSymbolCoder`).
public struct HyperpriorFrameDecoder {
    public let model: HyperpriorIntraModel
    /// Index of the stream's rate point in `model.lambdas`.
    public let rate: Int
    /// The padded frame size (multiples of 64).
    public let paddedWidth: Int, paddedHeight: Int
    let file: String

    /// A decoder for `width x height` frames at `ratePoint`, which must be one of the model's.
    public init(model: HyperpriorIntraModel, ratePoint: Int, width: Int, height: Int, file: String) throws {
        guard let rate = model.lambdas.firstIndex(of: ratePoint) else {
            throw CodecError(file: file, "intra_rate_point \(ratePoint) is not one of intra model \(model.modelName)'s (\(model.lambdas.map(String.init).joined(separator: ", ")))")
        }
        self.model = model
        self.rate = rate
        self.file = file
        paddedWidth = FramePadding.roundUp(width, to: HyperpriorStreamSyntax.multiple)
        paddedHeight = FramePadding.roundUp(height, to: HyperpriorStreamSyntax.multiple)
    }

    /// Shape of the hyper-latents [1, hyper, H'/64, W'/64].
    public var hyperShape: [Int] { [1, model.config.hyper, paddedHeight / 64, paddedWidth / 64] }

    /// The reconstruction [1, 3, H', W'] of `unit`, clamped to [0, 1]. A missing, truncated or
    /// corrupt substream is a `CodecError` naming the frame and the substream.
    public func decode(_ unit: FrameUnit) throws -> Tensor {
        let s = try symbols(of: unit), d = model.decoder
        return HyperpriorDecoder.clamped(d.reconstruct(yHat: d.dequantize(s.qy, mean: s.mean), rate: rate))
    }

    /// Steps 1-3 of spec/hyperprior.md §4: the decoded hyper-latents ẑ, latent residuals q_y and
    /// the latents' means (everything before the synthesis).
    public func symbols(of unit: FrameUnit) throws -> (z: Tensor, qy: Tensor, mean: Tensor) {
        typealias S = HyperpriorStreamSyntax.Substream
        func entropy<T>(_ s: S, _ body: ([UInt8]) throws -> T) throws -> T {
            guard let b = unit.substream(named: s.rawValue) else {
                throw CodecError(file: file, frame: unit.index, "substream \(s.rawValue) is missing")
            }
            do { return try body(b) } catch let e as EntropyError {
                throw CodecError(file: file, frame: unit.index, "substream \(s.rawValue): \(e)")
            }
        }
        let d = model.decoder, t = model.tables
        let z = try entropy(.hyper) { try InterSymbolCoder.decodeHyper($0, shape: hyperShape, tables: t.hyper) }
        let p = d.parameters(z: z)
        let qy = try entropy(.latent) { try InterSymbolCoder.decodeLatent($0, scale: p.scale, tables: t.latent) }
        return (z, qy, p.mean)
    }
}
