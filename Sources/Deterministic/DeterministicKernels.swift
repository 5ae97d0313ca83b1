import Tensor
/// Kernels for the decoding path that give the same bits on every IEEE-754 machine, for every
/// thread count and for both `KernelVariant`s (spec/deterministic-math.md).
///
/// Rules every kernel here follows:
/// - no BLAS and no libm transcendentals (`DetMath` supplies exp/log/erf/tanh/...);
/// - each output is a fixed sequence of IEEE operations, written down in its doc comment;
/// - SIMD vectors hold independent outputs, never partial sums of one reduction;
/// - threads split the outputs into tiles (`parallelChunks`), never a reduction;
/// - no fused multiply-add (Swift does not contract `a * b + c`; we never call `fma`).
public enum DeterministicKernels {}

extension DeterministicKernels {
    /// Runs `body` over `count` independent work items split into `threads` contiguous chunks.
    @inline(__always)
    static func forEachTile(_ count: Int, threads: Int, _ body: (Range<Int>) -> Void) {
        parallelChunks(count, parts: max(1, threads), body)
    }

    /// Applies `scalar` to each element, or `vector` to runs of 16 and `scalar` to the tail.
    /// Both closures must compute the same per-lane function (the generic `DetMath` ones do).
    static func map(_ x: Tensor, threads: Int, variant: KernelVariant,
                    scalar: (Float) -> Float, vector: (DetVector) -> DetVector) -> Tensor {
        var out = [Float](repeating: 0, count: x.count)
        let n = x.count
        x.storage.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                let s = src.baseAddress!, d = dst.baseAddress!
                // Tiles of 4096 elements keep chunk boundaries on vector boundaries.
                let tiles = (n + 4095) / 4096
                forEachTile(tiles, threads: threads) { r in
                    for t in r {
                        var i = t * 4096
                        let end = min(n, i + 4096)
                        if variant == .simd {
                            while i + 16 <= end {
                                let v = UnsafeRawPointer(s + i).loadUnaligned(as: DetVector.self)
                                UnsafeMutableRawPointer(d + i).storeBytes(of: vector(v), as: DetVector.self)
                                i += 16
                            }
                        }
                        while i < end { d[i] = scalar(s[i]); i += 1 }
                    }
                }
            }
        }
        return Tensor(shape: x.shape, storage: out)
    }

    /// Elementwise combination of two tensors of equal shape (same tiling as `map`).
    static func zip(_ a: Tensor, _ b: Tensor, threads: Int, variant: KernelVariant,
                    scalar: (Float, Float) -> Float,
                    vector: (DetVector, DetVector) -> DetVector) -> Tensor {
        precondition(a.shape == b.shape, "elementwise shapes differ: \(a.shape) vs \(b.shape)")
        var out = [Float](repeating: 0, count: a.count)
        let n = a.count
        a.storage.withUnsafeBufferPointer { pa in
            b.storage.withUnsafeBufferPointer { pb in
                out.withUnsafeMutableBufferPointer { dst in
                    let sa = pa.baseAddress!, sb = pb.baseAddress!, d = dst.baseAddress!
                    let tiles = (n + 4095) / 4096
                    forEachTile(tiles, threads: threads) { r in
                        for t in r {
                            var i = t * 4096
                            let end = min(n, i + 4096)
                            if variant == .simd {
                                while i + 16 <= end {
                                    let u = UnsafeRawPointer(sa + i).loadUnaligned(as: DetVector.self)
                                    let v = UnsafeRawPointer(sb + i).loadUnaligned(as: DetVector.self)
                                    UnsafeMutableRawPointer(d + i).storeBytes(of: vector(u, v), as: DetVector.self)
                                    i += 16
                                }
                            }
                            while i < end { d[i] = scalar(sa[i], sb[i]); i += 1 }
                        }
                    }
                }
            }
        }
        return Tensor(shape: a.shape, storage: out)
    }
}
