import Foundation
import Models
import Tensor
import TensorTraining

/// `dcvc-train inter` for `TrainingDriver`: GOP batches from the sampler (prefetched); each log
/// row has the means since the previous row of the loss, the PSNR (of the reconstruction, or in
/// stage 1 of the warped reference), its gain over the unwarped reference (stage 1), and the
/// estimated bits per pixel of the motion and of the frame latents; in residual mode also the PSNR
/// of the motion-compensated prediction (`psnr_pred`, empty in stage 1).
public final class InterTrainingRun: Trainable {
    public let trainer: InterTrainer
    let prefetch: StepPrefetcher<GOPBatch>
    var sums = [Double](repeating: 0, count: 6), count = 0, predictions = 0

    public init(trainer: InterTrainer, sampler: GOPSampler) {
        self.trainer = trainer
        prefetch = StepPrefetcher(sampler: sampler)
    }

    public var logColumns: [String] {
        ["loss", "psnr", "psnr_gain", "bpp_mv", "bpp_frame"] + (trainer.config.isResidual ? ["psnr_pred"] : [])
    }

    public func trainStep() throws -> Double {
        let r = trainer.trainStep(prefetch.batch(step: trainer.step))
        for (i, v) in [r.loss, r.psnr, r.psnrGain, r.bppMotion, r.bppFrame].enumerated() { sums[i] += Double(v) }
        if let p = r.psnrPrediction { sums[5] += Double(p); predictions += 1 }
        count += 1
        return Double(r.loss)
    }

    public func logRow() -> [String] {
        let n = Double(max(count, 1))
        var row = zip(sums, ["%.5f", "%.3f", "%.3f", "%.5f", "%.5f"]).map { String(format: $1, $0 / n) }
        if trainer.config.isResidual {
            row.append(predictions > 0 ? String(format: "%.3f", sums[5] / Double(predictions)) : "")
        }
        sums = sums.map { _ in 0 }; count = 0; predictions = 0
        return row
    }
}

extension InterTrainer {
    /// `__metadata__` value of `model` in exported weights.
    public static let modelName = "inter-dcvc"
    /// `__metadata__` value of `model` in exported weights of the residual (DVC) mode.
    public static let residualModelName = "inter-dvc"

    /// The shipped weights: every model weight (decoder and encoder), the configuration, the model
    /// name and where the weights come from.
    public func exportWeights() -> SafeTensorsFile {
        params.safeTensors(metadata: ["model": config.isResidual ? Self.residualModelName : Self.modelName,
                                      Self.configKey: config.json, "stage": String(options.stage), "step": String(step)])
    }
}
