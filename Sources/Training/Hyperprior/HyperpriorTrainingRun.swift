import Foundation
import Models
import Tensor
import TensorTraining

/// `dcvc-train hyperprior` for `TrainingDriver`: batches from the sampler (prefetched); each log
/// row has the means since the previous row of the loss, PSNR and estimated bpp over all samples,
/// the hyper-latents' share of the bpp, then PSNR and bpp per rate point (empty for a rate point
/// no sample drew since the previous row).
public final class HyperpriorTrainingRun: Trainable {
    public let trainer: HyperpriorTrainer
    let prefetch: StepPrefetcher<HyperpriorBatch>
    var loss = 0.0, steps = 0
    /// Per-sample sums: all samples, then per rate row (psnr, bpp, bpp_hyper, count).
    var all = [Double](repeating: 0, count: 4)
    var byRow: [[Double]]

    public init(trainer: HyperpriorTrainer, sampler: HyperpriorSampler) {
        precondition(sampler.rates == trainer.config.lambdas.count, "sampler draws \(sampler.rates) rate points")
        self.trainer = trainer
        prefetch = StepPrefetcher(sampler: sampler)
        byRow = trainer.config.lambdas.map { _ in [Double](repeating: 0, count: 4) }
    }

    public var logColumns: [String] {
        let ls = trainer.config.lambdas
        return ["loss", "psnr", "bpp", "bpp_hyper"] + ls.map { "psnr_\($0)" } + ls.map { "bpp_\($0)" }
    }

    public func trainStep() throws -> Double {
        let r = trainer.trainStep(prefetch.batch(step: trainer.step))
        record(r)
        return Double(r.loss)
    }

    func record(_ r: HyperpriorStepResult) {
        loss += Double(r.loss); steps += 1
        for i in r.rows.indices {
            let v = [Double(r.psnr[i]), Double(r.bpp[i]), Double(r.bppHyper[i]), 1]
            for k in 0..<4 { all[k] += v[k]; byRow[r.rows[i]][k] += v[k] }
        }
    }

    public func logRow() -> [String] {
        func mean(_ s: [Double], _ k: Int, _ f: String) -> String { s[3] > 0 ? String(format: f, s[k] / s[3]) : "" }
        let row = [String(format: "%.5f", loss / Double(max(steps, 1))), mean(all, 0, "%.3f"), mean(all, 1, "%.4f"),
                   mean(all, 2, "%.4f")] + byRow.map { mean($0, 0, "%.3f") } + byRow.map { mean($0, 1, "%.4f") }
        loss = 0; steps = 0
        all = all.map { _ in 0 }; byRow = byRow.map { $0.map { _ in 0 } }
        return row
    }

    public func progressText(_ row: [String]) -> String {
        let ls = trainer.config.lambdas, k = ls.count
        let points = ls.indices.map { "\(ls[$0]):\(row[4 + $0])/\(row[4 + k + $0])" }.joined(separator: " ")
        return "loss \(row[0]) psnr \(row[1]) bpp \(row[2]) (hyper \(row[3])) lambda:psnr/bpp \(points)"
    }
}

extension HyperpriorTrainer {
    /// `__metadata__` value of `model` in exported weights.
    public static let modelName = "intra-hyperprior"

    /// The shipped weights: every model weight (decoder and encoder), the configuration, the model
    /// name and the step they come from.
    public func exportWeights() -> SafeTensorsFile {
        params.safeTensors(metadata: ["model": Self.modelName, Self.configKey: config.json, "step": String(step)])
    }
}
