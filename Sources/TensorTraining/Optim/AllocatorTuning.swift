extension TrainingKernels {
    /// Keeps freed memory in the process instead of returning it to the kernel (glibc only).
    ///
    /// A training step allocates and frees activations and GEMM buffers of several MiB each; by
    /// default glibc serves those with fresh mmap'd pages, so every step pays page faults and the
    /// kernel's page zeroing (about 7 % of the reference model's step). Raising the mmap and trim
    /// thresholds lets the heap reuse them. Call once at start-up of a training process; the
    /// process then keeps its peak heap size.
    public static func retainFreedMemory() {
        #if os(Linux)
        // <malloc.h>: M_TRIM_THRESHOLD = -1, M_MMAP_THRESHOLD = -3.
        _ = glibcMallopt(-3, 1 << 30)
        _ = glibcMallopt(-1, 1 << 30)
        #endif
    }
}

#if os(Linux)
/// glibc's `mallopt` (its header, <malloc.h>, is not part of the Glibc module).
@_silgen_name("mallopt")
private func glibcMallopt(_ param: Int32, _ value: Int32) -> Int32
#endif
