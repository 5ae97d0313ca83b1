import Foundation
import Tensor

/// The heap settings the codec tools start with: a 32 MiB mmap threshold, a 1 GiB trim
/// threshold and a 64 MiB top pad.
public let frameBufferHeap = HeapTuning.Settings(mmapThreshold: 32 << 20, trimThreshold: 1 << 30, topPad: 64 << 20)

/// Keeps frame-sized buffers in the heap (glibc): call at start-up, before `runTool`.
///
/// A codec allocates and frees the same multi-megabyte activations for every layer of every
/// frame; with glibc's defaults each is a fresh mmap, page-faulted and zeroed by the kernel
/// again, and munmapped when freed (about a third of a 720p P-frame decode). With
/// `frameBufferHeap` they are reused from the heap; peak memory still depends only on the frame
/// size. `DCVC_DEFAULT_MALLOC=1` in the environment leaves glibc's defaults (for A/B timing).
/// Returns whether the settings were applied.
@discardableResult
public func tuneAllocatorForFrameBuffers(environment: [String: String] = ProcessInfo.processInfo.environment) -> Bool {
    if environment["DCVC_DEFAULT_MALLOC"] == "1" { return false }
    return HeapTuning.apply(frameBufferHeap)
}
