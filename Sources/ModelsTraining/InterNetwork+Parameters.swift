import Models
import Tensor
import TensorTraining

extension InterNetwork {
    /// Registers every weight (convs Kaiming uniform, gains 1, factorized log-scales 0).
    public func registerParameters(in params: ParameterSet, rng: inout RNG) {
        ShapeBackend.register(tracedWeights(), in: params, rng: &rng)
        for s in factorizedSpecs { params.add(s.name, Tensor(shape: s.shape, repeating: 0)) }
    }
}
