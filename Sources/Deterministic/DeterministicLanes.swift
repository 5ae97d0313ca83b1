import Tensor
/// Which implementation of a deterministic kernel runs: one output at a time, or `Lanes.width`
/// independent outputs per SIMD vector. Both compute every output with the same operations in the
/// same order, so they give bit-identical results; tests check it.
public enum KernelVariant: String, Sendable, CaseIterable {
    /// Plain scalar loops, one output element at a time.
    case scalar
    /// SIMD vectors across independent output elements (never across a reduction).
    case simd
}

/// The vector type of the SIMD variant: 16 Float lanes, whatever the hardware width.
public typealias DetVector = SIMD16<Float>

/// Arithmetic the deterministic math functions are written against, so the scalar (`Float`) and
/// vector (`SIMD16<Float>`) paths run the very same generic code: identical per-lane operations.
///
/// Every requirement is exactly rounded IEEE-754 (+ - * / sqrt), a comparison/select, or an exact
/// bit manipulation; nothing calls libm.
public protocol DetLanes {
    static func + (a: Self, b: Self) -> Self
    static func - (a: Self, b: Self) -> Self
    static func * (a: Self, b: Self) -> Self
    static func / (a: Self, b: Self) -> Self
    /// All lanes equal to `v`.
    init(splat v: Float)
    /// Round to the nearest integer, ties to even (exact).
    func roundedEven() -> Self
    /// Round toward minus infinity (exact).
    func floored() -> Self
    /// Correctly rounded square root (the standard library's, for both conformers).
    func squareRoot() -> Self
    /// `b` where `a < b` lanewise, else `a` (NaN lanes keep `a`).
    static func raised(_ a: Self, atLeast b: Self) -> Self
    /// `b` where `a > b` lanewise, else `a` (NaN lanes keep `a`).
    static func lowered(_ a: Self, atMost b: Self) -> Self
    /// `ifLess` where `a < b` lanewise, else `otherwise`.
    static func select(_ a: Self, lessThan b: Self, _ ifLess: Self, _ otherwise: Self) -> Self
    /// `2^n` for integer-valued `n` in [-126, 127], built from its bit pattern (exact).
    static func pow2(_ n: Self) -> Self
    /// Splits positive normal `x` into `m` in [1, 2) and the integer exponent `e` (as a float):
    /// `x = m * 2^e`, exact.
    static func frexp(_ x: Self) -> (m: Self, e: Self)
    /// Copies the sign of `s` onto `x` (exact).
    static func copySign(_ x: Self, from s: Self) -> Self
    /// Absolute value (exact).
    func magnitudeValue() -> Self
}

extension Float: DetLanes {
    @inline(__always) public init(splat v: Float) { self = v }
    @inline(__always) public func roundedEven() -> Float { rounded(.toNearestOrEven) }
    @inline(__always) public func floored() -> Float { rounded(.down) }
    @inline(__always) public static func raised(_ a: Float, atLeast b: Float) -> Float { a < b ? b : a }
    @inline(__always) public static func lowered(_ a: Float, atMost b: Float) -> Float { a > b ? b : a }
    @inline(__always) public static func select(_ a: Float, lessThan b: Float, _ t: Float, _ f: Float) -> Float {
        a < b ? t : f
    }
    @inline(__always) public static func pow2(_ n: Float) -> Float {
        // n + 1.5 * 2^23 holds the integer n in its low mantissa bits; no conversion, no trap.
        Float(bitPattern: ((n + 12_582_912).bitPattern &- 0x4B40_0000 &+ 127) &<< 23)
    }
    @inline(__always) public static func frexp(_ x: Float) -> (m: Float, e: Float) {
        let b = x.bitPattern
        // The biased exponent is placed in the mantissa of 1.5 * 2^23 and read back exactly.
        let e = Float(bitPattern: 0x4B40_0000 &+ ((b &>> 23) & 0xff)) - (12_582_912 + 127)
        return (Float(bitPattern: (b & 0x007f_ffff) | 0x3f80_0000), e)
    }
    @inline(__always) public static func copySign(_ x: Float, from s: Float) -> Float {
        Float(bitPattern: (x.bitPattern & 0x7fff_ffff) | (s.bitPattern & 0x8000_0000))
    }
    @inline(__always) public func magnitudeValue() -> Float { Float(bitPattern: bitPattern & 0x7fff_ffff) }
}

extension SIMD16: DetLanes where Scalar == Float {
    @inline(__always) public init(splat v: Float) { self.init(repeating: v) }
    @inline(__always) public func roundedEven() -> SIMD16<Float> { rounded(.toNearestOrEven) }
    @inline(__always) public func floored() -> SIMD16<Float> { rounded(.down) }
    @inline(__always) public static func raised(_ a: SIMD16<Float>, atLeast b: SIMD16<Float>) -> SIMD16<Float> {
        a.replacing(with: b, where: a .< b)
    }
    @inline(__always) public static func lowered(_ a: SIMD16<Float>, atMost b: SIMD16<Float>) -> SIMD16<Float> {
        a.replacing(with: b, where: a .> b)
    }
    @inline(__always) public static func select(_ a: SIMD16<Float>, lessThan b: SIMD16<Float>,
                                                _ t: SIMD16<Float>, _ f: SIMD16<Float>) -> SIMD16<Float> {
        f.replacing(with: t, where: a .< b)
    }
    @inline(__always) public static func pow2(_ n: SIMD16<Float>) -> SIMD16<Float> {
        let b = unsafeBitCast(n + SIMD16<Float>(repeating: 12_582_912), to: SIMD16<UInt32>.self)
        return unsafeBitCast((b &- 0x4B40_0000 &+ 127) &<< 23, to: SIMD16<Float>.self)
    }
    @inline(__always) public static func frexp(_ x: SIMD16<Float>) -> (m: SIMD16<Float>, e: SIMD16<Float>) {
        let b = unsafeBitCast(x, to: SIMD16<UInt32>.self)
        let eb = unsafeBitCast(0x4B40_0000 &+ ((b &>> 23) & 0xff), to: SIMD16<Float>.self)
        let m = unsafeBitCast((b & 0x007f_ffff) | 0x3f80_0000, to: SIMD16<Float>.self)
        return (m, eb - SIMD16<Float>(repeating: 12_582_912 + 127))
    }
    @inline(__always) public static func copySign(_ x: SIMD16<Float>, from s: SIMD16<Float>) -> SIMD16<Float> {
        let xb = unsafeBitCast(x, to: SIMD16<UInt32>.self), sb = unsafeBitCast(s, to: SIMD16<UInt32>.self)
        return unsafeBitCast((xb & 0x7fff_ffff) | (sb & 0x8000_0000), to: SIMD16<Float>.self)
    }
    @inline(__always) public func magnitudeValue() -> SIMD16<Float> {
        unsafeBitCast(unsafeBitCast(self, to: SIMD16<UInt32>.self) & 0x7fff_ffff, to: SIMD16<Float>.self)
    }
}
