import Foundation
import Models
import Tensor

/// `dcvc-train vq` for `TrainingDriver`: batches from the sampler (prefetched); each log row has
/// the mean losses since the previous row, PSNR per prefix of levels on the last batch, the
/// latent error after each prefix, per-level perplexity and the dead codes restarted.
public final class VQTrainingRun: Trainable {
    public let trainer: VQTrainer
    let prefetch: BatchPrefetcher
    let prefixes: [Int]
    var deadSum: [Int]
    var sums = [Double](repeating: 0, count: 4), count = 0
    var last: (batch: Tensor, result: VQStepResult)?

    public init(trainer: VQTrainer, sampler: BatchSampler) {
        self.trainer = trainer
        prefetch = BatchPrefetcher(sampler: sampler)
        prefixes = [1, 2, 4, 8].filter { $0 <= trainer.config.levels }
        deadSum = [Int](repeating: 0, count: trainer.config.levels)
    }

    public var logColumns: [String] {
        let L = trainer.config.levels
        return ["loss", "rec", "msssim", "commit"] + prefixes.map { "psnr_p\($0)" } + prefixes.map { "latent_db_p\($0)" }
            + (0..<L).map { "ppl_l\($0)" } + (0..<L).map { "dead_l\($0)" }
    }

    public func trainStep() throws -> Double {
        let x = prefetch.batch(step: trainer.step)
        let r = trainer.trainStep(x)
        for l in 0..<deadSum.count { deadSum[l] += r.levelStats[l].dead }
        for (i, v) in [r.loss, r.reconstruction, r.msssim, r.commitment].enumerated() { sums[i] += Double(v) }
        count += 1
        last = (x, r)
        return Double(r.loss)
    }

    public func logRow() -> [String] {
        guard let (x, r) = last else { return [] }
        let n = Double(max(count, 1))
        let means = zip(sums, ["%.5f", "%.5f", "%.4f", "%.5f"]).map { String(format: $1, $0 / n) }
        let row = means + trainer.psnr(x, prefixes: prefixes).map { String(format: "%.2f", $0) }
            + prefixes.map { String(format: "%.2f", -10 * Foundation.log10(max(r.latentError[$0 - 1], 1e-12))) }
            + r.levelStats.map { String(format: "%.1f", $0.perplexity) } + deadSum.map(String.init)
        sums = [0, 0, 0, 0]; count = 0
        deadSum = [Int](repeating: 0, count: deadSum.count)
        return row
    }

    public func progressText(_ row: [String]) -> String {
        let p = prefixes.count, L = deadSum.count
        let psnr = zip(prefixes, row[4..<(4 + p)]).map { "p\($0):\($1)" }.joined(separator: " ")
        let ppl = row[(4 + 2 * p)..<(4 + 2 * p + L)].map { String(Int((Double($0) ?? 0).rounded())) }
        return "loss \(row[0]) psnr \(psnr) ppl \(ppl.joined(separator: "/")) dead \(row.suffix(L).joined(separator: "/"))"
    }
}
