#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The rANS encoder: feed it coding steps in forward order, then `finish()` for the bytes.
///
/// rANS codes last-in first-out, so the encoder records each step (start, frequency, precision)
/// as it is fed, evaluating every model in forward order (adaptive models update at once), and
/// codes the recorded steps in reverse inside `finish()`. Two states interleave: step `i` uses
/// state `i & 1`, which lets the decoder overlap two dependency chains. The caller only ever sees
/// forward order. See spec/entropy-coding.md §2.
public struct RansEncoder {
    @usableFromInline var steps: [PackedStep] = []

    /// An empty encoder; `capacity` reserves room for that many coding steps.
    public init(capacity: Int = 0) {
        steps.reserveCapacity(capacity)
    }

    /// Coding steps recorded so far (symbols plus bypass fields).
    public var stepCount: Int { steps.count }

    /// Records one step: an interval `[start, start + frequency)` out of `2^bits`.
    ///
    /// The lowest-level entry point; the model-specific `encode` methods call it.
    @inlinable @inline(__always)
    public mutating func put(start: UInt32, frequency: UInt32, bits: Int) {
        precondition(bits >= 0 && bits <= Rans.maxPrecisionBits && frequency >= 1
                     && UInt64(start) + UInt64(frequency) <= UInt64(1) << UInt64(bits),
                     "rANS step out of range: start \(start) freq \(frequency) bits \(bits)")
        steps.append(packStep(start: start, freq: frequency, bits: bits))
    }

    /// Records `count` raw bits of `value` (bypass coding, any count 0...32), low bits first.
    @inlinable
    public mutating func encodeBits(_ value: UInt32, count: Int) {
        precondition(count >= 0 && count <= 32, "bypass field of \(count) bits")
        var v = count == 32 ? value : value & ((1 << UInt32(count)) &- 1)
        var left = count
        while left > 0 {
            let n = min(left, Rans.maxBypassBits)
            steps.append(packStep(start: v & ((1 << UInt32(n)) - 1), freq: 1, bits: n))
            v = n == 32 ? 0 : v >> UInt32(n)
            left -= n
        }
    }

    /// The model's ideal cost of everything recorded so far: the sum of `bits - log2(freq)`,
    /// that is −Σ log2 p under the quantized frequencies. A diagnostic, never a rate.
    public var idealBits: Double {
        var total = 0.0
        for s in steps {
            let freq = Double((s >> 24) & 0x1FF_FFFF)
            total += Double(s >> 49) - log2Double(freq)
        }
        return total
    }

    /// Codes every recorded step and returns the bytes; the encoder is left empty.
    public mutating func finish() -> [UInt8] {
        var words: [UInt32] = []
        words.reserveCapacity(steps.count / 8 + 8)
        var a = Rans.stateLow  // state of even steps
        var b = Rans.stateLow  // state of odd steps
        steps.withUnsafeBufferPointer { s in
            var i = s.count - 1
            if i >= 0 && i & 1 == 0 {
                Self.code(&a, s[i], &words)
                i -= 1
            }
            while i > 0 {  // i is odd here: step i uses b, step i - 1 uses a
                Self.code(&b, s[i], &words)
                Self.code(&a, s[i - 1], &words)
                i -= 2
            }
        }
        // Flush so that, after reversal, the stream opens with a (low word first) then b.
        words.append(UInt32(truncatingIfNeeded: b >> 32))
        words.append(UInt32(truncatingIfNeeded: b))
        words.append(UInt32(truncatingIfNeeded: a >> 32))
        words.append(UInt32(truncatingIfNeeded: a))
        var bytes = [UInt8](repeating: 0, count: words.count * 4)
        bytes.withUnsafeMutableBufferPointer { out in
            var o = 0
            for w in words.reversed() {  // little-endian words, in decoder order
                out[o] = UInt8(truncatingIfNeeded: w)
                out[o + 1] = UInt8(truncatingIfNeeded: w >> 8)
                out[o + 2] = UInt8(truncatingIfNeeded: w >> 16)
                out[o + 3] = UInt8(truncatingIfNeeded: w >> 24)
                o += 4
            }
        }
        steps.removeAll(keepingCapacity: true)
        return bytes
    }

    /// One rANS encoding step on state `x`, renormalising by one 32-bit word first if needed.
    @inline(__always)
    static func code(_ x: inout UInt64, _ step: PackedStep, _ words: inout [UInt32]) {
        let start = step & 0xFF_FFFF
        let freq = (step >> 24) & 0x1FF_FFFF
        let bits = step >> 49
        let xMax = ((Rans.stateLow >> bits) << 32) &* freq
        if x >= xMax {
            words.append(UInt32(truncatingIfNeeded: x))
            x >>= 32
        }
        let q = x / freq
        x = (q << bits) &+ (x &- q &* freq) &+ start
    }
}

/// log2 for diagnostics and training-time table building only (never on the decode path).
@usableFromInline
func log2Double(_ v: Double) -> Double {
    log2(v)
}
