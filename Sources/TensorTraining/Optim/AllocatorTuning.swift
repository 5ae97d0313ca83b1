import Tensor

extension TrainingKernels {
    /// Keeps freed memory in the process instead of returning it to the kernel (glibc only).
    ///
    /// A training step allocates and frees activations and GEMM buffers of several MiB each; by
    /// default glibc serves those with fresh mmap'd pages, so every step pays page faults and the
    /// kernel's page zeroing (about 7 % of the reference model's step). Raising the mmap and trim
    /// thresholds lets the heap reuse them. Call once at start-up of a training process; the
    /// process then keeps its peak heap size.
    public static func retainFreedMemory() {
        HeapTuning.apply(retainedHeap)
    }

    /// The settings `retainFreedMemory()` applies: a 1 GiB mmap and trim threshold.
    public static let retainedHeap = HeapTuning.Settings(mmapThreshold: 1 << 30, trimThreshold: 1 << 30)
}
