import Foundation
import Models
import Tensor

/// `dcvc-train vq` for `TrainingDriver`: batches from the sampler (prefetched); each log row has
/// the mean losses since the previous row, PSNR per prefix of levels on the last batch, the
/// latent error after each prefix, per-level perplexity and the dead codes restarted. With the
/// perceptual options on, `lpips` follows `commit`, and with a discriminator the generator loss,
/// the discriminator loss and the adaptive weight (`gan_g`, `gan_d`, `adaptive_weight`: means
/// over the adversarial steps since the previous row, empty before `discStart`), and with the
/// usage term the mean per-position and per-image entropies of level 0's soft assignment
/// (`h_pos`, `h_img`, nats).
public final class VQTrainingRun: Trainable {
    public let trainer: VQTrainer
    let prefetch: BatchPrefetcher
    let prefixes: [Int]
    /// The loss columns after `commit` (empty for the fidelity recipe).
    let extraColumns: [String]
    var deadSum: [Int]
    var sums: [Double], count = 0, adversarialCount = 0
    var last: (batch: Tensor, result: VQStepResult)?

    public init(trainer: VQTrainer, sampler: BatchSampler) {
        self.trainer = trainer
        prefetch = BatchPrefetcher(sampler: sampler)
        prefixes = [1, 2, 4, 8].filter { $0 <= trainer.config.levels }
        deadSum = [Int](repeating: 0, count: trainer.config.levels)
        extraColumns = (trainer.options.lpipsWeight > 0 ? ["lpips"] : [])
            + (trainer.discriminator != nil ? ["gan_g", "gan_d", "adaptive_weight"] : [])
            + (trainer.options.usageTermWeight > 0 ? ["h_pos", "h_img"] : [])
        sums = [Double](repeating: 0, count: 4 + extraColumns.count)
    }

    /// Columns of the loss means: loss, rec, msssim, commit, then `extraColumns`.
    var lossColumns: [String] { ["loss", "rec", "msssim", "commit"] + extraColumns }

    public var logColumns: [String] {
        let L = trainer.config.levels
        return lossColumns + prefixes.map { "psnr_p\($0)" } + prefixes.map { "latent_db_p\($0)" }
            + (0..<L).map { "ppl_l\($0)" } + (0..<L).map { "dead_l\($0)" }
    }

    public func trainStep() throws -> Double {
        if trainer.options.lpipsWeight > 0 && trainer.perceptual == nil {
            throw VQTrainingError(path: "data/lpips", "perceptualWeight \(trainer.options.lpipsWeight) needs LPIPS: call loadPerceptualLoss first")
        }
        let x = prefetch.batch(step: trainer.step)
        let adversarial = trainer.isAdversarial
        let r = trainer.trainStep(x)
        for l in 0..<deadSum.count { deadSum[l] += r.levelStats[l].dead }
        var values = [r.loss, r.reconstruction, r.msssim, r.commitment]
        if trainer.options.lpipsWeight > 0 { values.append(r.lpips) }
        if trainer.discriminator != nil { values += adversarial ? [r.generator, r.discriminator, r.adaptiveWeight] : [0, 0, 0] }
        if trainer.options.usageTermWeight > 0 { values += [r.positionEntropy, r.imageEntropy] }
        for (i, v) in values.enumerated() { sums[i] += Double(v) }
        count += 1
        if adversarial { adversarialCount += 1 }
        last = (x, r)
        return Double(r.loss)
    }

    public func logRow() -> [String] {
        guard let (x, r) = last else { return [] }
        let n = Double(max(count, 1))
        var means = zip(sums, ["%.5f", "%.5f", "%.4f", "%.5f"]).map { String(format: $1, $0 / n) }
        for (i, column) in extraColumns.enumerated() {
            let sum = sums[4 + i]
            switch column {
            case "gan_g", "gan_d", "adaptive_weight":
                means.append(adversarialCount == 0 ? "" : String(format: "%.5g", sum / Double(adversarialCount)))
            case "h_pos", "h_img": means.append(String(format: "%.4f", sum / n))
            default: means.append(String(format: "%.5f", sum / n))
            }
        }
        let row = means + trainer.psnr(x, prefixes: prefixes).map { String(format: "%.2f", $0) }
            + prefixes.map { String(format: "%.2f", -10 * Foundation.log10(max(r.latentError[$0 - 1], 1e-12))) }
            + r.levelStats.map { String(format: "%.1f", $0.perplexity) } + deadSum.map(String.init)
        sums = [Double](repeating: 0, count: sums.count); count = 0; adversarialCount = 0
        deadSum = [Int](repeating: 0, count: deadSum.count)
        return row
    }

    public func progressText(_ row: [String]) -> String {
        let p = prefixes.count, L = deadSum.count, base = lossColumns.count
        let psnr = zip(prefixes, row[base..<(base + p)]).map { "p\($0):\($1)" }.joined(separator: " ")
        let ppl = row[(base + 2 * p)..<(base + 2 * p + L)].map { String(Int((Double($0) ?? 0).rounded())) }
        let extras = zip(extraColumns, row[4..<base]).filter { !$0.1.isEmpty }.map { " \($0) \($1)" }.joined()
        return "loss \(row[0])\(extras) psnr \(psnr) ppl \(ppl.joined(separator: "/")) dead \(row.suffix(L).joined(separator: "/"))"
    }
}
