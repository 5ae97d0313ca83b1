import Tensor
/// Transcendental functions for the deterministic decoding path, written from + - * / only.
///
/// libm differs between platforms and versions; these do not. Each function is generic over
/// `DetLanes`, so the scalar path (`Float`) and the SIMD path (`SIMD16<Float>`) execute the same
/// operations per lane and agree bit for bit. Branches are computed on both sides and selected,
/// which keeps the scalar and vector code identical. Error bounds, measured against Double libm
/// over dense sweeps in `DeterministicMathTests`, are stated in spec/deterministic-math.md.
public enum DetMath {
    /// `exp(x)`. Cody-Waite reduction x = n ln2 + r, |r| <= ln2/2, degree-7 polynomial in r, and a
    /// two-step exact scaling by 2^n so results stay right down to the subnormal range.
    @inlinable public static func exp<V: DetLanes>(_ x: V) -> V {
        let xc = V.lowered(V.raised(x, atLeast: V(splat: -104)), atMost: V(splat: 89))
        let n = (xc * V(splat: 1.44269504088896341)).roundedEven()
        let r = (xc - n * V(splat: 0.693359375)) - n * V(splat: -2.12194440e-4)
        var p = V(splat: 1.9875691500e-4)
        p = p * r + V(splat: 1.3981999507e-3)
        p = p * r + V(splat: 8.3334519073e-3)
        p = p * r + V(splat: 4.1665795894e-2)
        p = p * r + V(splat: 1.6666665459e-1)
        p = p * r + V(splat: 5.0000001201e-1)
        let y = (p * (r * r) + r) + V(splat: 1)
        let n1 = (n * V(splat: 0.5)).floored()
        let n2 = n - n1
        return (y * V.pow2(n1)) * V.pow2(n2)
    }

    /// Natural logarithm. x = m 2^e with m in [sqrt(1/2), sqrt(2)); log(m) by a degree-9 polynomial in
    /// f = m - 1, e ln2 added in two parts. log(0) = -inf, log(x < 0) = NaN, log(inf) = inf.
    @inlinable public static func log<V: DetLanes>(_ x: V) -> V {
        let minNormal = V(splat: Float.leastNormalMagnitude)
        // Subnormals are scaled into the normal range first.
        let xs = V.select(x, lessThan: minNormal, x * V(splat: 16_777_216), x)
        let eAdj = V.select(x, lessThan: minNormal, V(splat: -24), V(splat: 0))
        var (m, e) = V.frexp(xs)
        let sqrt2 = V(splat: 1.41421356237309505)
        e = V.select(sqrt2, lessThan: m, e + V(splat: 1), e) + eAdj
        m = V.select(sqrt2, lessThan: m, m * V(splat: 0.5), m)
        let f = m - V(splat: 1)
        let z = f * f
        var p = V(splat: 7.0376836292e-2)
        p = p * f + V(splat: -1.1514610310e-1)
        p = p * f + V(splat: 1.1676998740e-1)
        p = p * f + V(splat: -1.2420140846e-1)
        p = p * f + V(splat: 1.4249322787e-1)
        p = p * f + V(splat: -1.6668057665e-1)
        p = p * f + V(splat: 2.0000714765e-1)
        p = p * f + V(splat: -2.4999993993e-1)
        p = p * f + V(splat: 3.3333331174e-1)
        var y = p * f * z
        y = y + e * V(splat: -2.12194440e-4)
        y = y - V(splat: 0.5) * z
        var r = (f + y) + e * V(splat: 0.693359375)
        r = r + (x - x)  // NaN in, NaN out (frexp of a NaN pattern is finite)
        r = V.select(x, lessThan: V(splat: Float.leastNonzeroMagnitude), V(splat: -Float.infinity), r)
        r = V.select(x, lessThan: V(splat: 0), V(splat: Float.nan), r)
        r = V.select(V(splat: Float.greatestFiniteMagnitude), lessThan: x, V(splat: Float.infinity), r)
        return r
    }

