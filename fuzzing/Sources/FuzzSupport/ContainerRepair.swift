import Checksum

/// Rewrites the CRCs of a `.dcv`-shaped input so mutations reach the parsers behind the CRC checks.
///
/// A random byte flip almost always breaks a CRC-32C, and the reader rejects the unit before any
/// syntax is parsed; fixing the CRCs first lets the fuzzer explore the sequence header, frame units
/// and substreams. The framing is walked the way spec/container.md §2 lays it out (16-byte file
/// header, then type, varint length, payload, CRC per unit); where it stops making sense the rest
/// is left as it is, so malformed framing still reaches the reader unchanged.
public enum ContainerRepair {
    public static func repaired(_ input: [UInt8]) -> [UInt8] {
        var bytes = input
        guard bytes.count >= 16 else { return bytes }
        put(CRC32C.checksum(bytes[0..<12]), into: &bytes, at: 12)
        var at = 16
        while at < bytes.count {
            let start = at
            at += 1
            var length = 0, shift = 0
            var complete = false
            while at < bytes.count, shift < 28 {
                let b = bytes[at]
                at += 1
                length |= Int(b & 0x7F) << shift
                shift += 7
                if b & 0x80 == 0 { complete = true; break }
            }
            guard complete, at + length + 4 <= bytes.count else { return bytes }
            let crc = CRC32C.checksum(bytes[start..<(at + length)])
            put(crc, into: &bytes, at: at + length)
            at += length + 4
        }
        return bytes
    }

    private static func put(_ v: UInt32, into bytes: inout [UInt8], at i: Int) {
        for k in 0..<4 { bytes[i + k] = UInt8(truncatingIfNeeded: v >> (8 * UInt32(k))) }
    }
}
