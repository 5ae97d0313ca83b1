import Foundation
import Models
import Tensor

/// The training loop of `dcvc-train vq`: batches from the sampler (prefetched), a CSV line every
/// `logEvery` steps with PSNR per prefix, per-level perplexity and dead codes, a progress line
/// on stderr, and a checkpoint every `checkpointSeconds` and at the end.
public struct VQTrainingRun {
    public var runDir: String
    public var logEvery = 25
    public var checkpointSeconds: Double = 240
    /// Optional hook for tests: stop after this many steps in this process.
    public var stopAfter: Int? = nil

    public init(runDir: String) { self.runDir = runDir }

    /// Trains until `trainer.options.steps`; `elapsed` is the time already spent (resume).
    public func run(_ trainer: VQTrainer, sampler: BatchSampler, elapsed start: Double,
                    progress: (String) -> Void) throws {
        try FileManager.default.createDirectory(atPath: runDir, withIntermediateDirectories: true)
        let csvPath = (runDir as NSString).appendingPathComponent("log.csv")
        let L = trainer.config.levels
        let prefixes = [1, 2, 4, 8].filter { $0 <= L }
        let header = (["step", "seconds", "lr", "loss", "rec", "msssim", "commit"] + prefixes.map { "psnr_p\($0)" } + prefixes.map { "latent_db_p\($0)" }
                      + (0..<L).map { "ppl_l\($0)" } + (0..<L).map { "dead_l\($0)" }).joined(separator: ",")
        let csv = try CSVLog(path: csvPath, header: header, truncateAfterStep: trainer.step)
        let prefetch = BatchPrefetcher(sampler: sampler)
        let clock = Date()
        var lastCheckpoint = Date()
        var deadSum = [Int](repeating: 0, count: L)
        var acc = (loss: 0.0, rec: 0.0, ms: 0.0, commit: 0.0, n: 0)
        var ran = 0
        while trainer.step < trainer.options.steps {
            let x = prefetch.batch(step: trainer.step)
            let lr = trainer.learningRate
            let r = trainer.trainStep(x)
            guard r.loss.isFinite else { throw TrainingDiverged(step: trainer.step, loss: r.loss) }
            for l in 0..<L { deadSum[l] += r.levelStats[l].dead }
            acc.loss += Double(r.loss); acc.rec += Double(r.reconstruction); acc.ms += Double(r.msssim)
            acc.commit += Double(r.commitment); acc.n += 1
            ran += 1
            let seconds = start + Date().timeIntervalSince(clock)
            if trainer.step % logEvery == 0 || trainer.step == trainer.options.steps {
                let psnr = trainer.psnr(x, prefixes: prefixes)
                let n = Double(acc.n)
                let fields = [String(trainer.step), String(format: "%.1f", seconds), String(format: "%.3g", lr),
                              String(format: "%.5f", acc.loss / n), String(format: "%.5f", acc.rec / n),
                              String(format: "%.4f", acc.ms / n), String(format: "%.5f", acc.commit / n)]
                    + psnr.map { String(format: "%.2f", $0) }
                    + prefixes.map { String(format: "%.2f", -10 * Foundation.log10(max(r.latentError[$0 - 1], 1e-12))) }
                    + r.levelStats.map { String(format: "%.1f", $0.perplexity) } + deadSum.map(String.init)
                try csv.append(fields.joined(separator: ","))
                progress("step \(trainer.step)/\(trainer.options.steps) \(String(format: "%.0f", seconds))s "
                         + "loss \(String(format: "%.4f", acc.loss / n)) psnr "
                         + zip(prefixes, psnr).map { "p\($0):\(String(format: "%.2f", $1))" }.joined(separator: " ")
                         + " ppl " + r.levelStats.map { String(format: "%.0f", $0.perplexity) }.joined(separator: "/")
                         + " dead " + deadSum.map(String.init).joined(separator: "/"))
                deadSum = [Int](repeating: 0, count: L)
                acc = (0, 0, 0, 0, 0)
            }
            let done = trainer.step == trainer.options.steps || (stopAfter.map { ran >= $0 } ?? false)
            if done || Date().timeIntervalSince(lastCheckpoint) >= checkpointSeconds {
                let p = try VQCheckpoints.save(trainer, runDir: runDir, elapsed: seconds)
                progress("checkpoint \(p)")
                lastCheckpoint = Date()
            }
            if done { break }
        }
    }
}

/// The loss became NaN or infinite.
public struct TrainingDiverged: Error, CustomStringConvertible {
    public var step: Int, loss: Float
    public var description: String { "training diverged at step \(step) (loss \(loss))" }
}

/// An append-only CSV file; on resume, lines past the checkpoint's step are dropped so the log
/// matches the state being continued.
final class CSVLog {
    let handle: FileHandle

    init(path: String, header: String, truncateAfterStep step: Int) throws {
        var lines: [String] = [header]
        if let text = try? String(contentsOfFile: path, encoding: .utf8), step > 0 {
            for line in text.split(separator: "\n").dropFirst() {
                if let s = Int(line.split(separator: ",").first ?? ""), s <= step { lines.append(String(line)) }
            }
        }
        let body = lines.joined(separator: "\n") + "\n"
        guard FileManager.default.createFile(atPath: path, contents: Data(body.utf8)),
              let h = FileHandle(forWritingAtPath: path) else { throw DataError.cache(path: path, reason: "cannot write the CSV log") }
        h.seekToEndOfFile()
        handle = h
    }

    func append(_ line: String) throws {
        handle.write(Data((line + "\n").utf8))
    }

    deinit { try? handle.close() }
}
