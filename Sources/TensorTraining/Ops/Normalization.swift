import Tensor
/// GroupNorm (NC... tensors) and LayerNorm (last axis), forward and backward.
///
/// Both normalise rows of a [rows, len] view (a row is one (sample, group) or one token), then
/// apply a per-channel affine. Statistics are eight-lane float sums (the variance from a second
/// pass); rows run in parallel.
extension TrainingKernels {
    /// Per-row mean and 1/sqrt(var + eps) of x viewed as [rows, len].
    static func rowStats(_ x: UnsafePointer<Float>, rows: Int, len: Int, eps: Float) -> ([Float], [Float]) {
        var mean = [Float](repeating: 0, count: rows), rstd = [Float](repeating: 0, count: rows)
        mean.withUnsafeMutableBufferPointer { mp in rstd.withUnsafeMutableBufferPointer { rp in
            TrainingKernels.parallelFor(rows, grain: max(1, 16384 / max(1, len))) { r in
                for row in r {
                    // Two passes (mean, then squared deviations): no E[x²] - m² cancellation.
                    let p = x + row * len
                    let m = laneSum(p, len) / Float(len)
                    let v = laneSquaredDeviations(p, len, mean: m) / Float(len)
                    mp[row] = m
                    rp[row] = 1 / (v + eps).squareRoot()
                }
            }
        } }
        return (mean, rstd)
    }

    /// GroupNorm of x [N, C, ...] in `groups` groups with per-channel gamma/beta [C].
    /// Returns the output and the saved (mean, rstd) per (sample, group).
    public static func groupNorm(_ x: Tensor, groups: Int, gamma: Tensor?, beta: Tensor?, eps: Float = 1e-5)
        -> (Tensor, mean: [Float], rstd: [Float]) {
        let n = x.shape[0], c = x.shape[1], s = x.count / (n * c)
        precondition(c % groups == 0, "GroupNorm: \(c) channels in \(groups) groups")
        let cpg = c / groups, rows = n * groups, len = cpg * s
        let (mean, rstd) = x.withPointer { rowStats($0, rows: rows, len: len, eps: eps) }
        let y = x.withPointer { xp in
            Tensor.make(shape: x.shape) { out in
                let op = out.baseAddress!
                TrainingKernels.parallelFor(n * c, grain: max(1, 8192 / max(1, s))) { r in
                    for nc in r {
                        let ch = nc % c, row = (nc / c) * groups + ch / cpg
                        let a = rstd[row] * (gamma?.storage[ch] ?? 1)
                        let b = (beta?.storage[ch] ?? 0) - mean[row] * a
                        let src = xp + nc * s, dst = op + nc * s
                        for i in 0..<s { dst[i] = src[i] * a + b }
                    }
                }
            }
        }
        return (y, mean, rstd)
    }

    /// Gradients of `groupNorm` with respect to x, gamma and beta.
    public static func groupNormBackward(_ g: Tensor, x: Tensor, groups: Int, gamma: Tensor?, mean: [Float],
                                         rstd: [Float]) -> (Tensor, Tensor, Tensor) {
        let n = x.shape[0], c = x.shape[1], s = x.count / (n * c)
        let cpg = c / groups
        // Per (sample, channel): sum(g) and sum(g * xhat).
        var sumG = [Float](repeating: 0, count: n * c), sumGX = [Float](repeating: 0, count: n * c)
        var dx = Tensor.make(shape: x.shape) { _ in }
        g.withPointer { gp in x.withPointer { xp in dx.withMutablePointer { dp in
            sumG.withUnsafeMutableBufferPointer { sg in sumGX.withUnsafeMutableBufferPointer { sgx in
                TrainingKernels.parallelFor(n * groups, grain: 1) { r in
                    for row in r {
                        let ni = row / groups, gi = row % groups
                        let m = mean[row], rs = rstd[row]
                        var a: Double = 0, b: Double = 0 // sum(dxhat), sum(dxhat * xhat)
                        for cc in 0..<cpg {
                            let ch = gi * cpg + cc, nc = ni * c + ch
                            let gs = gp + nc * s, xs = xp + nc * s
                            var (s1, s2) = laneSumAndCenteredDot(gs, xs, s, mean: m)
                            s2 *= rs
                            sg[nc] = s1; sgx[nc] = s2
                            let gm = gamma?.storage[ch] ?? 1
                            a += Double(gm * s1); b += Double(gm * s2)
                        }
                        let len = Float(cpg * s)
                        let ma = Float(a) / len, mb = Float(b) / len
                        for cc in 0..<cpg {
                            let ch = gi * cpg + cc, nc = ni * c + ch
                            let gm = (gamma?.storage[ch] ?? 1) * rs
                            let gs = gp + nc * s, xs = xp + nc * s, ds = dp + nc * s
                            // dx = rstd * (gamma*g - mean(gamma*g) - xhat * mean(gamma*g*xhat))
                            for i in 0..<s {
                                let xhat = (xs[i] - m) * rs
                                ds[i] = gm * gs[i] - rs * (ma + xhat * mb)
                            }
                        }
                    }
                }
            } }
        } } }
        var dGamma = [Float](repeating: 0, count: c), dBeta = [Float](repeating: 0, count: c)
        for i in 0..<n * c { dGamma[i % c] += sumGX[i]; dBeta[i % c] += sumG[i] }
        return (dx, Tensor(shape: [c], storage: dGamma), Tensor(shape: [c], storage: dBeta))
    }

