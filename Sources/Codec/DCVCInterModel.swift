import Bitstream
import Models
import Tensor

/// The DCVC P-frame model of `Models` (`InterDecoder`, the deterministic decode path) as the
/// codec's inter model: weights and integer tables from one `.safetensors` file written by
/// `dcvc-train inter --export`, named in the stream by its SHA-256.
public final class DCVCInterModel: InterModel {
    public let decoder: InterDecoder
    public let modelName: String
    public let weightRef: WeightRef
    public let tables: InterTables

    /// Loads `file`; the model is known to streams as `name`.
    public init(file: WeightFile, name: String, threads: Int) throws {
        do {
            let st = try SafeTensorsFile.parse(file.bytes, path: file.path)
            decoder = try InterDecoder(file: st, path: file.path, threads: threads)
            let c = decoder.config
            tables = try InterTables(file: st, channels: InterChannels(c), path: file.path)
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

    public func context(reference: Tensor, mHat: Tensor, rate: Int) -> Tensor {
        decoder.context(reference: reference, flow: decoder.flow(mHat: mHat, rate: rate))
    }

    public func frameParameters(z: Tensor, context: Tensor) -> (mean: Tensor, scale: Tensor) {
        decoder.frameParameters(z: z, context: context)
    }

    public func reconstruct(yHat: Tensor, context: Tensor, rate: Int) -> Tensor {
        decoder.reconstruct(yHat: yHat, context: context, rate: rate)
    }
}
