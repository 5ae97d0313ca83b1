import Models
import Tensor
import TensorTraining

extension VQTokenizer {
    /// Image [N, 3, H, W] in [0, 1] (H, W multiples of f) -> indices per level (N·h·w each).
    public func encode(_ image: Tensor, levels: Int? = nil) -> [[Int]] {
        quantizer.encode(rows: latentRows(image), levels: levels).indices
    }

    /// The encoder's l2-normalised latent of image [N, 3, H, W] as the rows [N·h·w, D] the
    /// quantizer works on (raster order per image).
    public func latentRows(_ image: Tensor) -> Tensor {
        guard let weights = encoderWeights else { preconditionFailure("this tokenizer has no encoder weights") }
        let p = ParameterSet()
        for (name, w) in weights.sorted(by: { $0.key < $1.key }) { p.add(name, w) }
        let z = Ops.l2NormalizeChannels(network.encode(Variable(image), TrainingBackend(params: p)))
        return LatentLayout.rows(z.value)
    }
}
