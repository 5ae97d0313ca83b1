import Tensor
/// Normalisations. Their reductions (means, variances, sums of squares) run in one fixed order,
/// stated per function; only the elementwise parts use SIMD, across independent outputs.
extension DeterministicKernels {
    /// Generalised divisive normalisation (Ballé), as CompressAI's `GDN` with effective
    /// (already reparametrised) `gamma` [c, c] and `beta` [c]:
    /// `norm_i = (sum over j ascending of gamma[i][j] * (x_j * x_j)) + beta_i`, then
    /// `y_i = x_i / sqrt(norm_i)`, or `x_i * sqrt(norm_i)` when `inverse`.
    public static func gdn(_ x: Tensor, gamma: Tensor, beta: Tensor, inverse: Bool = false,
                           threads: Int = defaultThreadCount, variant: KernelVariant = .simd) -> Tensor {
        let c = x.shape[1]
        precondition(x.rank == 4 && gamma.shape == [c, c] && beta.count == c, "gdn: x \(x.shape), gamma \(gamma.shape)")
        let squared = mul(x, x, threads: threads, variant: variant)
        let norm = conv2d(squared, weight: gamma.reshaped([c, c, 1, 1]), bias: beta, threads: threads, variant: variant)
        if inverse {
            return zip(x, norm, threads: threads, variant: variant,
                       scalar: { $0 * $1.squareRoot() }, vector: { $0 * $1.squareRoot() })
        }
        return zip(x, norm, threads: threads, variant: variant,
                   scalar: { $0 / $1.squareRoot() }, vector: { $0 / $1.squareRoot() })
    }

    /// Group normalisation of NCHW `x` as PyTorch's `group_norm`, per (n, group):
    /// mean and biased variance in Double, summing elements in memory order
    /// (`mean = sum x / count`, `var = sum (x - mean)^2 / count`), `rstd = 1 / sqrt(var + eps)`
    /// in Double; then in Float `y = ((x - Float(mean)) * Float(rstd)) * weight[c] + bias[c]`.
    public static func groupNorm(_ x: Tensor, groups: Int, weight: Tensor? = nil, bias: Tensor? = nil,
                                 eps: Float = 1e-5, threads: Int = defaultThreadCount,
                                 variant: KernelVariant = .simd) -> Tensor {
        precondition(x.rank >= 2 && x.shape[1] % groups == 0, "groupNorm \(x.shape) in \(groups) groups")
        let n = x.shape[0], c = x.shape[1], plane = x.shape[2...].reduce(1, *)
        let cpg = c / groups
        var stats = [(mean: Float, rstd: Float)](repeating: (0, 0), count: n * groups)
        x.storage.withUnsafeBufferPointer { xs in
            stats.withUnsafeMutableBufferPointer { st in
                forEachTile(n * groups, threads: threads) { r in
                    for i in r {
                        st[i] = meanRstd(xs.baseAddress! + i * cpg * plane, count: cpg * plane, eps: eps)
                    }
                }
            }
        }
        return affinePerPlane(x, planes: n * c, plane: plane, threads: threads, variant: variant) { nc in
            let s = stats[(nc / c) * groups + (nc % c) / cpg]
            return (s.mean, s.rstd, weight?.storage[nc % c] ?? 1, bias?.storage[nc % c] ?? 0)
        }
    }

    /// Layer normalisation over the last dimension, as PyTorch's `layer_norm(x, [d])`: per row,
    /// Double statistics in memory order as in `groupNorm`, then
    /// `y = ((x - Float(mean)) * Float(rstd)) * weight[j] + bias[j]`.
    public static func layerNorm(_ x: Tensor, weight: Tensor? = nil, bias: Tensor? = nil, eps: Float = 1e-5,
                                 threads: Int = defaultThreadCount, variant: KernelVariant = .simd) -> Tensor {
        let d = x.shape.last!, rows = x.count / max(1, d)
        var out = [Float](repeating: 0, count: x.count)
        let w = weight?.storage ?? [Float](repeating: 1, count: d)
        let b = bias?.storage ?? [Float](repeating: 0, count: d)
        precondition(w.count == d && b.count == d, "layerNorm weight/bias for last dimension \(d)")
        x.storage.withUnsafeBufferPointer { xs in
            out.withUnsafeMutableBufferPointer { os in
                w.withUnsafeBufferPointer { wp in
                    b.withUnsafeBufferPointer { bp in
                        forEachTile(rows, threads: threads) { r in
                            for row in r {
                                let src = xs.baseAddress! + row * d, dst = os.baseAddress! + row * d
                                let s = meanRstd(src, count: d, eps: eps)
                                var j = 0
                                if variant == .simd {
                                    while j + 16 <= d {
                                        let v = UnsafeRawPointer(src + j).loadUnaligned(as: DetVector.self)
                                        let wv = UnsafeRawPointer(wp.baseAddress! + j).loadUnaligned(as: DetVector.self)
                                        let bv = UnsafeRawPointer(bp.baseAddress! + j).loadUnaligned(as: DetVector.self)
                                        UnsafeMutableRawPointer(dst + j).storeBytes(
                                            of: normalize(v, DetVector(repeating: s.mean), DetVector(repeating: s.rstd), wv, bv),
                                            as: DetVector.self)
                                        j += 16
                                    }
                                }
                                while j < d { dst[j] = normalize(src[j], s.mean, s.rstd, wp[j], bp[j]); j += 1 }
                            }
                        }
                    }
                }
            }
        }
        return Tensor(shape: x.shape, storage: out)
    }