    /// LayerNorm over the last axis with gamma/beta of that length.
    public static func layerNorm(_ x: Tensor, gamma: Tensor?, beta: Tensor?, eps: Float = 1e-5)
        -> (Tensor, mean: [Float], rstd: [Float]) {
        let d = x.shape.last!, rows = x.count / d
        let (mean, rstd) = x.withPointer { rowStats($0, rows: rows, len: d, eps: eps) }
        let y = x.withPointer { xp in
            Tensor.make(shape: x.shape) { out in
                let op = out.baseAddress!
                TrainingKernels.parallelFor(rows, grain: max(1, 8192 / d)) { r in
                    for row in r {
                        let src = xp + row * d, dst = op + row * d, m = mean[row], rs = rstd[row]
                        for i in 0..<d { dst[i] = (src[i] - m) * rs * (gamma?.storage[i] ?? 1) + (beta?.storage[i] ?? 0) }
                    }
                }
            }
        }
        return (y, mean, rstd)
    }

    /// Gradients of `layerNorm` with respect to x, gamma and beta.
    public static func layerNormBackward(_ g: Tensor, x: Tensor, gamma: Tensor?, mean: [Float], rstd: [Float])
        -> (Tensor, Tensor, Tensor) {
        let d = x.shape.last!, rows = x.count / d
        var dx = Tensor.make(shape: x.shape) { _ in }
        var dGamma = [Float](repeating: 0, count: d), dBeta = [Float](repeating: 0, count: d)
        g.withPointer { gp in x.withPointer { xp in dx.withMutablePointer { dp in
            TrainingKernels.parallelFor(rows, grain: max(1, 8192 / d)) { r in
                for row in r {
                    let gs = gp + row * d, xs = xp + row * d, ds = dp + row * d, m = mean[row], rs = rstd[row]
                    var a: Float = 0, b: Float = 0
                    for i in 0..<d {
                        let dxh = gs[i] * (gamma?.storage[i] ?? 1)
                        a += dxh; b += dxh * (xs[i] - m) * rs
                    }
                    a /= Float(d); b /= Float(d)
                    for i in 0..<d {
                        let xh = (xs[i] - m) * rs
                        ds[i] = rs * (gs[i] * (gamma?.storage[i] ?? 1) - a - xh * b)
                    }
                }
            }
            for row in 0..<rows {
                for i in 0..<d {
                    let gv = gp[row * d + i]
                    dBeta[i] += gv
                    dGamma[i] += gv * (xp[row * d + i] - mean[row]) * rstd[row]
                }
            }
        } } }
        return (dx, Tensor(shape: [d], storage: dGamma), Tensor(shape: [d], storage: dBeta))
    }
}

extension Ops {
    /// GroupNorm over x [N, C, ...] with optional per-channel affine gamma/beta [C].
    public static func groupNorm(_ x: Variable, groups: Int, gamma: Variable?, beta: Variable?, eps: Float = 1e-5) -> Variable {
        let xv = x.value, gv = gamma?.value
        let (y, mean, rstd) = TrainingKernels.groupNorm(xv, groups: groups, gamma: gv, beta: beta?.value, eps: eps)
        return Variable(op: y, parents: [x] + [gamma, beta].compactMap { $0 }) { g in
            let (dx, dg, db) = TrainingKernels.groupNormBackward(g, x: xv, groups: groups, gamma: gv, mean: mean, rstd: rstd)
            x.accumulate(dx)
            gamma?.accumulate(dg)
            beta?.accumulate(db)
        }
    }

    /// LayerNorm over the last axis with optional affine gamma/beta.
    public static func layerNorm(_ x: Variable, gamma: Variable?, beta: Variable?, eps: Float = 1e-5) -> Variable {
        let xv = x.value, gv = gamma?.value
        let (y, mean, rstd) = TrainingKernels.layerNorm(xv, gamma: gv, beta: beta?.value, eps: eps)
        return Variable(op: y, parents: [x] + [gamma, beta].compactMap { $0 }) { g in
            let (dx, dg, db) = TrainingKernels.layerNormBackward(g, x: xv, gamma: gv, mean: mean, rstd: rstd)
            x.accumulate(dx)
            gamma?.accumulate(dg)
            beta?.accumulate(db)
        }
    }
}
