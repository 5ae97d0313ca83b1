import Bitstream
import Models
import Tensor

/// The residual (DVC baseline) P-frame model of `Models` (`ResidualInterDecoder`) as the codec's
/// inter model (spec/inter-residual.md). The codec's stages map onto it as: the "context" is the
/// motion-compensated prediction x̄; the frame parameters come from the residual hyperprior alone
/// (the context is not read); the reconstruction is x̄ plus the decoded residual.
public final class DVCInterModel: InterModel {
    public let decoder: ResidualInterDecoder
    public let modelName: String
    public let weightRef: WeightRef
    public let tables: InterTables

    /// Loads `file` (written by `dcvc-train inter --mode residual --export`); the model is known
    /// to streams as `name`.
    public init(file: WeightFile, name: String, threads: Int) throws {
        do {
            let st = try SafeTensorsFile.parse(file.bytes, path: file.path)
            decoder = try ResidualInterDecoder(file: st, path: file.path, threads: threads)
            let c = decoder.config
            tables = try InterTables(file: st, channels: InterChannels(c),
                                     path: file.path, frameHyper: InterTables.residualHyperName)
        } catch let e as CodecError {
            throw e
        } catch {
            throw CodecError(file: file.path, "inter model \(name): \(error)")
        }
        modelName = name
        weightRef = file.ref
    }

    public var lambdas: [Int] { decoder.config.lambdas }

    public var channels: InterChannels { InterChannels(decoder.config) }

    public func mvParameters(zm: Tensor) -> (mean: Tensor, scale: Tensor) { decoder.mvParameters(zm: zm) }

    /// The prediction x̄ [1, 3, H, W].
    public func context(reference: Tensor, mHat: Tensor, rate: Int) -> Tensor {
        decoder.prediction(reference: reference, flow: decoder.flow(mHat: mHat, rate: rate))
    }

    /// The residual hyperprior's mean and scale; `context` (x̄) is not read.
    public func frameParameters(z: Tensor, context: Tensor) -> (mean: Tensor, scale: Tensor) { decoder.residualParameters(z: z) }

    /// x̄ + r̂, not clamped.
    public func reconstruct(yHat: Tensor, context: Tensor, rate: Int) -> Tensor {
        decoder.reconstruct(yHat: yHat, prediction: context, rate: rate)
    }
}
