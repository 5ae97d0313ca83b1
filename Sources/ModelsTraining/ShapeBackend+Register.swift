import Models
import Tensor
import TensorTraining

extension ShapeBackend {
    /// Registers traced weights in `params` with PyTorch-style initialisation (convs: Kaiming
    /// uniform a = sqrt 5, biases uniform 1/sqrt(fan-in); norms and gains: 1; norm biases: 0).
    public static func register(_ weights: [(name: String, shape: [Int], role: Role)], in params: ParameterSet,
                                rng: inout RNG) {
        for w in weights {
            switch w.role {
            case .convWeight: params.add(w.name, shape: w.shape, .kaimingUniform(a: Float(5).squareRoot()), rng: &rng)
            case .convBias:
                let weightShape = weights.first { $0.name == w.name.dropLast(4) + "weight" }!.shape
                let bound = 1 / Float(Initializer.fans(weightShape).fanIn).squareRoot()
                params.add(w.name, shape: w.shape, .uniform(bound: bound), rng: &rng)
            case .normWeight: params.add(w.name, Tensor(shape: w.shape, repeating: 1))
            case .normBias: params.add(w.name, Tensor(shape: w.shape, repeating: 0))
            }
        }
    }
}
