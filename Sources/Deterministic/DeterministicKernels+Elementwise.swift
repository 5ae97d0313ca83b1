import Tensor
/// Elementwise kernels. Every output depends on its own inputs only, through the same generic
/// `DetMath` code in both variants, so results are exact functions of the inputs.
extension DeterministicKernels {
    /// max(x, 0).
    public static func relu(_ x: Tensor, threads: Int = defaultThreadCount, variant: KernelVariant = .simd) -> Tensor {
        map(x, threads: threads, variant: variant, scalar: { Float.raised($0, atLeast: 0) },
            vector: { DetVector.raised($0, atLeast: DetVector()) })
    }

    /// x if x >= 0, else slope * x.
    public static func leakyRelu(_ x: Tensor, slope: Float = 0.01, threads: Int = defaultThreadCount,
                                 variant: KernelVariant = .simd) -> Tensor {
        map(x, threads: threads, variant: variant, scalar: { leaky($0, slope) }, vector: { leaky($0, slope) })
    }

    @inline(__always) static func leaky<V: DetLanes>(_ x: V, _ slope: Float) -> V {
        V.select(x, lessThan: V(splat: 0), x * V(splat: slope), x)
    }

    /// x * sigmoid(x).
    public static func silu(_ x: Tensor, threads: Int = defaultThreadCount, variant: KernelVariant = .simd) -> Tensor {
        map(x, threads: threads, variant: variant, scalar: { DetMath.silu($0) }, vector: { DetMath.silu($0) })
    }

    /// Exact-form GELU, 0.5 x (1 + erf(x / sqrt 2)).
    public static func gelu(_ x: Tensor, threads: Int = defaultThreadCount, variant: KernelVariant = .simd) -> Tensor {
        map(x, threads: threads, variant: variant, scalar: { DetMath.gelu($0) }, vector: { DetMath.gelu($0) })
    }

    /// 1 / (1 + exp(-x)).
    public static func sigmoid(_ x: Tensor, threads: Int = defaultThreadCount, variant: KernelVariant = .simd) -> Tensor {
        map(x, threads: threads, variant: variant, scalar: { DetMath.sigmoid($0) }, vector: { DetMath.sigmoid($0) })
    }

    /// tanh(x).
    public static func tanh(_ x: Tensor, threads: Int = defaultThreadCount, variant: KernelVariant = .simd) -> Tensor {
        map(x, threads: threads, variant: variant, scalar: { DetMath.tanh($0) }, vector: { DetMath.tanh($0) })
    }

    /// log(1 + exp(x)).
    public static func softplus(_ x: Tensor, threads: Int = defaultThreadCount, variant: KernelVariant = .simd) -> Tensor {
        map(x, threads: threads, variant: variant, scalar: { DetMath.softplus($0) }, vector: { DetMath.softplus($0) })
    }

    /// exp(x).
    public static func exp(_ x: Tensor, threads: Int = defaultThreadCount, variant: KernelVariant = .simd) -> Tensor {
        map(x, threads: threads, variant: variant, scalar: { DetMath.exp($0) }, vector: { DetMath.exp($0) })
    }

    /// a + b, same shapes.
    public static func add(_ a: Tensor, _ b: Tensor, threads: Int = defaultThreadCount,
                           variant: KernelVariant = .simd) -> Tensor {
        zip(a, b, threads: threads, variant: variant, scalar: { $0 + $1 }, vector: { $0 + $1 })
    }

    /// a * b, same shapes.
    public static func mul(_ a: Tensor, _ b: Tensor, threads: Int = defaultThreadCount,
                           variant: KernelVariant = .simd) -> Tensor {
        zip(a, b, threads: threads, variant: variant, scalar: { $0 * $1 }, vector: { $0 * $1 })
    }

    /// x * s.
    public static func scale(_ x: Tensor, by s: Float, threads: Int = defaultThreadCount,
                             variant: KernelVariant = .simd) -> Tensor {
        map(x, threads: threads, variant: variant, scalar: { $0 * s }, vector: { $0 * DetVector(repeating: s) })
    }
}
