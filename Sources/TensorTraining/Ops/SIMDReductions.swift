import Tensor
/// Float reductions over contiguous runs with eight independent lanes (a serial `s += p[i]` loop
/// cannot vectorise: the compiler may not reassociate float adds). Training path only; the lanes
/// change the summation order, not the accuracy class (each lane sums n/8 terms).
extension TrainingKernels {
    @inline(__always)
    static func load8(_ p: UnsafePointer<Float>) -> SIMD8<Float> { UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self) }

    /// Σ p[0..<n].
    @inline(__always)
    static func laneSum(_ p: UnsafePointer<Float>, _ n: Int) -> Float {
        var a = SIMD8<Float>(), b = SIMD8<Float>(), i = 0
        while i + 16 <= n { a += load8(p + i); b += load8(p + i + 8); i += 16 }
        var s = (a + b).sum()
        while i < n { s += p[i]; i += 1 }
        return s
    }

    /// Σ (p[i] - m)² over 0..<n.
    @inline(__always)
    static func laneSquaredDeviations(_ p: UnsafePointer<Float>, _ n: Int, mean m: Float) -> Float {
        let mv = SIMD8<Float>(repeating: m)
        var a = SIMD8<Float>(), b = SIMD8<Float>(), i = 0
        while i + 16 <= n {
            let u = load8(p + i) - mv, v = load8(p + i + 8) - mv
            a += u * u; b += v * v; i += 16
        }
        var s = (a + b).sum()
        while i < n { let d = p[i] - m; s += d * d; i += 1 }
        return s
    }

    /// (Σ g[i], Σ g[i] (x[i] - m)) over 0..<n.
    @inline(__always)
    static func laneSumAndCenteredDot(_ g: UnsafePointer<Float>, _ x: UnsafePointer<Float>, _ n: Int, mean m: Float)
        -> (Float, Float) {
        let mv = SIMD8<Float>(repeating: m)
        var s1 = SIMD8<Float>(), s2 = SIMD8<Float>(), i = 0
        while i + 8 <= n {
            let gv = load8(g + i)
            s1 += gv; s2 += gv * (load8(x + i) - mv); i += 8
        }
        var a = s1.sum(), b = s2.sum()
        while i < n { a += g[i]; b += g[i] * (x[i] - m); i += 1 }
        return (a, b)
    }
}
