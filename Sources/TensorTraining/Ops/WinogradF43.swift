import Tensor
/// Winograd F(4x4, 3x3) (Lavin & Gray, interpolation points 0, ±1, ±2, ∞): a 3x3 convolution of a
/// 6x6 input tile d gives the 4x4 output Aᵀ [(G g Gᵀ) ⊙ (Bᵀ d B)] A, 36 multiplies per tile and
/// channel pair instead of 144. Training path only: the rounding differs from direct convolution.
///
/// The tile transforms are written out (Bᵀ, Aᵀ, A) and run on 8 tiles at once (SIMD8 lanes = 8
/// consecutive tiles of one channel), from and to [36][tiles] planes; the kernel transforms are scalar.
enum WinogradF43 {
    typealias V8 = SIMD8<Float>
    typealias Six = (V8, V8, V8, V8, V8, V8)
    typealias Four = (V8, V8, V8, V8)

    @inline(__always) static func load(_ p: UnsafePointer<Float>) -> V8 {
        UnsafeRawPointer(p).loadUnaligned(as: V8.self)
    }

    @inline(__always) static func store(_ v: V8, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: V8.self)
    }

    /// Bᵀ d for six values (rows of Bᵀ: [4 0 -5 0 1 0], [0 -4 -4 1 1 0], [0 4 -4 -1 1 0],
    /// [0 -2 -1 2 1 0], [0 2 -1 -2 1 0], [0 4 0 -5 0 1]).
    @inline(__always) static func bt(_ d: Six) -> Six {
        let (d0, d1, d2, d3, d4, d5) = d
        let a = d4 - 4 * d2, b = d3 - 4 * d1, c = d4 - d2, e = 2 * (d3 - d1)
        return (4 * d0 - 5 * d2 + d4, a + b, a - b, c + e, c - e, 4 * d1 - 5 * d3 + d5)
    }

    /// Aᵀ m for six values (rows of Aᵀ: [1 1 1 1 1 0], [0 1 -1 2 -2 0], [0 1 1 4 4 0], [0 1 -1 8 -8 1]).
    @inline(__always) static func at(_ m: Six) -> Four {
        let (m0, m1, m2, m3, m4, m5) = m
        let p = m1 + m2, q = m1 - m2, r = m3 + m4, s = m3 - m4
        return (m0 + p + r, q + 2 * s, p + 4 * r, q + 8 * s + m5)
    }

    /// A e for four values, the adjoint of `at`.
    @inline(__always) static func a(_ e: Four) -> Six {
        let (e0, e1, e2, e3) = e
        let p = e0 + e2, q = e1 + e3, r = e0 + 4 * e2, s = 2 * e1 + 8 * e3
        return (e0, p + q, p - q, r + s, r - s, e3)
    }

    /// Input transform of 8 tiles: d holds the 36 patch values d[j][m] at d + (j*6+m)*ld; writes
    /// V[k*6+l] = (Bᵀ d B)[k][l] at v + (k*6+l)*vStride. `t` is scratch for 36 vectors.
    @inline(__always)
    static func inputTiles(_ d: UnsafePointer<Float>, ld: Int, _ v: UnsafeMutablePointer<Float>, vStride: Int,
                           t: UnsafeMutablePointer<V8>) {
        for m in 0..<6 {
            let c = bt((load(d + m * ld), load(d + (6 + m) * ld), load(d + (12 + m) * ld),
                        load(d + (18 + m) * ld), load(d + (24 + m) * ld), load(d + (30 + m) * ld)))
            t[m] = c.0; t[6 + m] = c.1; t[12 + m] = c.2; t[18 + m] = c.3; t[24 + m] = c.4; t[30 + m] = c.5
        }
        for k in 0..<6 {
            let r = bt((t[k * 6], t[k * 6 + 1], t[k * 6 + 2], t[k * 6 + 3], t[k * 6 + 4], t[k * 6 + 5]))
            let o = v + k * 6 * vStride
            store(r.0, o); store(r.1, o + vStride); store(r.2, o + 2 * vStride)
            store(r.3, o + 3 * vStride); store(r.4, o + 4 * vStride); store(r.5, o + 5 * vStride)
        }
    }

    /// Output transform of 8 tiles: M[ξ] at m + ξ*mStride; writes y[i][l] = (Aᵀ M A)[i][l] + bias
    /// at o + (i*4+l)*ld. `t` is scratch for 24 vectors.
    @inline(__always)
    static func outputTiles(_ m: UnsafePointer<Float>, mStride: Int, _ o: UnsafeMutablePointer<Float>, ld: Int,
                            bias: Float, t: UnsafeMutablePointer<V8>) {
        for k in 0..<6 {
            let s = m + k * 6 * mStride
            let r = at((load(s), load(s + mStride), load(s + 2 * mStride), load(s + 3 * mStride),
                        load(s + 4 * mStride), load(s + 5 * mStride)))
            t[k * 4] = r.0; t[k * 4 + 1] = r.1; t[k * 4 + 2] = r.2; t[k * 4 + 3] = r.3
        }
        let b = V8(repeating: bias)
        for l in 0..<4 {
            let r = at((t[l], t[4 + l], t[8 + l], t[12 + l], t[16 + l], t[20 + l]))
            store(r.0 + b, o + l * ld); store(r.1 + b, o + (4 + l) * ld)
            store(r.2 + b, o + (8 + l) * ld); store(r.3 + b, o + (12 + l) * ld)
        }
    }

    /// Output-gradient transform of 8 tiles (the adjoint of `outputTiles`): e[i][l] at
    /// e + (i*4+l)*ld; writes Mg[k*6+m] = (A e Aᵀ)[k][m] at mg + (k*6+m)*mStride.
    @inline(__always)
    static func outputGradientTiles(_ e: UnsafePointer<Float>, ld: Int, _ mg: UnsafeMutablePointer<Float>, mStride: Int,
                                    t: UnsafeMutablePointer<V8>) {
        for l in 0..<4 {
            let r = a((load(e + l * ld), load(e + (4 + l) * ld), load(e + (8 + l) * ld), load(e + (12 + l) * ld)))
            t[l] = r.0; t[4 + l] = r.1; t[8 + l] = r.2; t[12 + l] = r.3; t[16 + l] = r.4; t[20 + l] = r.5
        }
        for k in 0..<6 {
            let r = a((t[k * 4], t[k * 4 + 1], t[k * 4 + 2], t[k * 4 + 3]))
            let o = mg + k * 6 * mStride
            store(r.0, o); store(r.1, o + mStride); store(r.2, o + 2 * mStride)
            store(r.3, o + 3 * mStride); store(r.4, o + 4 * mStride); store(r.5, o + 5 * mStride)
        }
    }

    /// G v for one kernel column or row v = (a, b, c): the six rows of G written out.
    @inline(__always)
    static func gApply(_ a: Float, _ b: Float, _ c: Float) -> (Float, Float, Float, Float, Float, Float) {
        let s = a + c, t = a * (1 / 24) + c * (1 / 6), u = b * (1 / 12)
        return (a * 0.25, (s + b) * (-1 / 6), (s - b) * (-1 / 6), t + u, t - u, c)
    }

    /// Gᵀ v for a 6-vector v: the three columns of G written out.
    @inline(__always)
    static func gtApply(_ v: (Float, Float, Float, Float, Float, Float)) -> (Float, Float, Float) {
        let s = v.3 + v.4, p = (v.1 + v.2) * (1 / 6)
        return (v.0 * 0.25 - p + s * (1 / 24),
                (v.2 - v.1) * (1 / 6) + (v.3 - v.4) * (1 / 12),
                s * (1 / 6) - p + v.5)
    }

    /// Floats between consecutive ξ planes beyond what a plane holds (see `WinogradPlan.vPlane`).
    static let planePad = 32
    /// Distance between the 36 [cout][cin] planes of U and dU.
    static func uPlane(cout: Int, cin: Int) -> Int { cout * cin + planePad }

    /// U = G w Gᵀ for every (co, ci) pair: `u` is 36 [cout][cin] planes `uPlane` apart (one GEMM
    /// operand per ξ).
    static func kernelTransform(_ w: UnsafePointer<Float>, cout: Int, cin: Int, _ u: UnsafeMutablePointer<Float>) {
        let pairs = cout * cin, plane = uPlane(cout: cout, cin: cin)
        TrainingKernels.parallelFor(pairs, grain: 1024) { r in
            for pair in r {
                let k = w + pair * 9
                // Columns of G w (6x3), then G applied to each of its rows.
                let c0 = gApply(k[0], k[3], k[6]), c1 = gApply(k[1], k[4], k[7]), c2 = gApply(k[2], k[5], k[8])
                func row(_ i: Int, _ a: Float, _ b: Float, _ c: Float) {
                    let o = gApply(a, b, c), dst = u + i * 6 * plane + pair
                    dst[0] = o.0; dst[plane] = o.1; dst[2 * plane] = o.2
                    dst[3 * plane] = o.3; dst[4 * plane] = o.4; dst[5 * plane] = o.5
                }
                row(0, c0.0, c1.0, c2.0); row(1, c0.1, c1.1, c2.1); row(2, c0.2, c1.2, c2.2)
                row(3, c0.3, c1.3, c2.3); row(4, c0.4, c1.4, c2.4); row(5, c0.5, c1.5, c2.5)
            }
        }
    }

    /// dw += Gᵀ dU G for every (co, ci) pair, the adjoint of `kernelTransform`.
    static func kernelTransformAdjoint(_ du: UnsafePointer<Float>, cout: Int, cin: Int, _ dw: UnsafeMutablePointer<Float>) {
        let pairs = cout * cin, plane = uPlane(cout: cout, cin: cin)
        TrainingKernels.parallelFor(pairs, grain: 1024) { r in
            for pair in r {
                // Gᵀ applied to each row i of dU (giving 6x3), then to each of the three columns.
                var t0 = (Float(0), Float(0), Float(0), Float(0), Float(0), Float(0)), t1 = t0, t2 = t0
                for i in 0..<6 {
                    let src = du + i * 6 * plane + pair
                    let (a, b, c) = gtApply((src[0], src[plane], src[2 * plane], src[3 * plane], src[4 * plane], src[5 * plane]))
                    switch i {
                    case 0: t0.0 = a; t1.0 = b; t2.0 = c
                    case 1: t0.1 = a; t1.1 = b; t2.1 = c
                    case 2: t0.2 = a; t1.2 = b; t2.2 = c
                    case 3: t0.3 = a; t1.3 = b; t2.3 = c
                    case 4: t0.4 = a; t1.4 = b; t2.4 = c
                    default: t0.5 = a; t1.5 = b; t2.5 = c
                    }
                }
                // t_b holds column b of (dU G) transposed: dw[a][b] = (Gᵀ t_b)[a].
                let k = dw + pair * 9
                let (a0, a1, a2) = gtApply(t0), (b0, b1, b2) = gtApply(t1), (c0, c1, c2) = gtApply(t2)
                k[0] += a0; k[1] += b0; k[2] += c0
                k[3] += a1; k[4] += b1; k[5] += c1
                k[6] += a2; k[7] += b2; k[8] += c2
            }
        }
    }
}
