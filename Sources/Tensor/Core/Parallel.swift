import Dispatch

/// Splits `0..<count` into `parts` contiguous chunks and runs `body` on each, concurrently.
///
/// Chunk boundaries depend only on `count` and `parts`, never on timing, so work split by output
/// tiles stays deterministic. With `parts <= 1` the body runs inline.
public func parallelChunks(_ count: Int, parts: Int, _ body: (Range<Int>) -> Void) {
    let p = max(1, min(parts, count))
    if p == 1 { if count > 0 { body(0..<count) }; return }
    DispatchQueue.concurrentPerform(iterations: p) { i in
        let lo = count * i / p
        let hi = count * (i + 1) / p
        if lo < hi { body(lo..<hi) }
    }
}

/// The thread count used when a caller does not say: the machine's active cores.
public var defaultThreadCount: Int {
    ProcessInfoCores.active
}

enum ProcessInfoCores {
    static let active: Int = {
        #if canImport(Glibc)
        let n = sysconf(Int32(_SC_NPROCESSORS_ONLN))
        return n > 0 ? n : 1
        #else
        return 1
        #endif
    }()
}

#if canImport(Glibc)
import Glibc
#endif