    /// `log(1 + x)`, accurate for small x: log(u) * x / (u - 1) with u = 1 + x (Goldberg's trick).
    @inlinable public static func log1p<V: DetLanes>(_ x: V) -> V {
        let u = x + V(splat: 1)
        let d = u - V(splat: 1)
        // d == 0 exactly when u rounded to 1; then log1p(x) = x to working precision.
        let dz = V.select(d.magnitudeValue(), lessThan: V(splat: Float.leastNonzeroMagnitude), V(splat: 1), d)
        let q = log(u) * (x / dz)
        return V.select(d.magnitudeValue(), lessThan: V(splat: Float.leastNonzeroMagnitude), x,
                        V.select(V(splat: Float.greatestFiniteMagnitude), lessThan: u, u, q))
    }

    /// Error function. |x| < 1: x P(x^2) (degree 6); 1 <= |x| < 4: 1 - exp(-x^2) Q(1/|x|) (degree 8);
    /// beyond: +-1 (erfc(4) is below half an ulp of 1).
    @inlinable public static func erf<V: DetLanes>(_ x: V) -> V {
        let a = x.magnitudeValue()
        let z = x * x
        var p = V(splat: 7.898209878476337e-05)
        p = p * z + V(splat: -0.0008024353883229196)
        p = p * z + V(splat: 0.00519005348905921)
        p = p * z + V(splat: -0.026854809373617172)
        p = p * z + V(splat: 0.11283612251281738)
        p = p * z + V(splat: -0.3761262893676758)
        p = p * z + V(splat: 1.128379225730896)
        let small = x * p
        let ac = V.lowered(V.raised(a, atLeast: V(splat: 1)), atMost: V(splat: 4))
        let t = V(splat: 1) / ac
        var q = V(splat: -0.012079884298145771)
        q = q * t + V(splat: 0.04147293418645859)
        q = q * t + V(splat: -0.003256680676713586)
        q = q * t + V(splat: -0.21059322357177734)
        q = q * t + V(splat: 0.4749651551246643)
        q = q * t + V(splat: -0.4620603919029236)
        q = q * t + V(splat: 0.03947317227721214)
        q = q * t + V(splat: 0.5594154596328735)
        q = q * t + V(splat: 0.0002469873579684645)
        let tail = V(splat: 1) - exp(V(splat: 0) - ac * ac) * q
        let big = V.select(a, lessThan: V(splat: 4), tail, V(splat: 1))
        return V.select(a, lessThan: V(splat: 1), small, V.copySign(big, from: x)) + (x - x)
    }

    /// Logistic sigmoid 1 / (1 + exp(-x)).
    @inlinable public static func sigmoid<V: DetLanes>(_ x: V) -> V {
        V(splat: 1) / (V(splat: 1) + exp(V(splat: 0) - x))
    }

    /// Hyperbolic tangent: odd polynomial for |x| < 0.625, else sign(x) (1 - 2 / (exp(2|x|) + 1)).
    @inlinable public static func tanh<V: DetLanes>(_ x: V) -> V {
        let a = x.magnitudeValue()
        let z = x * x
        var p = V(splat: -5.70498872745e-3)
        p = p * z + V(splat: 2.06390887954e-2)
        p = p * z + V(splat: -5.37397155531e-2)
        p = p * z + V(splat: 1.33314422036e-1)
        p = p * z + V(splat: -3.33332819422e-1)
        let small = p * z * x + x
        let big = V(splat: 1) - V(splat: 2) / (exp(a + a) + V(splat: 1))
        return V.select(a, lessThan: V(splat: 0.625), small, V.copySign(big, from: x))
    }

    /// Softplus log(1 + exp(x)) = max(x, 0) + log1p(exp(-|x|)), without overflow.
    @inlinable public static func softplus<V: DetLanes>(_ x: V) -> V {
        let pos = V.raised(x, atLeast: V(splat: 0))
        return pos + log1p(exp(V(splat: 0) - x.magnitudeValue()))
    }

    /// SiLU x * sigmoid(x).
    @inlinable public static func silu<V: DetLanes>(_ x: V) -> V { x * sigmoid(x) }

    /// GELU, exact (erf) form as PyTorch's default: 0.5 x (1 + erf(x / sqrt 2)).
    @inlinable public static func gelu<V: DetLanes>(_ x: V) -> V {
        V(splat: 0.5) * x * (V(splat: 1) + erf(x * V(splat: 0.70710678118654752)))
    }
}
