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

    /// Weight name of the per-level decoder gains [L].
    public static let gainsName = "quantizer.gains"

    /// Weight name of level `l`'s codebook.
    public static func codebookName(_ l: Int) -> String { "quantizer.level\(l).codebook" }

    /// The gain of each level in the decoder's input: 1 / RMS of the level's codewords, so every
    /// level reaches the decoder at unit scale however small its residuals are. Computed once
    /// from the codebooks (Double sum in index order, then `Float(1 / sqrt(mean))`) and shipped
    /// with the weights.
    public var levelGains: [Float] { codebooks.map(ResidualQuantizer.gain(of:)) }

    /// 1 / RMS of a codebook's elements (1 for an all-zero codebook).
    public static func gain(of codebook: Tensor) -> Float {
        let ms = codebook.storage.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(max(1, codebook.count))
        return ms > 0 ? Float(1 / ms.squareRoot()) : 1
    }

    /// The decoder's input [N, L·D, h, w]: channel block l holds `gain[l] * codeword` of level l
    /// for the images whose prefix includes level l, and zeros for the levels not sent. Each
    /// element is one IEEE multiply (exact on every machine).
    public func decoderInput(indices: [[Int]], prefix: [Int], gains: [Float], height h: Int, width w: Int) -> Tensor {
        let n = prefix.count, d = dim, hw = h * w, lv = levels
        precondition(gains.count == lv && indices.count <= lv)
        var out = [Float](repeating: 0, count: n * lv * d * hw)
        for b in 0..<n {
            precondition((1...indices.count).contains(prefix[b]), "prefix \(prefix[b]) of \(indices.count) levels")
            for l in 0..<prefix[b] {
                let cb = codebooks[l].storage, g = gains[l]
                for p in 0..<hw {
                    let k = indices[l][b * hw + p]
                    precondition(k >= 0 && k < codebookSize, "index \(k) outside 0..<\(codebookSize)")
                    for c in 0..<d { out[((b * lv + l) * d + c) * hw + p] = g * cb[k * d + c] }
                }
            }
        }
        return Tensor(shape: [n, lv * d, h, w], storage: out)
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
