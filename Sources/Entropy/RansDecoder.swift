/// The rANS decoder over a byte buffer: ask for symbols with the same models, in the same order,
/// as the encoder was fed.
///
/// Every read is bounds-checked; a stream that ends early throws `EntropyError.truncated`, and a
/// state the encoder cannot produce throws `.corrupt`. Garbage that happens to stay well-formed
/// decodes to wrong symbols, never to a crash or an endless loop; `finish()` then usually
/// catches it, because a clean stream ends with both states back at their initial value and
/// every byte consumed. See spec/entropy-coding.md §2.
public struct RansDecoder {
    @usableFromInline let bytes: [UInt8]
    @usableFromInline var position: Int
    /// The state the next step uses; `other` is the state of the step after it.
    @usableFromInline var current: UInt64
    @usableFromInline var other: UInt64

    /// Opens a stream: reads the two 64-bit states (16 bytes) and checks they are in range.
    public init(_ bytes: [UInt8]) throws {
        self.bytes = bytes
        self.position = 0
        self.current = 0
        self.other = 0
        current = try readState()
        other = try readState()
    }

    /// Opens a stream held in part of a larger buffer (copies the slice).
    public init(_ bytes: ArraySlice<UInt8>) throws {
        try self.init(Array(bytes))
    }

    private mutating func readState() throws -> UInt64 {
        let lo = UInt64(try readWord())
        let hi = UInt64(try readWord())
        let x = lo | (hi << 32)
        guard x >= Rans.stateLow && x < (1 << 63) else {
            throw EntropyError.corrupt(offset: position - 8, reason: "initial state \(x) out of range")
        }
        return x
    }

    /// Bytes consumed so far.
    public var bytesConsumed: Int { position }

    @inlinable @inline(__always)
    mutating func readWord() throws -> UInt32 {
        let p = position
        guard p &+ 4 <= bytes.count else {
            throw EntropyError.truncated(offset: p, needed: p + 4 - bytes.count)
        }
        position = p &+ 4
        return bytes.withUnsafeBytes { UInt32(littleEndian: $0.loadUnaligned(fromByteOffset: p, as: UInt32.self)) }
    }

    /// The slot `x mod 2^bits` of the current state: the decoder looks up which symbol's interval
    /// holds it, then calls `advance`.
    @inlinable @inline(__always)
    public func slot(bits: Int) -> UInt32 {
        UInt32(truncatingIfNeeded: current) & ((1 << UInt32(bits)) &- 1)
    }

    /// Consumes the step `[start, start + frequency)` out of `2^bits` that holds `slot`.
    @inlinable @inline(__always)
    public mutating func advance(slot: UInt32, start: UInt32, frequency: UInt32, bits: Int) throws {
        var x = UInt64(frequency) &* (current >> UInt64(bits)) &+ UInt64(slot &- start)
        let p = position
        if p &+ 4 <= bytes.count {
            // A word is there: read it and select without a branch (whether a step reads is
            // data-dependent and predicts badly).
            let word = bytes.withUnsafeBytes { UInt64(UInt32(littleEndian: $0.loadUnaligned(fromByteOffset: p, as: UInt32.self))) }
            let read = x < Rans.stateLow
            x = read ? (x &<< 32) | word : x
            position = read ? p &+ 4 : p
        } else if x < Rans.stateLow {
            x = (x << 32) | UInt64(try readWord())  // throws: the stream ends here
        }
        current = other
        other = x
    }

    /// Reads `count` raw bits (0...32) written by `RansEncoder.encodeBits`.
    @inlinable
    public mutating func decodeBits(count: Int) throws -> UInt32 {
        precondition(count >= 0 && count <= 32, "bypass field of \(count) bits")
        var value: UInt32 = 0
        var shift: UInt32 = 0
        var left = count
        while left > 0 {
            let n = min(left, Rans.maxBypassBits)
            let s = slot(bits: n)
            try advance(slot: s, start: s, frequency: 1, bits: n)
            value |= s << shift
            shift += UInt32(n)
            left -= n
        }
        return value
    }

    /// Checks that the stream ended cleanly: all bytes consumed and both states back at the
    /// encoder's initial value. Call after the last symbol; a mismatch means corruption or a
    /// different sequence of models.
    public func finish() throws {
        guard position == bytes.count else {
            throw EntropyError.corrupt(offset: position, reason: "\(bytes.count - position) byte(s) left over")
        }
        guard current == Rans.stateLow && other == Rans.stateLow else {
            throw EntropyError.corrupt(offset: position, reason: "final state does not match the encoder's")
        }
    }
}
