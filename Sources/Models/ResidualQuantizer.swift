import Tensor

/// The residual vector quantizer's codebooks and its two directions:
/// greedy encoding of latent rows into one index per level, and the deterministic sum of
/// codewords that the decoder consumes.
///
/// Level 0 holds unit-norm codewords (the latent is l2-normalised per position, so level 0 is a
/// cosine lookup); later levels hold free vectors that track the scale of their residuals.
public struct ResidualQuantizer: Sendable {
    /// One [K, D] codebook per level.
    public var codebooks: [Tensor]

    public init(codebooks: [Tensor]) {
        precondition(!codebooks.isEmpty && codebooks.allSatisfy { $0.rank == 2 && $0.shape == codebooks[0].shape })
        self.codebooks = codebooks
    }

    public var levels: Int { codebooks.count }
    public var codebookSize: Int { codebooks[0].shape[0] }
    public var dim: Int { codebooks[0].shape[1] }

    /// Weight name of level `l`'s codebook.
    public static func codebookName(_ l: Int) -> String { "quantizer.level\(l).codebook" }

    /// Greedy RVQ of rows [M, D]: per level the nearest codeword of the running residual.
    /// Returns the indices per level and the residual each level saw (level l quantizes
    /// `residuals[l]`). Uses BLAS (encoder side).
    public func encode(rows: Tensor, levels: Int? = nil) -> (indices: [[Int]], residuals: [Tensor]) {
        precondition(rows.rank == 2 && rows.shape[1] == dim, "RVQ rows \(rows.shape) for dim \(dim)")
        var r = rows
        var indices: [[Int]] = [], residuals: [Tensor] = []
        for l in 0..<(levels ?? self.levels) {
            residuals.append(r)
            let idx = TrainingKernels.nearestCodeword(r, codebook: codebooks[l])
            indices.append(idx)
            let q = TrainingKernels.gatherRows(codebooks[l], idx)
            for i in 0..<r.count { r.storage[i] -= q.storage[i] }
        }
        return (indices, residuals)
    }

    /// The quantized latent [N, D, h, w] from per-level indices (each N·h·w long, raster order per
    /// image): per position `acc = c_0; acc = acc + c_1; ...` over the first `prefix[n]` levels of
    /// image n (IEEE additions in level order: exact on every machine).
    public func dequantize(indices: [[Int]], prefix: [Int], height h: Int, width w: Int) -> Tensor {
        let n = prefix.count, d = dim, hw = h * w
        var out = [Float](repeating: 0, count: n * d * hw)
        for b in 0..<n {
            precondition((1...indices.count).contains(prefix[b]), "prefix \(prefix[b]) of \(indices.count) levels")
            for p in 0..<hw {
                for l in 0..<prefix[b] {
                    let k = indices[l][b * hw + p]
                    precondition(k >= 0 && k < codebookSize, "index \(k) outside 0..<\(codebookSize)")
                    let cb = codebooks[l].storage
                    for c in 0..<d {
                        let o = (b * d + c) * hw + p
                        out[o] = l == 0 ? cb[k * d + c] : out[o] + cb[k * d + c]
                    }
                }
            }
        }
        return Tensor(shape: [n, d, h, w], storage: out)
    }
}

/// Layout helpers between NCHW latents and the [N·H·W, C] rows the quantizer works on.
public enum LatentLayout {
    /// [N, C, H, W] -> [N·H·W, C].
    public static func rows(_ x: Tensor) -> Tensor {
        let (n, c, hw) = (x.shape[0], x.shape[1], x.shape[2] * x.shape[3])
        var out = [Float](repeating: 0, count: x.count)
        for b in 0..<n { for ch in 0..<c { for p in 0..<hw { out[(b * hw + p) * c + ch] = x.storage[(b * c + ch) * hw + p] } } }
        return Tensor(shape: [n * hw, c], storage: out)
    }

    /// [N·H·W, C] -> [N, C, H, W].
    public static func planes(_ r: Tensor, n: Int, height h: Int, width w: Int) -> Tensor {
        let c = r.shape[1], hw = h * w
        var out = [Float](repeating: 0, count: r.count)
        for b in 0..<n { for ch in 0..<c { for p in 0..<hw { out[(b * c + ch) * hw + p] = r.storage[(b * hw + p) * c + ch] } } }
        return Tensor(shape: [n, c, h, w], storage: out)
    }
}

extension Ops {
    /// Per-position l2 normalisation over channels of [N, C, H, W]: x / sqrt(sum_c x² + eps).
    public static func l2NormalizeChannels(_ x: Variable, eps: Float = 1e-6) -> Variable {
        x / Ops.sqrt(Ops.sum(x * x, axis: 1) + eps)
    }

    /// Straight-through estimator: the value of `quantized`, the gradient of identity into `x`.
    public static func straightThrough(_ x: Variable, quantized: Tensor) -> Variable {
        precondition(x.shape == quantized.shape, "straight-through \(x.shape) vs \(quantized.shape)")
        return Variable.node(quantized, parents: [x]) { g in x.accumulate(g) }
    }
}
