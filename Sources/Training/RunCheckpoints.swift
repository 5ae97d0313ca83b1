import Foundation
import Tensor
import TensorTraining

/// The checkpoint files of a training run directory: `ckpt-<step>.safetensors`, step zero-padded
/// to 8 digits so that name order is step order.
public enum RunCheckpoints {
    static let prefix = "ckpt-", suffix = ".safetensors"

    /// Checkpoints in `runDir`, oldest first.
    public static func list(_ runDir: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: runDir)) ?? []
        return names.filter { $0.hasPrefix(prefix) && $0.hasSuffix(suffix) }.sorted()
            .map { (runDir as NSString).appendingPathComponent($0) }
    }

    /// The path of the checkpoint at `step`.
    public static func path(runDir: String, step: Int) -> String {
        (runDir as NSString).appendingPathComponent(String(format: "\(prefix)%08d\(suffix)", step))
    }

    /// `path` itself when it is a file, else the newest checkpoint of the run directory `path`
    /// (nil when it has none).
    public static func newest(runOrFile path: String) -> String? {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue else { return path }
        return list(path).last
    }

    /// Deletes all but the newest `keep` checkpoints.
    public static func prune(_ runDir: String, keep: Int) {
        for old in list(runDir).dropLast(keep) { try? FileManager.default.removeItem(atPath: old) }
    }
}

/// Training options that carry the schedule's total step count (a resume may change it).
public protocol StepOptions: Codable {
    var steps: Int { get set }
}

/// A trainer whose whole state one run checkpoint holds: weights, Adam moments, step, RNG, the
/// model configuration (JSON under `configKey`) and the training options.
public protocol CheckpointedTrainer: AnyObject {
    associatedtype Options: StepOptions
    /// `__metadata__` key of the configuration JSON.
    static var configKey: String { get }
    /// Builds an untrained trainer from a stored configuration and options.
    static func restoring(configJSON: String, options: Options) throws -> Self
    var configJSON: String { get }
    var options: Options { get }
    var trainedParameters: ParameterSet { get }
    var adam: Adam { get }
    /// Every optimizer by checkpoint key (default: `adam` under ""); a trainer with a
    /// discriminator adds the discriminator's Adam under its own key.
    var optimizers: [String: Adam] { get }
    var step: Int { get set }
    var rng: RNG { get set }
    /// The learning rate of the current step (logged).
    var learningRate: Float { get }
}

extension CheckpointedTrainer {
    public var optimizers: [String: Adam] { ["": adam] }
}

extension RunCheckpoints {
    /// Saves `t` as the checkpoint of its step in `runDir`, keeping the newest `keep`; returns its path.
    @discardableResult
    public static func save<T: CheckpointedTrainer>(_ t: T, runDir: String, elapsed: Double, keep: Int = 2) throws -> String {
        let path = path(runDir: runDir, step: t.step)
        let opts = String(decoding: try JSONEncoder().encode(t.options), as: UTF8.self)
        try Checkpoint.save(to: path, params: t.trainedParameters, optimizers: t.optimizers, step: t.step, rng: t.rng,
                            extra: [T.configKey: t.configJSON, "train_options": opts, "elapsed_seconds": String(elapsed)])
        prune(runDir, keep: keep)
        return path
    }

    /// The trainer of checkpoint `path` (its stored configuration and options; `steps` replaces the
    /// stored total when given) and the training seconds already spent.
    public static func restore<T: CheckpointedTrainer>(_ path: String, as type: T.Type, steps: Int? = nil) throws -> (T, Double) {
        let f = try SafeTensorsFile.read(from: path)
        guard let c = f.metadata[T.configKey], let o = f.metadata["train_options"] else {
            throw SafeTensorsError.malformed(path: path, reason: "not a checkpoint of this model (no \(T.configKey))")
        }
        var options = try JSONDecoder().decode(T.Options.self, from: Data(o.utf8))
        if let steps { options.steps = steps }
        let t = try T.restoring(configJSON: c, options: options)
        let s = try Checkpoint.load(from: path, params: t.trainedParameters, optimizers: t.optimizers)
        t.step = s.step; t.rng = s.rng
        return (t, Double(s.metadata["elapsed_seconds"] ?? "0") ?? 0)
    }

    /// What `--resume` gives: the trainer of the newest checkpoint in `runDir` and its elapsed
    /// seconds (logged), or nil when not resuming or when the directory has no checkpoint (logged).
    public static func resumed<T: CheckpointedTrainer>(_ type: T.Type, runDir: String, resume: Bool, steps: Int?,
                                                       log: (String) -> Void) throws -> (T, Double)? {
        guard resume else { return nil }
        guard let last = list(runDir).last else {
            log("no checkpoint in \(runDir); starting fresh")
            return nil
        }
        let r = try restore(last, as: type, steps: steps)
        log("resuming \(last) at step \(r.0.step)")
        return r
    }
}
