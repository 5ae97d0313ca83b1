import Models
import Models
import Tensor
import TensorTraining

extension IndexTransformerDecoder {
    /// The decoder for `network`'s current weights.
    public convenience init(network: IndexTransformer) {
        var w: [String: Tensor] = [:]
        for p in network.params.parameters { w[p.name] = p.value }
        self.init(config: network.config, weights: w)
    }
}
