/// glibc malloc settings for processes that allocate and free the same large buffers again and
/// again (decoder layers frame after frame, training steps). The one implementation behind
/// `tuneAllocatorForFrameBuffers()` (the codec tools) and `TrainingKernels.retainFreedMemory()`.
public enum HeapTuning {
    /// What `apply` asks glibc for, in bytes.
    public struct Settings: Equatable, Sendable {
        /// Blocks at least this large get their own mmap (and are unmapped when freed).
        public var mmapThreshold: Int32
        /// Free memory at the top of the heap above this is returned to the kernel.
        public var trimThreshold: Int32
        /// Extra bytes requested whenever the heap grows (nil: glibc's default).
        public var topPad: Int32?

        public init(mmapThreshold: Int32, trimThreshold: Int32, topPad: Int32? = nil) {
            self.mmapThreshold = mmapThreshold; self.trimThreshold = trimThreshold; self.topPad = topPad
        }
    }

    /// Sets glibc's thresholds; true when every setting was accepted, false off glibc (where
    /// nothing changes). Call once at start-up, before the buffers it is meant for exist.
    /// Only speed and peak heap size depend on it, never a computed value.
    @discardableResult
    public static func apply(_ s: Settings) -> Bool {
        #if os(Linux)
        // <malloc.h>: M_TRIM_THRESHOLD = -1, M_TOP_PAD = -2, M_MMAP_THRESHOLD = -3; mallopt returns 1 on success.
        var ok = glibcMallopt(-3, s.mmapThreshold) == 1
        ok = glibcMallopt(-1, s.trimThreshold) == 1 && ok
        if let pad = s.topPad { ok = glibcMallopt(-2, pad) == 1 && ok }
        return ok
        #else
        return false
        #endif
    }
}

#if os(Linux)
/// glibc's `mallopt` (its header, <malloc.h>, is not part of the Glibc module).
@_silgen_name("mallopt")
private func glibcMallopt(_ param: Int32, _ value: Int32) -> Int32
#endif
