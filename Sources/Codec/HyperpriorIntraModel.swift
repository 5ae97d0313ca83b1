import Bitstream
import Models
import Tensor

/// The mean-scale hyperprior intra codec of `Models` (`HyperpriorDecoder`, the deterministic
/// decode path) as the codec's I-frame model: weights and integer tables from one `.safetensors`
/// file written by `dcvc-train hyperprior --export`, named in the stream by its SHA-256.
public final class HyperpriorIntraModel {
    public let decoder: HyperpriorDecoder
    /// The registry name (`intra_model`).
    public let modelName: String
    public let weightRef: WeightRef
    public let tables: HyperpriorIntraTables

    /// Loads `file`; the model is known to streams as `name`.
    public init(file: WeightFile, name: String, threads: Int) throws {
        do {
            let st = try SafeTensorsFile.parse(file.bytes, path: file.path)
            decoder = try HyperpriorDecoder(file: st, path: file.path, threads: threads)
            tables = try HyperpriorIntraTables(file: st, hyperChannels: decoder.config.hyper, path: file.path)
        } catch let e as CodecError {
            throw e
        } catch {
            throw CodecError(file: file.path, "intra model \(name): \(error)")
        }
        modelName = name
        weightRef = file.ref
    }

    public var config: HyperpriorConfig { decoder.config }
    /// The rate points the model was trained for; a stream's `intra_rate_point` must be one of them.
    public var lambdas: [Int] { decoder.config.lambdas }
}
