import Models
import Tensor
import TensorTraining

extension VQGANNetwork {
    /// Registers every encoder and decoder weight in `params` with PyTorch-style initialisation
    /// (convs: Kaiming uniform a = sqrt 5, biases uniform 1/sqrt(fan-in); norms: 1 and 0).
    public func registerParameters(in params: ParameterSet, rng: inout RNG) {
        let (e, d) = traced()
        for w in e.weights + d.weights {
            switch w.role {
            case .convWeight: params.add(w.name, shape: w.shape, .kaimingUniform(a: Float(5).squareRoot()), rng: &rng)
            case .convBias:
                let weightShape = (e.weights + d.weights).first { $0.name == w.name.dropLast(4) + "weight" }!.shape
                let bound = 1 / Float(Initializer.fans(weightShape).fanIn).squareRoot()
                params.add(w.name, shape: w.shape, .uniform(bound: bound), rng: &rng)
            case .normWeight: params.add(w.name, Tensor(shape: w.shape, repeating: 1))
            case .normBias: params.add(w.name, Tensor(shape: w.shape, repeating: 0))
            }
        }
    }
}
