import Models
import Tensor
import TensorTraining

extension ContextPriorNetwork {
    /// Registers every weight in `params`: embeddings N(0, 1/levels), convs Kaiming-uniform as
    /// the tokenizer's, the head's weights scaled down so the first logits are nearly uniform.
    public func registerParameters(in params: ParameterSet, rng: inout RNG) {
        let scale = 1 / Float(config.levels).squareRoot()
        for spec in embeddingSpecs {
            var t = Tensor(shape: spec.shape, repeating: 0)
            for i in 0..<t.count { t.storage[i] = Float(rng.normal()) * scale }
            params.add(spec.name, t)
        }
        let s = ShapeBackend()
        _ = trunk([1, config.hidden, 4, 4], s)
        for w in s.weights {
            switch w.role {
            case .convWeight:
                let v = params.add(w.name, shape: w.shape, .kaimingUniform(a: Float(5).squareRoot()), rng: &rng)
                if w.name.hasPrefix("prior.head") { for i in 0..<v.value.count { v.value.storage[i] *= 0.1 } }
            case .convBias: params.add(w.name, Tensor(shape: w.shape, repeating: 0))
            case .normWeight: params.add(w.name, Tensor(shape: w.shape, repeating: 1))
            case .normBias: params.add(w.name, Tensor(shape: w.shape, repeating: 0))
            }
        }
    }
}
