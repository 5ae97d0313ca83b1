import Tensor
import Dispatch

/// Namespace of the training-path kernels (OpenBLAS and threads allowed; results may differ in
/// the last bits between thread counts — the decoder uses the deterministic kernels instead).
public enum TrainingKernels {
    /// Threads used by the training kernels (defaults to the machine's cores). Set it before
    /// running kernels; the kernels themselves are not meant to be called from several threads.
    nonisolated(unsafe) public static var threads: Int = defaultThreadCount
}

extension TrainingKernels {
    /// Runs `body` over `0..<count`, split across `threads` when each part gets at least `grain`
    /// items, inline otherwise. Chunk bounds depend only on the sizes.
    @inlinable
    public static func parallelFor(_ count: Int, grain: Int = 1 << 15, _ body: (Range<Int>) -> Void) {
        let parts = min(threads, count / max(1, grain))
        if parts <= 1 {
            if count > 0 { body(0..<count) }
        } else {
            parallelChunks(count, parts: parts, body)
        }
    }

    /// Like `parallelChunks`, but also passes the chunk's index (for per-thread partial results).
    public static func parallelParts(_ count: Int, parts: Int, _ body: (Int, Range<Int>) -> Void) {
        let p = max(1, min(parts, count))
        if p == 1 { if count > 0 { body(0, 0..<count) }; return }
        DispatchQueue.concurrentPerform(iterations: p) { i in
            let lo = count * i / p, hi = count * (i + 1) / p
            if lo < hi { body(i, lo..<hi) }
        }
    }
}
