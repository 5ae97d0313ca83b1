import Bitstream
import Codec
import Tensor

/// A P-frame model with its encoder side: the analysis that turns a frame and its reference into
/// the symbols of spec/inter.md §3 (free to use any arithmetic: what it produces is transmitted).
public protocol InterEncodingModel: InterModel {
    /// The symbols of `frame` [1, 3, H', W'] against `reference` at rate index `rate`, with the
    /// scales of the MV and frame latent residuals, which must be the decode path's
    /// (`mvParameters(zm:)`, `frameParameters(z:context:)` on the symbols' own decoded values).
    func analyze(frame: Tensor, reference: Tensor, rate: Int) -> (symbols: InterFrameSymbols, mvScale: Tensor, frameScale: Tensor)
}

/// Codes P-frames into frame units: analysis, then the four substreams of spec/inter.md §3.
public struct InterStreamEncoder {
    public let model: InterEncodingModel
    /// Index of the rate point in `model.lambdas`.
    public let rate: Int

    public init(model: InterEncodingModel, ratePoint: Int) throws {
        guard let rate = model.lambdas.firstIndex(of: ratePoint) else {
            throw CodecError(file: model.weightRef.name, "--lambda \(ratePoint) is not a rate point of inter model \(model.modelName) (\(model.lambdas.map(String.init).joined(separator: ", ")))")
        }
        self.model = model
        self.rate = rate
    }

    /// Frame unit `index` (a P-frame) for `frame` [1, 3, H', W'] (padded to multiples of 64)
    /// predicted from `reference`.
    public func encode(_ frame: Tensor, reference: Tensor, index: Int) -> FrameUnit {
        let a = model.analyze(frame: frame, reference: reference, rate: rate)
        let s = a.symbols, t = model.tables
        typealias S = InterStreamSyntax.Substream
        let substreams = [
            Substream(name: S.mvHyper.rawValue, bytes: InterSymbolCoder.encodeHyper(s.zm, tables: t.mvHyper)),
            Substream(name: S.mvLatent.rawValue, bytes: InterSymbolCoder.encodeLatent(s.qm, scale: a.mvScale, tables: t.latent)),
            Substream(name: S.frameHyper.rawValue, bytes: InterSymbolCoder.encodeHyper(s.z, tables: t.frameHyper)),
            Substream(name: S.frameLatent.rawValue, bytes: InterSymbolCoder.encodeLatent(s.qy, scale: a.frameScale, tables: t.latent)),
        ]
        return FrameUnit(type: .inter, index: index, substreams: substreams)
    }
}
