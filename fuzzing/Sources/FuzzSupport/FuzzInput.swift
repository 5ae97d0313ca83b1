import Foundation

/// Helpers shared by the fuzz entry points.
public enum FuzzInput {
    /// The bytes libFuzzer hands to `LLVMFuzzerTestOneInput`.
    public static func bytes(_ data: UnsafePointer<UInt8>?, _ size: Int) -> [UInt8] {
        guard let data, size > 0 else { return [] }
        return Array(UnsafeBufferPointer(start: data, count: size))
    }

    /// The repository root (fuzzing/Sources/FuzzSupport/ is three levels below it), for weights.
    public static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    /// A per-process scratch file in memory-backed storage, for readers that only open paths;
    /// removed when the process exits normally.
    public static let scratchPath: String = {
        let dir = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
        atexit { unlink(FuzzInput.scratchPath) }
        return (dir as NSString).appendingPathComponent("dcvc-fuzz-\(getpid()).bin")
    }()

    /// Writes `bytes` to `scratchPath`, replacing what was there.
    public static func writeScratch(_ bytes: [UInt8]) {
        let fd = open(scratchPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        precondition(fd >= 0, "cannot create \(scratchPath)")
        defer { close(fd) }
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + done, bytes.count - done) }
            precondition(n > 0, "cannot write \(scratchPath)")
            done += n
        }
    }
}

/// Stops the run with `message` when `condition` fails: a finding. (`precondition` drops its
/// message in optimized builds; this one reaches libFuzzer's log.)
public func fuzzCheck(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String) {
    if !condition() { fatalError(message()) }
}
