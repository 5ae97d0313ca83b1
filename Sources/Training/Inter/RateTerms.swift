import Foundation
import Tensor
import TensorTraining

/// The rate terms of P-frame training: bits of a value under a discretized zero-mean Gaussian
/// (the codec's scale tables discretize the same density), with the likelihood floored.
public enum RateTerms {
    /// Smallest scale (the first level of the codec's scale tables).
    public static let minScale: Float = 0.11
    /// Smallest likelihood per element (bounds the bits at about 30).
    public static let likelihoodFloor = 1e-9

    /// Elementwise bits -log2(Phi((v + 1/2)/s) - Phi((v - 1/2)/s)) with s = max(scale, minScale),
    /// computed as Phi((1/2 - |v|)/s) - Phi((-1/2 - |v|)/s) for accuracy in the tails. `scale` has
    /// the shape of `v`. Gradients: exact in v and s; the floored likelihood passes its slope
    /// through, the floored scale gets none.
    public static func gaussianBits(_ v: Variable, scale: Variable) -> Variable {
        precondition(v.shape == scale.shape, "gaussianBits \(v.shape) vs \(scale.shape)")
        let n = v.value.count
        var bits = [Float](repeating: 0, count: n)
        var dv = [Float](repeating: 0, count: n), ds = [Float](repeating: 0, count: n)
        let ln2 = Foundation.log(2.0), invSqrt2 = 1 / 2.0.squareRoot(), invSqrt2Pi = 1 / (2 * Double.pi).squareRoot()
        for i in 0..<n {
            let x = Double(v.value.storage[i]), raw = Double(scale.value.storage[i])
            let s = max(raw, Double(minScale)), a = abs(x)
            let u = (0.5 - a) / s, l = (-0.5 - a) / s
            let p = 0.5 * erfc(-u * invSqrt2) - 0.5 * erfc(-l * invSqrt2)
            let pu = invSqrt2Pi * Foundation.exp(-0.5 * u * u), pl = invSqrt2Pi * Foundation.exp(-0.5 * l * l)
            let pf = max(p, likelihoodFloor)
            bits[i] = Float(-Foundation.log(pf) / ln2)
            let dbdp = -1 / (pf * ln2)
            let dpda = (pl - pu) / s
            dv[i] = Float(dbdp * dpda * (x < 0 ? -1 : 1))
            ds[i] = raw >= Double(minScale) ? Float(dbdp * (l * pl - u * pu) / s) : 0
        }
        let shape = v.shape
        return Variable.node(Tensor(shape: shape, storage: bits), parents: [v, scale]) { g in
            if v.requiresGrad { v.accumulate(Tensor(shape: shape, storage: (0..<n).map { g.storage[$0] * dv[$0] })) }
            if scale.requiresGrad { scale.accumulate(Tensor(shape: shape, storage: (0..<n).map { g.storage[$0] * ds[$0] })) }
        }
    }

    /// Total bits of hyper-latents `z` [N, C, h, w] under per-channel zero-mean Gaussians of scale
    /// exp(logScale[c]).
    public static func factorizedBits(_ z: Variable, logScale: Variable) -> Variable {
        let c = z.shape[1]
        precondition(logScale.shape == [c])
        let s = Ops.mul(Variable(Tensor(shape: z.shape, repeating: 1)), Ops.reshape(Ops.exp(logScale), [1, c, 1, 1]))
        return Ops.sum(gaussianBits(z, scale: s))
    }

    /// `x + U(-1/2, 1/2)` noise (the training relaxation of rounding for the rate).
    public static func noisy(_ x: Variable, rng: inout RNG) -> Variable {
        x + Variable(rng.uniformTensor(x.shape, -0.5, 0.5))
    }
}
