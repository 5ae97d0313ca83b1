import Foundation
import Models
import Tensor

/// The training loop of `dcvc-train prior-transformer`: log.csv (step, seconds, lr, bits per
/// index overall and per level, averaged since the previous line), checkpoints
/// `ckpt-<step>.safetensors` (newest 2 kept) every `checkpointSeconds` and at the end.
public struct TransformerPriorRun {
    public var runDir: String
    public var logEvery = 25
    public var checkpointSeconds: Double = 240
    /// Stop after this many seconds of training in this process (then checkpoint), if set.
    public var timeLimit: Double? = nil

    public init(runDir: String) { self.runDir = runDir }

    /// Trains until `trainer.options.steps` (or the time limit); `elapsed` is the time already spent.
    public func run(_ trainer: TransformerPriorTrainer, data: TokenDataset, elapsed start: Double,
                    progress: (String) -> Void) throws {
        try FileManager.default.createDirectory(atPath: runDir, withIntermediateDirectories: true)
        let L = trainer.config.levels
        let header = (["step", "seconds", "lr", "bits"] + (0..<L).map { "bits_l\($0)" }).joined(separator: ",")
        let csv = try CSVLog(path: (runDir as NSString).appendingPathComponent("log.csv"), header: header,
                             truncateAfterStep: trainer.step)
        let clock = Date()
        var lastCheckpoint = Date()
        var sum = 0.0, n = 0
        var levelBits = [Double](repeating: 0, count: L), levelCount = [Int](repeating: 0, count: L)
        while trainer.step < trainer.options.steps {
            let lr = trainer.learningRate
            let r = trainer.trainStep(trainer.sample(data))
            guard r.bits.isFinite else { throw TrainingDiverged(step: trainer.step, loss: Float(r.bits)) }
            sum += r.bits; n += 1
            for l in 0..<L { levelBits[l] += r.levelBits[l]; levelCount[l] += r.levelCount[l] }
            let seconds = start + Date().timeIntervalSince(clock)
            let outOfTime = timeLimit.map { Date().timeIntervalSince(clock) >= $0 } ?? false
            let done = trainer.step == trainer.options.steps || outOfTime
            if trainer.step % logEvery == 0 || done {
                let per = (0..<L).map { levelCount[$0] > 0 ? String(format: "%.4f", levelBits[$0] / Double(levelCount[$0])) : "" }
                try csv.append(([String(trainer.step), String(format: "%.1f", seconds), String(format: "%.3g", lr),
                                 String(format: "%.4f", sum / Double(n))] + per).joined(separator: ","))
                progress("step \(trainer.step)/\(trainer.options.steps) \(String(format: "%.0f", seconds))s bits "
                         + String(format: "%.4f", sum / Double(n)) + " per level " + per.joined(separator: "/"))
                sum = 0; n = 0
                levelBits = [Double](repeating: 0, count: L); levelCount = [Int](repeating: 0, count: L)
            }
            if done || Date().timeIntervalSince(lastCheckpoint) >= checkpointSeconds {
                let p = try RunCheckpoints.save(trainer, runDir: runDir, elapsed: seconds)
                progress("checkpoint \(p)")
                lastCheckpoint = Date()
            }
            if done { break }
        }
    }
}
