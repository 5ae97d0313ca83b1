import Foundation

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

    /// Deletes all but the newest `keep` checkpoints.
    public static func prune(_ runDir: String, keep: Int) {
        for old in list(runDir).dropLast(keep) { try? FileManager.default.removeItem(atPath: old) }
    }
}
