import Tensor
/// exp for the training kernels: Cody-Waite range reduction and a degree-6 polynomial (the Cephes
/// expf coefficients), written so loops over it vectorise. Relative error below 3e-7 over
/// [-87, 88]; inputs are clamped to that range (exp(-87) ~ 1.6e-38, exp(88) ~ 1.7e38).
/// Training-path only: the decoder's deterministic kernels carry their own.
extension TrainingKernels {
@inlinable @inline(__always)
public static func fastExp(_ x: Float) -> Float {
    let xc = min(max(x, -87.0), 88.0)
    // Adding 1.5 * 2^23 rounds to the nearest integer k and leaves k in the low mantissa bits:
    // no float-to-int conversion (which would trap on overflow and block vectorisation).
    let shifted = xc * 1.442_695_04 + 12_582_912
    let k = shifted - 12_582_912
    let n = shifted.bitPattern &- 0x4B40_0000
    let r = (xc - k * 0.693_359_375) - k * -2.121_944_4e-4
    var p: Float = 1.987_569_15e-4
    p = p * r + 1.398_199_95e-3
    p = p * r + 8.333_451_9e-3
    p = p * r + 4.166_579_59e-2
    p = p * r + 1.666_666_55e-1
    p = p * r + 5.000_000_12e-1
    let y = p * r * r + r + 1
    return y * Float(bitPattern: (n &+ 127) << 23)
}

/// The logistic function 1 / (1 + e^-x) via `fastExp`.
@inlinable @inline(__always)
public static func fastSigmoid(_ x: Float) -> Float { 1 / (1 + TrainingKernels.fastExp(-x)) }
}
