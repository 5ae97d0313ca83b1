import ArgumentParser
import Foundation
import TensorTraining
import ToolSupport
import Training

/// The options every training command shares (`@OptionGroup`): data, run directory, schedule,
/// logging, checkpoints, resume, limits. A nil value takes the command's default.
struct RunOptions: ParsableArguments {
    @Option(help: "Data directory with MANIFEST.") var data: String
    @Option(help: "Run directory (log.csv, loss.svg, ckpt-<step>.safetensors, the exported weights).") var out: String
    @Option(help: "Total training steps (with --resume, replaces the stored total).") var steps: Int?
    @Option(help: "Samples per step (default: the command's).") var batch: Int?
    @Option(help: "Peak learning rate (default: the command's).") var lr: Float?
    @Option(help: "Random seed.") var seed: UInt64 = 1
    @Option(help: "Threads for the training kernels (default: the command's).") var threads: Int?
    @Option(help: "Frames taken from each video.") var framesPerVideo: Int = 64
    @Option(help: "Frame cache directory (default: frame-cache beside the run directory).") var cache: String?
    @Option(help: "CSV/progress line every N steps (default: the command's).") var logEvery: Int?
    @Option(help: "Minutes between checkpoints.") var checkpointMinutes: Double = 4
    @Option(help: "Also checkpoint at every multiple of this many steps.") var checkpointEvery: Int?
    @Option(help: "Stop (with a checkpoint and the weights) after this many minutes of training.") var minutes: Double?
    @Flag(help: "Continue from the newest checkpoint in --out, with the configuration stored in it.") var resume = false

    /// The directory holding the run directory (default home of the frame and token caches).
    var parent: String { ((out as NSString).standardizingPath as NSString).deletingLastPathComponent }

    /// The frame cache (`--cache`, else `frame-cache` beside the run directory).
    func frameCache() throws -> FrameCache {
        try FrameCache(directory: cache ?? (parent as NSString).appendingPathComponent("frame-cache"))
    }

    /// Sets the training kernels' thread count, and keeps freed memory in the process (a training
    /// process frees and reallocates the same large buffers every step).
    func applyThreads(default d: Int) {
        TrainingKernels.threads = threads ?? d
        TrainingKernels.retainFreedMemory()
    }

    /// The trainer of the newest checkpoint when resuming (`--steps` replaces its total) and the
    /// training seconds already spent; nil for a fresh run.
    func resumed<T: CheckpointedTrainer>(_ type: T.Type) throws -> (T, Double)? {
        try RunCheckpoints.resumed(type, runDir: out, resume: resume, steps: steps, log: { printError($0) })
    }

    /// Runs `trainable` with these options' logging, checkpoint and time limits.
    func drive<T: Trainable>(_ trainable: T, elapsed: Double, logEvery defaultLogEvery: Int) throws {
        var driver = TrainingDriver(runDir: out)
        driver.logEvery = logEvery ?? defaultLogEvery
        driver.checkpointSeconds = checkpointMinutes * 60
        driver.checkpointSteps = checkpointEvery
        driver.timeLimit = minutes.map { $0 * 60 }
        try driver.run(trainable, elapsed: elapsed, progress: { printError($0) })
    }
}
