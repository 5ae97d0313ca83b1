/// Many bounded tables in flat arrays (one per scale level, or one per channel of a factorized
/// prior), so that coding with table `i` touches no reference counts: the hot path reads the
/// shared arrays through buffer pointers instead of copying a table out of an array.
public struct BoundedTableBank: Equatable {
    /// The tables, as built or loaded (serialisation and inspection use these).
    public let tables: [BoundedTable]
    @usableFromInline let cumulative: [UInt32]
    @usableFromInline let lookup: [UInt16]
    @usableFromInline let entries: [BankEntry]

    /// Where table `i` lives in the flat arrays.
    @usableFromInline
    struct BankEntry: Equatable {
        @usableFromInline var cumulativeBase: Int
        @usableFromInline var lookupBase: Int
        @usableFromInline var valueCount: Int
        @usableFromInline var minValue: Int32
        @usableFromInline var bits: Int
        @usableFromInline var lookupShift: UInt32
    }

    /// Number of tables.
    public var count: Int { tables.count }

    public init(_ tables: [BoundedTable]) {
        self.tables = tables
        var cum: [UInt32] = []
        var lut: [UInt16] = []
        var entries: [BankEntry] = []
        for t in tables {
            entries.append(BankEntry(cumulativeBase: cum.count, lookupBase: lut.count, valueCount: t.valueCount,
                                     minValue: t.minValue, bits: t.table.bits, lookupShift: t.table.lookupShift))
            cum.append(contentsOf: t.table.cumulative)
            lut.append(contentsOf: t.table.lookup)
        }
        self.cumulative = cum
        self.lookup = lut
        self.entries = entries
    }

    public static func == (a: Self, b: Self) -> Bool { a.tables == b.tables }
}

extension RansEncoder {
    /// Records `value` under table `index` of a bank, `center` subtracted first; out-of-window
    /// values escape exactly as with `encode(_:_:center:)` on the table itself.
    @inlinable
    public mutating func encode(_ value: Int32, _ bank: BoundedTableBank, index: Int, center: Int32 = 0) {
        let e = bank.entries[index]
        let r = Int64(value) - Int64(center) - Int64(e.minValue)
        let inside = r >= 0 && r < Int64(e.valueCount)
        let s = inside ? Int(r) : e.valueCount
        bank.cumulative.withUnsafeBufferPointer { cum in
            let c = cum[e.cumulativeBase + s]
            put(start: c, frequency: cum[e.cumulativeBase + s + 1] &- c, bits: e.bits)
        }
        if !inside { encodeEscape(r, valueCount: e.valueCount) }
    }
}

extension RansDecoder {
    /// Decodes a value coded by `RansEncoder.encode(_:_:index:center:)`.
    @inlinable
    public mutating func decode(_ bank: BoundedTableBank, index: Int, center: Int32 = 0) throws -> Int32 {
        let e = bank.entries[index]
        let slot = self.slot(bits: e.bits)
        let (s, start, freq) = bank.cumulative.withUnsafeBufferPointer { cumAll in
            bank.lookup.withUnsafeBufferPointer { lut -> (Int, UInt32, UInt32) in
                let cum = cumAll.baseAddress! + e.cumulativeBase
                var s = Int(lut[e.lookupBase + Int(slot >> e.lookupShift)])
                while cum[s + 1] <= slot { s += 1 }
                return (s, cum[s], cum[s + 1] &- cum[s])
            }
        }
        try advance(slot: slot, start: start, frequency: freq, bits: e.bits)
        let r = s < e.valueCount ? Int64(s) : try decodeEscape(valueCount: e.valueCount)
        return try finishValue(center: center, minValue: e.minValue, r)
    }
}
