import Foundation
import Models
import Tensor
import TensorTraining

/// The level-0 usage term (docs/training.md, "Codebook usage term"): the encoder is pushed to
/// spread each image over the level-0 codebook, so a single clip uses more of its codes.
///
/// With a soft assignment p(k | z) = softmax(z · e_k / τ) of every latent position to the
/// level-0 codewords (constants here: the codebook trains by EMA k-means), the term is
/// `-(mean over images of H(mean over that image's positions of p))` in nats: it rewards an
/// image whose positions use many codes. It reaches the encoder only. LFQ's entropy loss also
/// adds the mean per-position entropy H(p) (confident assignments) and takes the marginal over
/// the batch; here the marginal is per image (a clip is coded image by image), and the
/// position term is left out: it pulls latents onto level-0 codewords, and in 400-step probes
/// the variant with it (at τ 0.05) cost more PSNR and raised one clip's usage less
/// (docs/training.md, "Codebook usage term").
extension VQTrainer {
    /// The soft-assignment temperature τ when `usageTemperature` is nil.
    public static let defaultUsageTemperature: Float = 0.02

    /// The usage term for the l2-normalised latent `zn` [N, D, h, w], with the mean per-position
    /// entropy (how soft the assignment is, for the log) and the mean per-image marginal entropy
    /// (nats).
    public func usageTerm(_ zn: Variable) -> (loss: Variable, positionEntropy: Float, imageEntropy: Float) {
        let u = LevelUsage(latent: zn.value, codebook: codebooks.quantizer.codebooks[0],
                           temperature: options.usageTemperature ?? Self.defaultUsageTemperature)
        let loss = Variable.node(.scalar(-u.imageEntropy), parents: [zn]) { g in
            zn.accumulate(u.gradient(scale: g.item))
        }
        return (loss, u.positionEntropy, u.imageEntropy)
    }
}

/// The soft assignment of every latent position to the level-0 codewords and its entropies,
/// with the gradient of -(image entropy) written out: for g = dL/dp, g[n,i,k] = (log p̄[n,k] + 1)
/// / (N P) (the + 1 cancels in the softmax's backward), through the softmax to the logits and
/// by e_k / τ to the latent. Rows are `LatentLayout.rows` of the latent ([N·P, D], image-major).
struct LevelUsage {
    let shape: [Int], codebook: Tensor, temperature: Float
    /// p[n·P + i, k] for image n, position i, code k; p̄[n, k] its mean over the image's positions.
    let p: Tensor, marginal: [Float]
    let positionEntropy: Float, imageEntropy: Float

    init(latent z: Tensor, codebook e: Tensor, temperature tau: Float) {
        shape = z.shape; codebook = e; temperature = tau
        let (n, positions) = (z.shape[0], z.shape[2] * z.shape[3]), k = e.shape[0]
        let logits = TrainingKernels.matmul(LatentLayout.rows(z), e, transB: true)
        p = TrainingKernels.softmax(TrainingKernels.map(logits) { $0 / tau })
        var marginal = [Float](repeating: 0, count: n * k)
        var hPos = 0.0, hImg = 0.0
        for (r, q) in p.storage.enumerated() {
            marginal[r / (positions * k) * k + r % k] += q / Float(positions)
            if q > 0 { hPos -= Double(q) * Foundation.log(Double(q)) }
        }
        for q in marginal where q > 0 { hImg -= Double(q) * Foundation.log(Double(q)) }
        self.marginal = marginal
        positionEntropy = Float(hPos / Double(n * positions)); imageEntropy = Float(hImg / Double(n))
    }

    /// d(scale · (-image entropy)) / d latent, shaped like the latent.
    func gradient(scale: Float) -> Tensor {
        let (n, positions) = (shape[0], shape[2] * shape[3]), k = codebook.shape[0]
        let norm = scale / Float(n * positions)
        let logMarginal = marginal.map { norm * Foundation.log(max($0, 1e-30)) }
        // Softmax backward row by row, then the logits' 1 / τ.
        var dLogits = p
        for row in 0..<(n * positions) {
            let g = (row / positions) * k, o = row * k
            var dot: Float = 0
            for j in 0..<k { dot += p.storage[o + j] * logMarginal[g + j] }
            for j in 0..<k { dLogits.storage[o + j] = p.storage[o + j] * (logMarginal[g + j] - dot) / temperature }
        }
        return LatentLayout.planes(TrainingKernels.matmul(dLogits, codebook), n: n, height: shape[2], width: shape[3])
    }
}
