/// Many bounded tables in flat storage (one per scale level, or one per channel of a
/// factorized prior): a `FrequencyTableBank` plus each table's window.
public struct BoundedTableBank: Equatable {
    /// The tables, as built or loaded (serialisation and inspection use these).
    public let tables: [BoundedTable]
    @usableFromInline let bank: FrequencyTableBank
    @usableFromInline let windows: [Window]

    @usableFromInline
    struct Window: Equatable {
        @usableFromInline var minValue: Int32
        @usableFromInline var valueCount: Int
    }

    /// Number of tables.
    public var count: Int { tables.count }

    /// Copies `tables` into flat storage; table `i` of the bank codes exactly like `tables[i]`.
    public init(_ tables: [BoundedTable]) {
        self.tables = tables
        self.bank = FrequencyTableBank(tables.map(\.table))
        self.windows = tables.map { Window(minValue: $0.minValue, valueCount: $0.valueCount) }
    }

    public static func == (a: Self, b: Self) -> Bool { a.tables == b.tables }
}

extension RansEncoder {
    /// Records `value` under table `index` of a bank, `center` subtracted first; out-of-window
    /// values escape exactly as with `encode(_:_:center:)` on the table itself.
    @inlinable
    public mutating func encode(_ value: Int32, _ bounded: BoundedTableBank, index: Int, center: Int32 = 0) {
        let w = bounded.windows[index]
        let r = Int64(value) - Int64(center) - Int64(w.minValue)
        let inside = r >= 0 && r < Int64(w.valueCount)
        encode(inside ? Int(r) : w.valueCount, bounded.bank, index: index)
        if !inside { encodeEscape(r, valueCount: w.valueCount) }
    }
}

extension RansDecoder {
    /// Decodes a value coded by `RansEncoder.encode(_:_:index:center:)`.
    @inlinable
    public mutating func decode(_ bounded: BoundedTableBank, index: Int, center: Int32 = 0) throws -> Int32 {
        let w = bounded.windows[index]
        let s = try decode(bounded.bank, index: index)
        let r = s < w.valueCount ? Int64(s) : try decodeEscape(valueCount: w.valueCount)
        return try finishValue(center: center, minValue: w.minValue, r)
    }
}
