import Tensor
extension DeterministicKernels {
    /// Softmax over the last dimension. Per row: `m = max x` (exact), `e_j = DetMath.exp(x_j - m)`,
    /// `s = sum over j ascending of Double(e_j)` (Double, from 0), `y_j = e_j / Float(s)`.
    /// The exp and the division run SIMD across j; the sum is sequential.
    public static func softmax(_ x: Tensor, threads: Int = defaultThreadCount,
                               variant: KernelVariant = .simd) -> Tensor {
        let d = x.shape.last!, rows = x.count / max(1, d)
        var out = [Float](repeating: 0, count: x.count)
        x.storage.withUnsafeBufferPointer { xs in
            out.withUnsafeMutableBufferPointer { os in
                forEachTile(rows, threads: threads) { r in
                    for row in r {
                        let src = xs.baseAddress! + row * d, dst = os.baseAddress! + row * d
                        var m = -Float.infinity
                        for j in 0..<d where src[j] > m { m = src[j] }
                        var j = 0
                        if variant == .simd {
                            let mv = DetVector(repeating: m)
                            while j + 16 <= d {
                                let v = UnsafeRawPointer(src + j).loadUnaligned(as: DetVector.self)
                                UnsafeMutableRawPointer(dst + j).storeBytes(of: DetMath.exp(v - mv), as: DetVector.self)
                                j += 16
                            }
                        }
                        while j < d { dst[j] = DetMath.exp(src[j] - m); j += 1 }
                        var s = 0.0
                        for k in 0..<d { s += Double(dst[k]) }
                        let sf = Float(s)
                        j = 0
                        if variant == .simd {
                            let sv = DetVector(repeating: sf)
                            while j + 16 <= d {
                                let v = UnsafeRawPointer(dst + j).loadUnaligned(as: DetVector.self)
                                UnsafeMutableRawPointer(dst + j).storeBytes(of: v / sv, as: DetVector.self)
                                j += 16
                            }
                        }
                        while j < d { dst[j] = dst[j] / sf; j += 1 }
                    }
                }
            }
        }
        return Tensor(shape: x.shape, storage: out)
    }

    /// Weights of a spatial self-attention block (the VQGAN / taming `AttnBlock`): GroupNorm, 1x1
    /// convs q, k, v [c, c, 1, 1] with biases [c], output projection, residual.
    public struct AttentionWeights: Sendable {
        public var normGroups: Int
        public var normWeight: Tensor, normBias: Tensor
        public var q: Tensor, qBias: Tensor
        public var k: Tensor, kBias: Tensor
        public var v: Tensor, vBias: Tensor
        public var proj: Tensor, projBias: Tensor
        public var eps: Float

        public init(normGroups: Int, normWeight: Tensor, normBias: Tensor, q: Tensor, qBias: Tensor,
                    k: Tensor, kBias: Tensor, v: Tensor, vBias: Tensor, proj: Tensor, projBias: Tensor,
                    eps: Float = 1e-6) {
            self.normGroups = normGroups; self.normWeight = normWeight; self.normBias = normBias
            self.q = q; self.qBias = qBias; self.k = k; self.kBias = kBias
            self.v = v; self.vBias = vBias; self.proj = proj; self.projBias = projBias; self.eps = eps
        }
    }

    /// Spatial self-attention over the h*w positions of each image, composed of the kernels above:
    /// `h = groupNorm(x)`, `q, k, v = conv1x1(h)`, `S = (q^T k) * (1 / sqrt(Float(c)))` (matmul,
    /// sum over channels ascending), `P = softmax(S)` over keys, `o = v P^T` (matmul, sum over keys
    /// ascending), `y = x + conv1x1(o, proj)`.
    public static func attentionBlock(_ x: Tensor, _ wts: AttentionWeights, threads: Int = defaultThreadCount,
                                      variant: KernelVariant = .simd) -> Tensor {
        precondition(x.rank == 4)
        let n = x.shape[0], c = x.shape[1], hw = x.shape[2] * x.shape[3]
        let h = groupNorm(x, groups: wts.normGroups, weight: wts.normWeight, bias: wts.normBias, eps: wts.eps,
                          threads: threads, variant: variant)
        let q = conv2d(h, weight: wts.q, bias: wts.qBias, threads: threads, variant: variant)
        let k = conv2d(h, weight: wts.k, bias: wts.kBias, threads: threads, variant: variant)
        let v = conv2d(h, weight: wts.v, bias: wts.vBias, threads: threads, variant: variant)
        let scaleFactor = 1 / Float(c).squareRoot()
        var mixed: [Float] = []
        mixed.reserveCapacity(x.count)
        for b in 0..<n {
            let range = (b * c * hw)..<((b + 1) * c * hw)
            let qb = Tensor(shape: [c, hw], storage: Array(q.storage[range]))
            let kb = Tensor(shape: [c, hw], storage: Array(k.storage[range]))
            let vb = Tensor(shape: [c, hw], storage: Array(v.storage[range]))
            let scores = scale(matmul(transpose2D(qb), kb, threads: threads, variant: variant), by: scaleFactor,
                               threads: threads, variant: variant)
            let p = softmax(scores, threads: threads, variant: variant)
            mixed += matmul(vb, transpose2D(p), threads: threads, variant: variant).storage
        }
        let o = Tensor(shape: x.shape, storage: mixed)
        return add(x, conv2d(o, weight: wts.proj, bias: wts.projBias, threads: threads, variant: variant),
                   threads: threads, variant: variant)
    }
}
