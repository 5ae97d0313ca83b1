import Bitstream
import Models
import Tensor

/// A learned P-frame model of `Models` as the codec's inter model: the deterministic decode path
/// of the coding mode its weight file's configuration names (`InterDecodePath`) and the integer
/// tables, from one `.safetensors` file written by `dcvc-train inter [--mode residual] --export`,
/// named in the stream by its SHA-256. Conditional (`inter-dcvc`, spec/inter.md): the stages are
/// `InterDecoder`'s. Residual (`inter-dvc`, spec/inter-residual.md): the codec's "context" is the
/// prediction x̄, the frame parameters come from the residual hyperprior alone and the
/// reconstruction is x̄ plus the decoded residual.
public final class LearnedInterModel: InterModel {
    public let decoder: any InterDecodePath
    public let modelName: String
    public let weightRef: WeightRef
    public let tables: InterTables

    /// Loads `file`, which must hold a model of coding mode `mode`; the model is known to streams
    /// as `name`.
    public init(file: WeightFile, name: String, mode: InterMode, threads: Int) throws {
        do {
            let st = try SafeTensorsFile.parse(file.bytes, path: file.path)
            let config = try InterConfig.stored(in: st, path: file.path)
            guard config.codingMode == mode else {
                throw CodecError(file: file.path, "inter model \(name) is a \(mode.rawValue) model, the weights are \(config.codingMode.rawValue)")
            }
            decoder = try mode.decodePath.init(config: config, weights: InterNetwork(config: config).decoderWeights(in: st),
                                               threads: threads)
            tables = try InterTables(file: st, config: config, path: file.path)
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

    public func context(reference: Tensor, mHat: Tensor, mvRate: Int) -> Tensor {
        decoder.context(reference: reference, flow: decoder.flow(mHat: mHat, rate: mvRate))
    }

    public func frameParameters(z: Tensor, context: Tensor) -> (mean: Tensor, scale: Tensor) {
        decoder.frameParameters(z: z, context: context)
    }

    public func reconstruct(yHat: Tensor, context: Tensor, rate: Int) -> Tensor {
        decoder.reconstruct(yHat: yHat, context: context, rate: rate)
    }
}
