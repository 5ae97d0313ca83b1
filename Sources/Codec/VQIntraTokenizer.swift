import Bitstream
import Checksum
import Foundation
import Models
import Tensor

/// The VQGAN/RVQ tokenizer of `Models` as the codec's I-frame model: weights from one
/// `.safetensors` file, named in the stream by its SHA-256.
public final class VQIntraTokenizer: IntraTokenizer {
    public let model: VQTokenizer
    public let modelName: String
    public let weightRefs: [WeightRef]

    /// Loads `path`; the model is known to streams as `name` (e.g. `vqgan-f8`).
    public init(path: String, name: String) throws {
        guard let bytes = FileManager.default.contents(atPath: path) else {
            throw CodecError(file: path, "cannot read weight file")
        }
        model = try VQTokenizer(file: try SafeTensorsFile.parse(Array(bytes), path: path), path: path)
        modelName = name
        weightRefs = [WeightRef(name: (path as NSString).lastPathComponent, sha256: SHA256.hash(bytes))]
    }

    public var downsampling: Int { model.config.factor }
    public var maxLevels: Int { model.config.levels }
    public var codebookSize: Int { model.config.codebookSize }

    public func encode(_ image: Tensor, levels: Int, threads: Int) throws -> IndexPlanes {
        let h = image.shape[2] / downsampling, w = image.shape[3] / downsampling
        let planes = model.encode(image, levels: levels).map { $0.map(Int32.init) }
        return IndexPlanes(width: w, height: h, planes: planes)
    }

    public func decode(_ indices: IndexPlanes, threads: Int) throws -> Tensor {
        model.decode(indices: indices.planes.map { $0.map(Int.init) }, levels: indices.levels, n: 1,
                     height: indices.height, width: indices.width, threads: threads)
    }
}
