import Bitstream
import Entropy
import Tensor

/// Decodes one P-frame unit against the reference (spec/inter.md §4): the four substreams are
/// entropy-decoded in order, each with the parameters the deterministic stages computed from what
/// was decoded before it.
public struct InterFrameDecoder {
    public let model: InterModel
    /// Index of the stream's rate point in `model.lambdas` (the frame latents' gain rows).
    public let rate: Int
    /// Index of the stream's MV rate point in `model.lambdas` (the MV latents' gain rows).
    public let mvRate: Int
    /// The padded frame size (multiples of 64).
    public let paddedWidth: Int, paddedHeight: Int
    let file: String

    /// A decoder for `width x height` frames at `ratePoint` with motion vectors at `mvRatePoint`
    /// (by default the same), each of which must be one of the model's.
    public init(model: InterModel, ratePoint: Int, mvRatePoint: Int? = nil, width: Int, height: Int, file: String) throws {
        func index(_ key: String, _ lambda: Int) throws -> Int {
            guard let i = model.lambdas.firstIndex(of: lambda) else {
                throw CodecError(file: file, "\(key) \(lambda) is not one of inter model \(model.modelName)'s (\(model.lambdas.map(String.init).joined(separator: ", ")))")
            }
            return i
        }
        self.model = model
        rate = try index(InterStreamSyntax.ratePointKey, ratePoint)
        mvRate = try index(InterStreamSyntax.mvRatePointKey, mvRatePoint ?? ratePoint)
        self.file = file
        paddedWidth = FramePadding.roundUp(width, to: InterStreamSyntax.multiple)
        paddedHeight = FramePadding.roundUp(height, to: InterStreamSyntax.multiple)
    }

    /// Shape of a symbol tensor with `channels` channels at 1/`factor` of the padded frame.
    func shape(_ channels: Int, _ factor: Int) -> [Int] { [1, channels, paddedHeight / factor, paddedWidth / factor] }

    /// The reconstruction [1, 3, H', W'] of `unit` (checked by `StreamParameters.check`), clamped
    /// to [0, 1]; `reference` is the previous frame's reference (`ReferenceFrame`).
    public func decode(_ unit: FrameUnit, reference: Tensor) throws -> Tensor {
        typealias S = InterStreamSyntax.Substream
        func bytes(_ s: S) throws -> [UInt8] {
            guard let b = unit.substream(named: s.rawValue) else {
                throw CodecError(file: file, frame: unit.index, "substream \(s.rawValue) is missing")
            }
            return b
        }
        func entropy<T>(_ s: S, _ body: ([UInt8]) throws -> T) throws -> T {
            let b = try bytes(s)
            do { return try body(b) } catch let e as EntropyError {
                throw CodecError(file: file, frame: unit.index, "substream \(s.rawValue): \(e)")
            }
        }
        let c = model.channels, t = model.tables
        let zm = try entropy(.mvHyper) { try InterSymbolCoder.decodeHyper($0, shape: shape(c.mvHyper, 64), tables: t.mvHyper) }
        let mv = model.mvParameters(zm: zm)
        let qm = try entropy(.mvLatent) { try InterSymbolCoder.decodeLatent($0, scale: mv.scale, tables: t.latent) }
        let context = model.context(reference: reference, mHat: Self.dequantized(qm, mean: mv.mean), mvRate: mvRate)
        let z = try entropy(.frameHyper) { try InterSymbolCoder.decodeHyper($0, shape: shape(c.hyper, 64), tables: t.frameHyper) }
        let fr = model.frameParameters(z: z, context: context)
        let qy = try entropy(.frameLatent) { try InterSymbolCoder.decodeLatent($0, scale: fr.scale, tables: t.latent) }
        return ReferenceFrame.clamped(model.reconstruct(yHat: Self.dequantized(qy, mean: fr.mean), context: context, rate: rate))
    }

    /// `q + mean`, one binary32 addition per element.
    public static func dequantized(_ q: Tensor, mean: Tensor) -> Tensor {
        precondition(q.shape == mean.shape, "symbols \(q.shape), means \(mean.shape)")
        var out = q
        for i in 0..<out.count { out.storage[i] = q.storage[i] + mean.storage[i] }
        return out
    }
}
