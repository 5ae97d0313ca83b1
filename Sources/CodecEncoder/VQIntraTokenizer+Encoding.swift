import Codec
import Models
import ModelsTraining
import Tensor

/// The VQGAN encoder and greedy RVQ (training kernels) as the codec's analysis transform.
extension VQIntraTokenizer: IntraEncodingTokenizer {
    public func encode(_ image: Tensor, levels: Int, threads: Int) throws -> IndexPlanes {
        let h = image.shape[2] / downsampling, w = image.shape[3] / downsampling
        let planes = model.encode(image, levels: levels).map { $0.map(Int32.init) }
        return IndexPlanes(width: w, height: h, planes: planes)
    }
}
