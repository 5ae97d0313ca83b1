import Foundation
import Models
import Tensor

/// The training loop of `dcvc-train inter`: GOP batches (prefetched), a CSV line every `logEvery`
/// steps (averages since the previous line), a progress line, and a checkpoint every
/// `checkpointSeconds`, at the time limit and at the end.
public struct InterTrainingRun {
    public var runDir: String
    public var logEvery = 10
    public var checkpointSeconds: Double = 300
    /// Stop after this many seconds of training in this process (then checkpoint), if set.
    public var timeLimit: Double? = nil
    /// Stop after this many steps in this process (tests), if set.
    public var stopAfter: Int? = nil

    public init(runDir: String) { self.runDir = runDir }

    /// CSV columns.
    public static let header = "step,seconds,lr,loss,psnr,psnr_gain,bpp_mv,bpp_frame,seconds_per_step"

    /// Trains until `trainer.options.steps` (or a limit); `elapsed` is the time already spent.
    public func run(_ trainer: InterTrainer, sampler: GOPSampler, elapsed start: Double, progress: (String) -> Void) throws {
        try FileManager.default.createDirectory(atPath: runDir, withIntermediateDirectories: true)
        let csv = try CSVLog(path: (runDir as NSString).appendingPathComponent("log.csv"), header: Self.header,
                             truncateAfterStep: trainer.step)
        let prefetch = StepPrefetcher(sampler: sampler)
        let clock = Date()
        var lastCheckpoint = Date(), lastLine = Date()
        var acc = (loss: 0.0, psnr: 0.0, gain: 0.0, m: 0.0, y: 0.0, n: 0)
        var ran = 0
        while trainer.step < trainer.options.steps {
            let batch = prefetch.batch(step: trainer.step)
            let lr = trainer.learningRate
            let r = trainer.trainStep(batch)
            guard r.loss.isFinite else { throw TrainingDiverged(step: trainer.step, loss: r.loss) }
            acc.loss += Double(r.loss); acc.psnr += Double(r.psnr); acc.gain += Double(r.psnrGain)
            acc.m += Double(r.bppMotion); acc.y += Double(r.bppFrame)
            acc.n += 1; ran += 1
            let seconds = start + Date().timeIntervalSince(clock)
            let outOfTime = timeLimit.map { Date().timeIntervalSince(clock) >= $0 } ?? false
            let done = trainer.step == trainer.options.steps || outOfTime || (stopAfter.map { ran >= $0 } ?? false)
            if trainer.step % logEvery == 0 || done {
                let n = Double(acc.n), perStep = Date().timeIntervalSince(lastLine) / n
                let f = [String(trainer.step), String(format: "%.1f", seconds), String(format: "%.3g", lr),
                         String(format: "%.5f", acc.loss / n), String(format: "%.3f", acc.psnr / n), String(format: "%.3f", acc.gain / n),
                         String(format: "%.5f", acc.m / n), String(format: "%.5f", acc.y / n), String(format: "%.2f", perStep)]
                try csv.append(f.joined(separator: ","))
                progress("stage \(trainer.options.stage) step \(trainer.step)/\(trainer.options.steps) \(f[1])s loss \(f[3]) "
                         + "psnr \(f[4]) (gain \(f[5])) bpp mv \(f[6]) frame \(f[7]) (\(f[8]) s/step)")
                acc = (0, 0, 0, 0, 0, 0)
                lastLine = Date()
            }
            if done || Date().timeIntervalSince(lastCheckpoint) >= checkpointSeconds {
                progress("checkpoint \(try RunCheckpoints.save(trainer, runDir: runDir, elapsed: seconds))")
                lastCheckpoint = Date()
            }
            if done { break }
        }
    }
}

extension InterTrainer {
    /// `__metadata__` value of `model` in exported weights.
    public static let modelName = "inter-dcvc"

    /// The shipped weights: every model weight (decoder and encoder), the configuration, the model
    /// name and where the weights come from.
    public func exportWeights() -> SafeTensorsFile {
        params.safeTensors(metadata: ["model": Self.modelName, Self.configKey: config.json,
                                      "stage": String(options.stage), "step": String(step)])
    }
}
