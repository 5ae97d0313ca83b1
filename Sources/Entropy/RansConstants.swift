/// Constants of the rANS coder, shared by encoder and decoder (spec/entropy-coding.md §2).
public enum Rans {
    /// Lower bound of the 64-bit coder state; states live in `[stateLow, 2^63)`.
    public static let stateLow: UInt64 = 1 << 31
    /// Largest probability precision a model may use (frequencies sum to `2^bits`).
    public static let maxPrecisionBits = 24
    /// Largest raw-bit field coded by one bypass step.
    public static let maxBypassBits = 16
    /// Bytes the final flush adds: two 64-bit states.
    public static let flushBytes = 16

    /// The ideal cost in bits of a step of frequency `frequency` out of `2^bits`: `bits - log2(frequency)`.
    /// A diagnostic for rate estimates; the real rate is the byte count.
    public static func idealBits(frequency: UInt32, bits: Int) -> Double {
        Double(bits) - log2Double(Double(frequency))
    }
}

/// One coding step as the encoder records it: `start` and `freq` out of `2^bits`,
/// packed as start (24 bits) | freq (25 bits) << 24 | bits (5 bits) << 49.
@usableFromInline
typealias PackedStep = UInt64

@inlinable @inline(__always)
func packStep(start: UInt32, freq: UInt32, bits: Int) -> PackedStep {
    UInt64(start) | (UInt64(freq) << 24) | (UInt64(bits) << 49)
}
