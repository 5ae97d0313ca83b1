/// Winograd F(4x4, 3x3) (Lavin & Gray, interpolation points 0, ±1, ±2, ∞): a 3x3 convolution of a
/// 6x6 input tile d gives the 4x4 output Aᵀ [(G g Gᵀ) ⊙ (Bᵀ d B)] A, 36 multiplies per tile and
/// channel pair instead of 144. Training path only: the rounding differs from direct convolution.
///
/// Each matrix is kept as, per output row, the list of its non-zero (column, coefficient) terms, and
/// every transform is a sequence of `combine` calls over contiguous runs of tiles, so the inner
/// loops vectorise across tiles.
enum WinogradF43 {
    typealias Terms = [(Int, Float)]

    /// Rows of Bᵀ (6x6), the input transform.
    static let bt: [Terms] = rows([
        [4, 0, -5, 0, 1, 0],
        [0, -4, -4, 1, 1, 0],
        [0, 4, -4, -1, 1, 0],
        [0, -2, -1, 2, 1, 0],
        [0, 2, -1, -2, 1, 0],
        [0, 4, 0, -5, 0, 1],
    ])
    /// Rows of Aᵀ (4x6), the output transform.
    static let at: [Terms] = rows(atMatrix)
    /// Rows of A (6x4): the output transform's adjoint, used for output gradients.
    static let a: [Terms] = rows((0..<6).map { k in atMatrix.map { $0[k] } })
    /// G (6x3), the kernel transform (applied by scalar loops: kernels are small).
    static let g: [[Float]] = [
        [1 / 4, 0, 0],
        [-1 / 6, -1 / 6, -1 / 6],
        [-1 / 6, 1 / 6, -1 / 6],
        [1 / 24, 1 / 12, 1 / 6],
        [1 / 24, -1 / 12, 1 / 6],
        [0, 0, 1],
    ]

    private static let atMatrix: [[Float]] = [
        [1, 1, 1, 1, 1, 0],
        [0, 1, -1, 2, -2, 0],
        [0, 1, 1, 4, 4, 0],
        [0, 1, -1, 8, -8, 1],
    ]

    private static func rows(_ m: [[Float]]) -> [Terms] {
        m.map { row in row.enumerated().compactMap { $0.element == 0 ? nil : ($0.offset, $0.element) } }
    }

    /// dst[0..<n] = Σ c · src_j[0..<n] over `terms` (j, c), where src_j = base + j * stride.
    @inline(__always)
    static func combine(_ dst: UnsafeMutablePointer<Float>, _ n: Int, _ terms: Terms,
                        _ base: UnsafePointer<Float>, _ stride: Int) {
        let (j0, c0) = terms[0]
        let s0 = base + j0 * stride
        if terms.count >= 2 {
            // The first two terms in one pass (every row has at least two but Bᵀ's last).
            let (j1, c1) = terms[1]
            let s1 = base + j1 * stride
            for q in 0..<n { dst[q] = c0 * s0[q] + c1 * s1[q] }
        } else {
            for q in 0..<n { dst[q] = c0 * s0[q] }
        }
        var t = 2
        while t + 1 < terms.count {
            let (ja, ca) = terms[t], (jb, cb) = terms[t + 1]
            let sa = base + ja * stride, sb = base + jb * stride
            for q in 0..<n { dst[q] += ca * sa[q] + cb * sb[q] }
            t += 2
        }
        if t < terms.count {
            let (j, c) = terms[t]
            let s = base + j * stride
            for q in 0..<n { dst[q] += c * s[q] }
        }
    }

    /// U = G w Gᵀ for every (co, ci) pair: `u` is [36][cout][cin] (one GEMM operand per ξ).
    static func kernelTransform(_ w: UnsafePointer<Float>, cout: Int, cin: Int, _ u: UnsafeMutablePointer<Float>) {
        let g = self.g, plane = cout * cin
        TrainingKernels.parallelFor(plane, grain: 256) { r in
            withUnsafeTemporaryAllocation(of: Float.self, capacity: 18) { tmp in // (G w) [6][3]
            for pair in r {
                let k = w + pair * 9
                for i in 0..<6 { for b in 0..<3 { tmp[i * 3 + b] = g[i][0] * k[b] + g[i][1] * k[3 + b] + g[i][2] * k[6 + b] } }
                for i in 0..<6 {
                    for j in 0..<6 {
                        u[(i * 6 + j) * plane + pair] = tmp[i * 3] * g[j][0] + tmp[i * 3 + 1] * g[j][1] + tmp[i * 3 + 2] * g[j][2]
                    }
                }
            }
            }
        }
    }

    /// dw += Gᵀ dU G for every (co, ci) pair, the adjoint of `kernelTransform`.
    static func kernelTransformAdjoint(_ du: UnsafePointer<Float>, cout: Int, cin: Int, _ dw: UnsafeMutablePointer<Float>) {
        let g = self.g, plane = cout * cin
        TrainingKernels.parallelFor(plane, grain: 256) { r in
            withUnsafeTemporaryAllocation(of: Float.self, capacity: 18) { tmp in // (Gᵀ dU) [3][6]
            for pair in r {
                for a in 0..<3 {
                    for j in 0..<6 {
                        var s: Float = 0
                        for i in 0..<6 { s += g[i][a] * du[(i * 6 + j) * plane + pair] }
                        tmp[a * 6 + j] = s
                    }
                }
                let k = dw + pair * 9
                for a in 0..<3 {
                    for b in 0..<3 {
                        var s: Float = 0
                        for j in 0..<6 { s += tmp[a * 6 + j] * g[j][b] }
                        k[a * 3 + b] += s
                    }
                }
            }
            }
        }
    }
}
