import Foundation

/// The one training loop of every `dcvc-train` command: runs a `Trainable` to the end of its
/// schedule, appends a row to `<runDir>/log.csv` every `logEvery` steps, writes a checkpoint
/// (`RunCheckpoints`, newest `keep` kept) on the minute or step interval and when it stops, and
/// redraws `<runDir>/loss.svg` from log.csv at every checkpoint. A resumed run continues the log
/// after the checkpoint's step (later rows are dropped).
public struct TrainingDriver {
    public var runDir: String
    /// A log row (CSV and progress line) every this many steps, and at the last step.
    public var logEvery = 25
    /// A checkpoint after this many seconds since the previous one (nil: none by time).
    public var checkpointSeconds: Double? = 240
    /// A checkpoint at every multiple of this step count (nil: none by steps).
    public var checkpointSteps: Int? = nil
    /// Stop, with a checkpoint, after this many seconds of training in this process.
    public var timeLimit: Double? = nil
    /// Stop, with a checkpoint, after this many steps in this process.
    public var stopAfter: Int? = nil
    /// Checkpoints kept in the run directory.
    public var keep = 2

    public init(runDir: String) { self.runDir = runDir }

    public var logPath: String { (runDir as NSString).appendingPathComponent("log.csv") }
    public var plotPath: String { (runDir as NSString).appendingPathComponent("loss.svg") }

    /// Trains `t` until its schedule ends or a limit stops it; `start` is the training time
    /// already spent (stored in checkpoints, so `seconds` keeps counting across resumes).
    public func run<T: Trainable>(_ t: T, elapsed start: Double, progress: (String) -> Void) throws {
        try FileManager.default.createDirectory(atPath: runDir, withIntermediateDirectories: true)
        let columns = ["step", "seconds", "lr"] + t.logColumns
        let csv = try CSVLog(path: logPath, header: columns.joined(separator: ","), truncateAfterStep: t.trainer.step)
        let clock = Date()
        var lastCheckpoint = Date()
        var ran = 0
        let total = t.trainer.options.steps
        while t.trainer.step < total {
            let lr = t.trainer.learningRate
            let loss = try t.trainStep()
            let step = t.trainer.step
            guard loss.isFinite else { throw TrainingDiverged(step: step, loss: Float(loss)) }
            ran += 1
            let seconds = start + Date().timeIntervalSince(clock)
            let stopping = step >= total || stopAfter.map { ran >= $0 } == true
                || timeLimit.map { Date().timeIntervalSince(clock) >= $0 } == true
            if step % max(1, logEvery) == 0 || stopping {
                let row = t.logRow()
                try csv.append(([String(step), String(format: "%.1f", seconds), String(format: "%.3g", lr)] + row)
                    .joined(separator: ","))
                progress("step \(step)/\(total) \(String(format: "%.0f", seconds))s " + t.progressText(row))
            }
            let due = checkpointSeconds.map { Date().timeIntervalSince(lastCheckpoint) >= $0 } == true
                || checkpointSteps.map { step % max(1, $0) == 0 } == true
            if stopping || due {
                let path = try RunCheckpoints.save(t.trainer, runDir: runDir, elapsed: seconds, keep: keep)
                try LossPlot.write(csv: logPath, to: plotPath, title: (runDir as NSString).lastPathComponent)
                progress("checkpoint \(path)")
                lastCheckpoint = Date()
            }
            if stopping { break }
        }
    }
}
