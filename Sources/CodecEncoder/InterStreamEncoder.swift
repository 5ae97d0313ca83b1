import Bitstream
import Codec
import Tensor

/// A P-frame model with its encoder side: the analysis that turns a frame and its reference into
/// the symbols of spec/inter.md §3 (free to use any arithmetic: what it produces is transmitted).
public protocol InterEncodingModel: InterModel {
    /// The symbols of `frame` [1, 3, H', W'] against `reference` at rate index `rate` (the frame
    /// latents') and `mvRate` (the MV latents'), with the
    /// scales of the MV and frame latent residuals, which must be the decode path's
    /// (`mvParameters(zm:)`, `frameParameters(z:context:)` on the symbols' own decoded values).
    func analyze(frame: Tensor, reference: Tensor, rate: Int, mvRate: Int) -> (symbols: InterFrameSymbols, mvScale: Tensor, frameScale: Tensor)
}

/// Codes P-frames into frame units: analysis, then the four substreams of spec/inter.md §3.
public struct InterStreamEncoder {
    public let model: InterEncodingModel
    /// Index of the rate point in `model.lambdas`.
    public let rate: Int
    /// Index of the MV rate point in `model.lambdas`.
    public let mvRate: Int

    /// P-frames at `ratePoint`, their motion vectors at `mvRatePoint` (by default the same).
    public init(model: InterEncodingModel, ratePoint: Int, mvRatePoint: Int? = nil) throws {
        func index(_ option: String, _ lambda: Int) throws -> Int {
            guard let i = model.lambdas.firstIndex(of: lambda) else {
                throw CodecError(file: model.weightRef.name, "\(option) \(lambda) is not a rate point of inter model \(model.modelName) (\(model.lambdas.map(String.init).joined(separator: ", ")))")
            }
            return i
        }
        self.model = model
        rate = try index("--lambda", ratePoint)
        mvRate = try index("--mv-lambda", mvRatePoint ?? ratePoint)
    }

    /// Frame unit `index` (a P-frame) for `frame` [1, 3, H', W'] (padded to multiples of 64)
    /// predicted from `reference`.
    public func encode(_ frame: Tensor, reference: Tensor, index: Int) -> FrameUnit {
        let a = model.analyze(frame: frame, reference: reference, rate: rate, mvRate: mvRate)
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
