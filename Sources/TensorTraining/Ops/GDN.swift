import Tensor
/// Generalised divisive normalisation (Ballé): y_i = x_i / sqrt(beta_i + sum_j gamma_ij x_j²),
/// and its inverse y_i = x_i * sqrt(...). gamma [C, C] and beta [C] are used as given (models keep
/// them positive by reparametrisation). The sum over j is a 1x1 convolution of x².
extension TrainingKernels {
    /// Forward; returns y and the denominator term n = beta + gamma·x².
    public static func gdn(_ x: Tensor, gamma: Tensor, beta: Tensor, inverse: Bool) -> (Tensor, Tensor) {
        let c = x.shape[1]
        let u = map(x) { $0 * $0 }
        let n = conv2d(u, weight: gamma.reshaped([c, c, 1, 1]), bias: beta)
        let y = inverse ? map2(x, n) { $0 * $1.squareRoot() } : map2(x, n) { $0 / $1.squareRoot() }
        return (y, n)
    }

    /// Gradients of `gdn` with respect to x, gamma and beta.
    public static func gdnBackward(_ g: Tensor, x: Tensor, gamma: Tensor, norm n: Tensor, inverse: Bool)
        -> (Tensor, Tensor, Tensor) {
        let c = x.shape[1]
        // dL/dn = g * x * d(r)/dn with r = n^-1/2 (GDN) or n^1/2 (IGDN).
        let dn = inverse ? map3(g, x, n) { g, x, n in g * x * 0.5 / n.squareRoot() }
                         : map3(g, x, n) { g, x, n in -0.5 * g * x / (n * n.squareRoot()) }
        let u = map(x) { $0 * $0 }
        let (du, dGamma, dBeta) = conv2dBackward(dn, input: u, weight: gamma.reshaped([c, c, 1, 1]))
        let dx = inverse ? map3(g, n, x) { g, n, _ in g * n.squareRoot() } : map3(g, n, x) { g, n, _ in g / n.squareRoot() }
        let total = map3(dx, du!, x) { d, du, x in d + 2 * x * du }
        return (total, dGamma!.reshaped([c, c]), dBeta!)
    }
}

extension Ops {
    /// GDN (`inverse: false`) or IGDN (`inverse: true`) over x [N, C, H, W].
    public static func gdn(_ x: Variable, gamma: Variable, beta: Variable, inverse: Bool = false) -> Variable {
        let xv = x.value, gv = gamma.value
        let (y, n) = TrainingKernels.gdn(xv, gamma: gv, beta: beta.value, inverse: inverse)
        return Variable(op: y, parents: [x, gamma, beta]) { g in
            let (dx, dg, db) = TrainingKernels.gdnBackward(g, x: xv, gamma: gv, norm: n, inverse: inverse)
            x.accumulate(dx); gamma.accumulate(dg); beta.accumulate(db)
        }
    }
}
