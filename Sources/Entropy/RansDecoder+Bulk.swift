/// Decoding a run of symbols that share one static table: the two states, the read position and
/// the table live in registers for the whole run, and while at least 8 bytes remain (the most a
/// pair of steps can read) the per-word bounds check is skipped. Bit-exact with calling
/// `decode(_:)` once per symbol (spec/entropy-coding.md §2, §9).
extension RansDecoder {
    /// Decodes `out.count` symbols of `table` into `out`, in coding order.
    @inlinable
    public mutating func decode(_ table: FrequencyTable, into out: UnsafeMutableBufferPointer<Int32>) throws {
        let n = out.count
        var done = 0
        let bits = UInt64(table.bits)
        let mask = (UInt64(1) << bits) &- 1
        var a = current, b = other, p = position
        let end = bytes.count
        table.cumulative.withUnsafeBufferPointer { cumB in
            table.lookup.withUnsafeBufferPointer { lutB in
                bytes.withUnsafeBytes { raw in
                    let cum = cumB.baseAddress!, lut = lutB.baseAddress!
                    let o = out.baseAddress!
                    @inline(__always) func step(_ x: inout UInt64) -> Int32 {
                        let slot = x & mask, high = x &>> bits
                        let (s, start, fm1) = table.interval(forSlot: slot, cum: cum, lut: lut)
                        // freq * high + slot - start, with freq - 1 as the lookup stores it
                        x = fm1 &* high &+ (high &+ slot &- start)
                        // Branch-free renormalisation (the next word is always there in this loop):
                        // whether a step reads is data-dependent and predicts badly.
                        let word = UInt64(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: p, as: UInt32.self)))
                        let read = x < Rans.stateLow
                        x = read ? (x &<< 32) | word : x
                        p &+= read ? 4 : 0
                        return Int32(truncatingIfNeeded: s)
                    }
                    while done &+ 2 <= n && p &+ 8 <= end {
                        o[done] = step(&a)
                        o[done &+ 1] = step(&b)
                        done &+= 2
                    }
                }
            }
        }
        current = a
        other = b
        position = p
        // The last few symbols (or all of them near the end of a damaged stream): checked reads.
        while done < n {
            out[done] = Int32(truncatingIfNeeded: try decode(table))
            done &+= 1
        }
    }
}