    /// L2 normalisation along dimension 1 of [n, c, ...] as PyTorch's `F.normalize(x, dim=1)`:
    /// per position, `ss = sum over channels ascending of x_c * x_c` (Float, from +0),
    /// `y_c = x_c / max(sqrt(ss), eps)`. SIMD lanes are 16 neighbouring positions.
    public static func l2Normalize(_ x: Tensor, eps: Float = 1e-12, threads: Int = defaultThreadCount,
                                   variant: KernelVariant = .simd) -> Tensor {
        precondition(x.rank >= 2)
        let n = x.shape[0], c = x.shape[1], plane = x.shape[2...].reduce(1, *)
        var out = [Float](repeating: 0, count: x.count)
        x.storage.withUnsafeBufferPointer { xs in
            out.withUnsafeMutableBufferPointer { os in
                let tilesPerImage = (plane + 15) / 16
                forEachTile(n * tilesPerImage, threads: threads) { r in
                    for t in r {
                        let b = t / tilesPerImage, p0 = (t % tilesPerImage) * 16
                        let src = xs.baseAddress! + b * c * plane, dst = os.baseAddress! + b * c * plane
                        if variant == .simd && p0 + 16 <= plane {
                            var ss = DetVector()
                            for ch in 0..<c {
                                let v = UnsafeRawPointer(src + ch * plane + p0).loadUnaligned(as: DetVector.self)
                                ss = ss + v * v
                            }
                            let d = DetVector.raised(ss.squareRoot(), atLeast: DetVector(repeating: eps))
                            for ch in 0..<c {
                                let v = UnsafeRawPointer(src + ch * plane + p0).loadUnaligned(as: DetVector.self)
                                UnsafeMutableRawPointer(dst + ch * plane + p0).storeBytes(of: v / d, as: DetVector.self)
                            }
                        } else {
                            for p in p0..<min(plane, p0 + 16) {
                                var ss: Float = 0
                                for ch in 0..<c { let v = src[ch * plane + p]; ss = ss + v * v }
                                let d = Float.raised(ss.squareRoot(), atLeast: eps)
                                for ch in 0..<c { dst[ch * plane + p] = src[ch * plane + p] / d }
                            }
                        }
                    }
                }
            }
        }
        return Tensor(shape: x.shape, storage: out)
    }

    /// Mean and 1/sqrt(var + eps) of `count` floats, in Double, summed in memory order.
    static func meanRstd(_ p: UnsafePointer<Float>, count: Int, eps: Float) -> (mean: Float, rstd: Float) {
        var sum = 0.0
        for i in 0..<count { sum += Double(p[i]) }
        let mean = sum / Double(count)
        var sq = 0.0
        for i in 0..<count { let d = Double(p[i]) - mean; sq += d * d }
        let rstd = 1 / (sq / Double(count) + Double(eps)).squareRoot()
        return (Float(mean), Float(rstd))
    }

    @inline(__always)
    static func normalize<V: DetLanes>(_ x: V, _ mean: V, _ rstd: V, _ w: V, _ b: V) -> V {
        ((x - mean) * rstd) * w + b
    }

    /// y = ((x - mean) * rstd) * w + b with per-plane constants, SIMD across each plane.
    static func affinePerPlane(_ x: Tensor, planes: Int, plane: Int, threads: Int, variant: KernelVariant,
                               constants: (Int) -> (Float, Float, Float, Float)) -> Tensor {
        var out = [Float](repeating: 0, count: x.count)
        x.storage.withUnsafeBufferPointer { xs in
            out.withUnsafeMutableBufferPointer { os in
                forEachTile(planes, threads: threads) { r in
                    for pl in r {
                        let (m, s, w, b) = constants(pl)
                        let src = xs.baseAddress! + pl * plane, dst = os.baseAddress! + pl * plane
                        var j = 0
                        if variant == .simd {
                            let mv = DetVector(repeating: m), sv = DetVector(repeating: s)
                            let wv = DetVector(repeating: w), bv = DetVector(repeating: b)
                            while j + 16 <= plane {
                                let v = UnsafeRawPointer(src + j).loadUnaligned(as: DetVector.self)
                                UnsafeMutableRawPointer(dst + j).storeBytes(of: normalize(v, mv, sv, wv, bv), as: DetVector.self)
                                j += 16
                            }
                        }
                        while j < plane { dst[j] = normalize(src[j], m, s, w, b); j += 1 }
                    }
                }
            }
        }
        return Tensor(shape: x.shape, storage: out)
    }
}
