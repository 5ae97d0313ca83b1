#if canImport(Glibc)
import Glibc
#endif

/// Keeps glibc malloc from handing large buffers back to the kernel between layers.
///
/// A decoder allocates and frees the same multi-megabyte activations for every layer of every
/// frame. With glibc's defaults each of them is a fresh `mmap`, page-faulted and zeroed again,
/// which took about 30 % of a 720p P-frame decode. A 32 MiB mmap threshold and a 1 GiB trim
/// threshold keep those blocks in the heap for reuse; peak memory still depends only on the
/// frame size, since the same blocks are reused frame after frame. (No effect off glibc.)
public func tuneAllocatorForFrameBuffers() {
    #if canImport(Glibc)
    _ = mallopt(M_MMAP_THRESHOLD, 32 << 20)
    _ = mallopt(M_TRIM_THRESHOLD, 1 << 30)
    _ = mallopt(M_TOP_PAD, 64 << 20)
    #endif
}
