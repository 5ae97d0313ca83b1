import Tensor
/// Parameter initialisation schemes (drawn from a checkpointable `RNG`).
public enum Initializer: Sendable {
    /// Every element equal to the value.
    case constant(Float)
    /// Kaiming/He uniform with leaky-ReLU slope `a`: bound = sqrt(6 / ((1 + a²) fanIn)).
    /// PyTorch's default for conv/linear weights is `a = sqrt(5)`.
    case kaimingUniform(a: Float)
    /// Xavier/Glorot uniform: bound = gain * sqrt(6 / (fanIn + fanOut)).
    case xavierUniform(gain: Float)
    /// Uniform in [-bound, bound].
    case uniform(bound: Float)
    /// Normal with the given standard deviation.
    case normal(std: Float)

    /// Fan-in and fan-out of a weight shape: [out, in, k...] (linear and conv layouts).
    public static func fans(_ shape: [Int]) -> (fanIn: Int, fanOut: Int) {
        if shape.count < 2 { return (shape.first ?? 1, shape.first ?? 1) }
        let receptive = shape.dropFirst(2).reduce(1, *)
        return (shape[1] * receptive, shape[0] * receptive)
    }

    /// A tensor of `shape` initialised by this scheme.
    public func make(shape: [Int], rng: inout RNG) -> Tensor {
        let (fanIn, fanOut) = Initializer.fans(shape)
        switch self {
        case .constant(let v): return Tensor(shape: shape, repeating: v)
        case .kaimingUniform(let a):
            let bound = (6 / ((1 + a * a) * Float(max(1, fanIn)))).squareRoot()
            return rng.uniformTensor(shape, -bound, bound)
        case .xavierUniform(let gain):
            let bound = gain * (6 / Float(max(1, fanIn + fanOut))).squareRoot()
            return rng.uniformTensor(shape, -bound, bound)
        case .uniform(let bound): return rng.uniformTensor(shape, -bound, bound)
        case .normal(let std): return rng.normalTensor(shape, std: std)
        }
    }
}
