/// Appending the container's primitive types to a byte array (spec §1).
extension Array where Element == UInt8 {
    /// Appends `value` as a canonical unsigned LEB128 varint.
    mutating func appendVarint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        append(UInt8(v))
    }

    /// Appends a non-negative `Int` as a varint.
    mutating func appendVarint(_ value: Int) {
        precondition(value >= 0, "varint fields are unsigned")
        appendVarint(UInt64(value))
    }

    /// Appends a signed value zig-zag mapped, then as a varint.
    mutating func appendSignedVarint(_ value: Int64) {
        appendVarint(UInt64(bitPattern: (value << 1) ^ (value >> 63)))
    }

    /// Appends a little-endian u16.
    mutating func appendU16(_ value: UInt16) {
        append(UInt8(value & 0xFF))
        append(UInt8(value >> 8))
    }

    /// Appends a little-endian u32.
    mutating func appendU32(_ value: UInt32) {
        for shift in stride(from: 0, to: 32, by: 8) { append(UInt8((value >> UInt32(shift)) & 0xFF)) }
    }

    /// Appends a `u8` length and the bytes (a `name` or `text` field; the caller checked the length).
    mutating func appendShortString(_ bytes: [UInt8]) {
        append(UInt8(bytes.count))
        append(contentsOf: bytes)
    }
}

/// Number of bytes `value` takes as a varint.
func varintSize(_ value: UInt64) -> Int {
    var n = 1
    var v = value >> 7
    while v != 0 { n += 1; v >>= 7 }
    return n
}

/// Reads a little-endian u16 / u32 from the start of `bytes` (at least 2 / 4 bytes long).
func readU16(_ bytes: ArraySlice<UInt8>) -> UInt16 {
    let i = bytes.startIndex
    return UInt16(bytes[i]) | UInt16(bytes[i + 1]) << 8
}

func readU32(_ bytes: ArraySlice<UInt8>) -> UInt32 {
    let i = bytes.startIndex
    return UInt32(bytes[i]) | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2]) << 16 | UInt32(bytes[i + 3]) << 24
}

/// Outcome of decoding a varint from the bytes available so far.
enum VarintDecode: Equatable {
    case value(UInt64, size: Int)
    /// The bytes ended before the last byte of the varint.
    case incomplete
    /// Longer than `maxBytes`, overflowing 64 bits, or not in shortest form.
    case malformed
}

/// Decodes a canonical LEB128 varint of at most `maxBytes` bytes (≤ 10) from the start of `bytes`.
func decodeVarint<C: Collection>(_ bytes: C, maxBytes: Int = 10) -> VarintDecode where C.Element == UInt8 {
    var value: UInt64 = 0
    var size = 0
    for byte in bytes {
        if size == maxBytes { return .malformed }
        let group = UInt64(byte & 0x7F)
        // The 10th byte holds bit 63 only.
        if size == 9 && group > 1 { return .malformed }
        value |= group << UInt64(7 * size)
        size += 1
        if byte & 0x80 == 0 {
            // Shortest form: a multi-byte varint may not end in a zero group.
            if size > 1 && byte == 0 { return .malformed }
            return .value(value, size: size)
        }
    }
    return size == maxBytes ? .malformed : .incomplete
}
