#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Removes registered temporary outputs when the process is stopped by SIGINT, SIGTERM or
/// SIGHUP, then dies of the same signal (so the shell sees 128 + signal).
///
/// The handler only calls `unlink`, `signal` and `raise` (async-signal-safe) on C strings
/// copied when each path was registered.
enum TemporaryFileCleanup {
    static let capacity = 16
    nonisolated(unsafe) static let slots: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?> = {
        let p = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>.allocate(capacity: capacity)
        p.initialize(repeating: nil, count: capacity)
        return p
    }()
    nonisolated(unsafe) private static var installed = false
    static let signals = [SIGINT, SIGTERM, SIGHUP]

    /// Registers `path` for removal on a signal; returns its slot (nil when all are taken).
    static func register(_ path: String) -> Int? {
        if !installed {
            installed = true
            for s in signals { signal(s, onSignal) }
        }
        for i in 0..<capacity where slots[i] == nil {
            slots[i] = strdup(path)
            return i
        }
        return nil
    }

    /// Forgets a slot (after the file was renamed into place or removed).
    static func unregister(_ slot: Int) {
        let p = slots[slot]
        slots[slot] = nil
        free(p)
    }
}

private let onSignal: @convention(c) (Int32) -> Void = { sig in
    for i in 0..<TemporaryFileCleanup.capacity {
        if let p = TemporaryFileCleanup.slots[i] { unlink(p) }
    }
    signal(sig, SIG_DFL)
    raise(sig)
}
