#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// MD5 (RFC 1321), for `dcvc-dec --md5` and the conformance vectors: a checksum of decoded
/// output, not a security function.
public struct MD5 {
    private var state: (UInt32, UInt32, UInt32, UInt32) = (0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476)
    private var pending: [UInt8] = []
    private var length: UInt64 = 0

    /// Per-round left rotations (RFC 1321 §3.4).
    private static let shifts: [UInt32] = [7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21]
    /// `K[i] = floor(2^32 * |sin(i + 1)|)`, as RFC 1321 defines the table.
    private static let k: [UInt32] = (0..<64).map { UInt32(truncatingIfNeeded: Int64(fabs(sin(Double($0 + 1))) * 4294967296.0)) }

    public init() {}

    /// The digest of `bytes` in one call.
    public static func hash<C: Collection>(_ bytes: C) -> [UInt8] where C.Element == UInt8 {
        var h = MD5()
        h.update(bytes)
        return h.finalize()
    }

    /// Lower-case hex of a digest, as `md5sum` prints it.
    public static func hex(_ digest: [UInt8]) -> String { SHA256.hex(digest) }

    /// Absorbs more input.
    public mutating func update<C: Collection>(_ bytes: C) where C.Element == UInt8 {
        if bytes.withContiguousStorageIfAvailable({ absorb(UnsafeRawBufferPointer($0)) }) == nil {
            Array(bytes).withUnsafeBytes { absorb($0) }
        }
    }

    /// Absorbs raw bytes.
    public mutating func update(_ raw: UnsafeRawBufferPointer) { absorb(raw) }

    private mutating func absorb(_ raw: UnsafeRawBufferPointer) {
        length &+= UInt64(raw.count)
        var i = 0
        if !pending.isEmpty {
            let take = min(64 - pending.count, raw.count)
            pending += raw[0..<take]
            i = take
            if pending.count == 64 {
                let block = pending
                block.withUnsafeBytes { compress($0) }
                pending.removeAll(keepingCapacity: true)
            }
        }
        while raw.count - i >= 64 {
            compress(UnsafeRawBufferPointer(rebasing: raw[i..<(i + 64)]))
            i += 64
        }
        if i < raw.count { pending += raw[i...] }
    }

    /// The 16-byte digest (the value is consumed: call once).
    public mutating func finalize() -> [UInt8] {
        let bits = length &* 8
        var tail: [UInt8] = [0x80]
        while (pending.count + tail.count) % 64 != 56 { tail.append(0) }
        for i in 0..<8 { tail.append(UInt8(truncatingIfNeeded: bits >> (8 * UInt64(i)))) }
        let saved = length
        tail.withUnsafeBytes { absorb($0) }
        length = saved
        var out: [UInt8] = []
        for w in [state.0, state.1, state.2, state.3] {
            for i in 0..<4 { out.append(UInt8(truncatingIfNeeded: w >> (8 * UInt32(i)))) }
        }
        return out
    }

    private mutating func compress(_ block: UnsafeRawBufferPointer) {
        var m = [UInt32](repeating: 0, count: 16)
        for i in 0..<16 {
            m[i] = UInt32(block[4 * i]) | UInt32(block[4 * i + 1]) << 8 | UInt32(block[4 * i + 2]) << 16
                | UInt32(block[4 * i + 3]) << 24
        }
        var (a, b, c, d) = state
        for i in 0..<64 {
            var f: UInt32
            let g: Int
            switch i >> 4 {
            case 0: f = (b & c) | (~b & d); g = i
            case 1: f = (d & b) | (~d & c); g = (5 * i + 1) & 15
            case 2: f = b ^ c ^ d; g = (3 * i + 5) & 15
            default: f = c ^ (b | ~d); g = (7 * i) & 15
            }
            f = f &+ a &+ MD5.k[i] &+ m[g]
            let s = MD5.shifts[(i >> 4) * 4 + (i & 3)]
            a = d
            d = c
            c = b
            b = b &+ ((f << s) | (f >> (32 - s)))
        }
        state = (state.0 &+ a, state.1 &+ b, state.2 &+ c, state.3 &+ d)
    }
}
