import Models
import Tensor
import TensorTraining

extension VQGANNetwork {
    /// Registers every encoder and decoder weight in `params` with PyTorch-style initialisation
    /// (convs: Kaiming uniform a = sqrt 5, biases uniform 1/sqrt(fan-in); norms: 1 and 0).
    public func registerParameters(in params: ParameterSet, rng: inout RNG) {
        let (e, d) = traced()
        ShapeBackend.register(e.weights + d.weights, in: params, rng: &rng)
    }
}
