import Models
import Tensor
import TensorTraining

extension VQTokenizer {
    /// Image [N, 3, H, W] in [0, 1] (H, W multiples of f) -> indices per level (N·h·w each).
    public func encode(_ image: Tensor, levels: Int? = nil) -> [[Int]] {
        guard let weights = encoderWeights else { preconditionFailure("this tokenizer has no encoder weights") }
        let p = ParameterSet()
        for (name, w) in weights.sorted(by: { $0.key < $1.key }) { p.add(name, w) }
        let z = Ops.l2NormalizeChannels(network.encode(Variable(image), TrainingBackend(params: p)))
        return quantizer.encode(rows: LatentLayout.rows(z.value), levels: levels).indices
    }
}
