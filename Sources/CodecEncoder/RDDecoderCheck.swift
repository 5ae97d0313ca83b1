import Codec
import Tensor

/// The decoder in the loop of the RD search (`RDSearch.decoderCheck`): the searched codes and the
/// greedy ones are both decoded, and each latent position keeps whichever set of its codes gives
/// the lower cost on its own f x f pixel block: squared error against the source + λ_pixel x bits.
///
/// The latent error the search minimises is only a proxy: the decoder reads every level's codeword
/// apart (scaled by the level's gain), and was trained on greedy codes. The check undoes the
/// search where the picture says it hurt more than its bits paid for. Blocks are judged apart
/// although the decoder's receptive field spans several, and the mixed plane is not decoded
/// again: the merge is an approximation, its real effect is what the evaluation measures.
public enum RDDecoderCheck {
    /// Per position, the codes of `greedy` or `searched` (same size and levels). `image` is the
    /// padded source `[1, 3, H, W]`, `decode` the tokenizer's decoder, `bits[l][p·K + k]` the
    /// search's rate table. `latentLambda` is the search's λ (latent squared error per bit);
    /// λ_pixel is it times the greedy codes' ratio of pixel to latent squared error per position
    /// (`greedyLatentError`: their mean latent squared error per position), so that both
    /// costs are weighed in the units the search weighed them.
    public static func merge(image: Tensor, greedy: IndexPlanes, searched: IndexPlanes, bits: [[Float]],
                             codebookSize k: Int, latentLambda: Double, greedyLatentError: Double,
                             decode: (IndexPlanes) throws -> Tensor) throws -> IndexPlanes {
        precondition(greedy.width == searched.width && greedy.height == searched.height && greedy.levels == searched.levels)
        let w = greedy.width, h = greedy.height, positions = w * h
        let f = image.shape[3] / w
        precondition(image.shape[2] == h * f && image.shape[3] == w * f)
        let eg = blockErrors(image, try decode(greedy), f: f, w: w, h: h)
        let es = blockErrors(image, try decode(searched), f: f, w: w, h: h)
        let pixelPerPosition = eg.reduce(0, +) / Double(max(1, positions))
        let lambda = greedyLatentError > 0 ? latentLambda * pixelPerPosition / greedyLatentError : 0
        var out = greedy
        for p in 0..<positions {
            var db = 0.0
            for l in 0..<greedy.levels {
                db += Double(bits[l][p * k + Int(searched.planes[l][p])]) - Double(bits[l][p * k + Int(greedy.planes[l][p])])
            }
            if es[p] + lambda * db < eg[p] {
                for l in 0..<greedy.levels { out.planes[l][p] = searched.planes[l][p] }
            }
        }
        return out
    }

    /// Squared error per f x f block (decoded values clamped to [0, 1], as the output is).
    static func blockErrors(_ a: Tensor, _ b: Tensor, f: Int, w: Int, h: Int) -> [Double] {
        precondition(a.shape == b.shape)
        let pw = w * f, ph = h * f
        var e = [Double](repeating: 0, count: w * h)
        for c in 0..<3 {
            for y in 0..<ph {
                for x in 0..<pw {
                    let i = (c * ph + y) * pw + x
                    let d = Double(min(max(b.storage[i], 0), 1) - a.storage[i])
                    e[(y / f) * w + x / f] += d * d
                }
            }
        }
        return e
    }
}
