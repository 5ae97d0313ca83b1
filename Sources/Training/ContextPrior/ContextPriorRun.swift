import Foundation
import Models
import Tensor

/// The training loop of `dcvc-train prior`: a CSV line every `logEvery` steps (cross-entropy in
/// bits per index, and per level on held-out grids every `evalEvery` steps), checkpoints
/// `ckpt-<step>.safetensors` (newest two kept) every `checkpointSeconds` and at the end.
public struct ContextPriorRun {
    public var runDir: String
    public var logEvery = 50
    public var evalEvery = 500
    public var checkpointSeconds: Double = 240
    /// Optional hook for tests: stop after this many steps in this process.
    public var stopAfter: Int? = nil

    public init(runDir: String) { self.runDir = runDir }

    /// Trains until `trainer.options.steps` on `train`, evaluating on `held`.
    public func run(_ trainer: ContextPriorTrainer, train: TokenDataset, held: TokenDataset, elapsed start: Double,
                    progress: (String) -> Void) throws {
        try FileManager.default.createDirectory(atPath: runDir, withIntermediateDirectories: true)
        let L = trainer.config.levels
        let header = (["step", "seconds", "lr", "bits"] + (0..<L).map { "held_bits_l\($0)" } + ["held_bits_mean"])
            .joined(separator: ",")
        let csv = try CSVLog(path: (runDir as NSString).appendingPathComponent("log.csv"), header: header,
                             truncateAfterStep: trainer.step)
        let clock = Date()
        var lastCheckpoint = Date()
        var acc = 0.0, n = 0, ran = 0
        while trainer.step < trainer.options.steps {
            let lr = trainer.learningRate
            let bits = trainer.trainStep(train)
            guard bits.isFinite else { throw TrainingDiverged(step: trainer.step, loss: bits) }
            acc += Double(bits); n += 1; ran += 1
            let seconds = start + Date().timeIntervalSince(clock)
            let last = trainer.step == trainer.options.steps
            if trainer.step % logEvery == 0 || last {
                var fields = [String(trainer.step), String(format: "%.1f", seconds), String(format: "%.3g", lr),
                              String(format: "%.4f", acc / Double(n))]
                var line = "step \(trainer.step)/\(trainer.options.steps) \(String(format: "%.0f", seconds))s bits \(String(format: "%.3f", acc / Double(n)))"
                if trainer.step % evalEvery == 0 || last {
                    let held = trainer.evaluate(held)
                    let mean = held.reduce(0, +) / Double(L)
                    fields += held.map { String(format: "%.4f", $0) } + [String(format: "%.4f", mean)]
                    line += " held " + held.map { String(format: "%.2f", $0) }.joined(separator: "/")
                        + String(format: " mean %.3f", mean)
                } else {
                    fields += Array(repeating: "", count: L + 1)
                }
                try csv.append(fields.joined(separator: ","))
                progress(line)
                acc = 0; n = 0
            }
            if last || Date().timeIntervalSince(lastCheckpoint) >= checkpointSeconds {
                try RunCheckpoints.save(trainer, runDir: runDir, elapsed: seconds)
                lastCheckpoint = Date()
            }
            if let stop = stopAfter, ran >= stop { break }
        }
    }
}
