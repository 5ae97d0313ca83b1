import Bitstream
import Foundation
import Models
import Tensor

/// The VQGAN/RVQ tokenizer of `Models` as the codec's I-frame model: weights from one
/// `.safetensors` file, named in the stream by its SHA-256.
public final class VQIntraTokenizer: IntraTokenizer {
    public let model: VQTokenizer
    public let modelName: String
    public let weightRefs: [WeightRef]

    /// Loads `file`; the model is known to streams as `name` (e.g. `vqgan-f8`).
    public init(file: WeightFile, name: String) throws {
        model = try VQTokenizer(file: try SafeTensorsFile.parse(file.bytes, path: file.path), path: file.path)
        modelName = name
        weightRefs = [file.ref]
    }

    /// Loads the weight file at `path`.
    public convenience init(path: String, name: String) throws {
        try self.init(file: try WeightFile(path: path), name: name)
    }

    public var downsampling: Int { model.config.factor }
    public var maxLevels: Int { model.config.levels }
    public var codebookSize: Int { model.config.codebookSize }

    public func decode(_ indices: IndexPlanes, threads: Int) throws -> Tensor {
        model.decode(indices: indices.planes.map { $0.map(Int.init) }, levels: indices.levels, n: 1,
                     height: indices.height, width: indices.width, threads: threads)
    }
}
