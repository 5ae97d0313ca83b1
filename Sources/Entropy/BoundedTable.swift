/// A table over a window of integer values with an escape: values `minValue ..< minValue + valueCount`
/// are symbols `0..<valueCount` of `table`, and its last symbol (`valueCount`) is the escape
/// after which an out-of-window value is coded in bypass (spec/entropy-coding.md §4).
///
/// Used for per-channel factorized tables and for each level of a `ScaleTableSet`; with the
/// escape, any Int32 can be coded whatever the window.
public struct BoundedTable: Equatable {
    /// The frequencies: `valueCount` values, then the escape symbol.
    public let table: FrequencyTable
    /// The value of symbol 0.
    public let minValue: Int32

    /// Values inside the window (the table's symbol count less the escape).
    public var valueCount: Int { table.count - 1 }

    /// A table from stored frequencies (`valueCount + 1` of them, the escape last).
    public init(minValue: Int32, frequencies: [UInt32], bits: Int) throws {
        guard frequencies.count >= 2 else { throw EntropyError.invalidTable("a bounded table needs a value and an escape") }
        guard Int64(minValue) + Int64(frequencies.count - 1) <= Int64(Int32.max) + 1 else {
            throw EntropyError.invalidTable("window \(minValue) + \(frequencies.count - 1) exceeds Int32")
        }
        self.table = try FrequencyTable(frequencies: frequencies, bits: bits)
        self.minValue = minValue
    }

    /// Training-time builder: `probabilities[i]` is the mass of value `minValue + i`; the escape
    /// gets the mass left over (`1 - Σ`, at least one frequency unit).
    public init(minValue: Int32, probabilities: [Double], bits: Int = 16) {
        let inside = probabilities.reduce(0, +)
        let escape = max(0, 1 - inside)
        try! self.init(minValue: minValue,
                       frequencies: FrequencyNormalization.quantize(probabilities: probabilities + [escape], bits: bits),
                       bits: bits)
    }
}

extension RansEncoder {
    /// Records `value` under a bounded table, with `center` subtracted first (0 for factorized
    /// tables, `round(mean)` for scale tables). Values outside the window escape.
    @inlinable
    public mutating func encode(_ value: Int32, _ bounded: BoundedTable, center: Int32 = 0) {
        let r = Int64(value) - Int64(center) - Int64(bounded.minValue)
        let n = Int64(bounded.valueCount)
        if r >= 0 && r < n {
            encode(Int(r), bounded.table)
            return
        }
        encode(bounded.valueCount, bounded.table)
        encodeEscape(r, valueCount: bounded.valueCount)
    }

    /// The bypass part of an escape for window offset `r` outside `0..<valueCount`: a sign bit
    /// (0 below, 1 above), then the Elias-gamma code of the distance plus one.
    @inlinable
    mutating func encodeEscape(_ r: Int64, valueCount: Int) {
        if r < 0 {
            encodeBits(0, count: 1)
            encodeEliasGamma(UInt64(-r - 1) + 1)
        } else {
            encodeBits(1, count: 1)
            encodeEliasGamma(UInt64(r - Int64(valueCount)) + 1)
        }
    }

    /// Elias-gamma code of `v >= 1` in bypass bits: `z = floor(log2 v)` zero bits, a one bit,
    /// then the low `z` bits of `v`.
    @inlinable
    mutating func encodeEliasGamma(_ v: UInt64) {
        let z = 63 - v.leadingZeroBitCount
        for _ in 0..<z { encodeBits(0, count: 1) }
        encodeBits(1, count: 1)
        if z > 32 {
            encodeBits(UInt32(truncatingIfNeeded: v), count: 32)
            encodeBits(UInt32(truncatingIfNeeded: v >> 32) & ((1 << UInt32(z - 32)) - 1), count: z - 32)
        } else {
            encodeBits(UInt32(truncatingIfNeeded: v) & UInt32(truncatingIfNeeded: (UInt64(1) << UInt64(z)) - 1), count: z)
        }
    }
}

extension RansDecoder {
    /// Longest Elias-gamma prefix a valid stream can hold (distances stay below 2^34).
    @usableFromInline static let maxEscapeExponent = 34

    /// Decodes a value coded by `RansEncoder.encode(_:_:center:)` with the same table and center.
    @inlinable
    public mutating func decode(_ bounded: BoundedTable, center: Int32 = 0) throws -> Int32 {
        let s = try decode(bounded.table)
        let r = s < bounded.valueCount ? Int64(s) : try decodeEscape(valueCount: bounded.valueCount)
        return try finishValue(center: center, minValue: bounded.minValue, r)
    }

    /// The window offset of an escaped value (sign bit, then Elias gamma).
    @inlinable
    mutating func decodeEscape(valueCount: Int) throws -> Int64 {
        let sign = try decodeBits(count: 1)
        let d = Int64(try decodeEliasGamma()) - 1
        return sign == 0 ? -d - 1 : Int64(valueCount) + d
    }

    /// `center + minValue + r`, which must fit Int32.
    @inlinable
    func finishValue(center: Int32, minValue: Int32, _ r: Int64) throws -> Int32 {
        let v = Int64(center) + Int64(minValue) + r
        guard v >= Int64(Int32.min) && v <= Int64(Int32.max) else {
            throw EntropyError.corrupt(offset: bytesConsumed, reason: "escaped value \(v) outside Int32")
        }
        return Int32(v)
    }

    @inlinable
    mutating func decodeEliasGamma() throws -> UInt64 {
        var z = 0
        while try decodeBits(count: 1) == 0 {
            z += 1
            guard z <= Self.maxEscapeExponent else {
                throw EntropyError.corrupt(offset: bytesConsumed, reason: "escape length prefix too long")
            }
        }
        var low: UInt64
        if z > 32 {
            low = UInt64(try decodeBits(count: 32))
            low |= UInt64(try decodeBits(count: z - 32)) << 32
        } else {
            low = UInt64(try decodeBits(count: z))
        }
        return (UInt64(1) << UInt64(z)) | low
    }
}
