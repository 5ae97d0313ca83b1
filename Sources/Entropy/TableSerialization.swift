/// Table sets as flat Int32 arrays (and their little-endian bytes), for storage inside the
/// weights file (spec/entropy-coding.md §8). Loading validates everything and throws
/// `EntropyError.invalidTable`; nothing is recomputed from floats.
///
/// Bounded-table list: `0x45544231` ("ETB1"), table count, then per table:
/// `bits, minValue, symbolCount (values + escape), frequencies...`.
/// Scale table set: `0x45535331` ("ESS1"), levels N, N - 1 thresholds and N scales as Float bit
/// patterns, then a bounded-table list of N tables.
public enum TableSerialization {
    static let boundedMagic: Int32 = 0x4554_4231
    static let scaleMagic: Int32 = 0x4553_5331

    /// A list of bounded tables (e.g. one per channel of a factorized prior) as Int32s.
    public static func serialize(_ tables: [BoundedTable]) -> [Int32] {
        var out: [Int32] = [boundedMagic, Int32(tables.count)]
        for t in tables {
            out.append(Int32(t.table.bits))
            out.append(t.minValue)
            out.append(Int32(t.table.count))
            out.append(contentsOf: t.table.frequencies.map { Int32(bitPattern: $0) })
        }
        return out
    }

    /// A scale table set as Int32s.
    public static func serialize(_ set: ScaleTableSet) -> [Int32] {
        var out: [Int32] = [scaleMagic, Int32(set.levels)]
        out.append(contentsOf: set.thresholds.map { Int32(bitPattern: $0.bitPattern) })
        out.append(contentsOf: set.scales.map { Int32(bitPattern: $0.bitPattern) })
        out.append(contentsOf: serialize(set.tables))
        return out
    }

    /// Reads a list written by `serialize(_: [BoundedTable])`; the whole array must be used.
    public static func boundedTables(_ data: [Int32]) throws -> [BoundedTable] {
        var r = Reader(data: data)
        let tables = try r.boundedTables()
        try r.expectEnd()
        return tables
    }

    /// Reads a set written by `serialize(_: ScaleTableSet)`; the whole array must be used.
    public static func scaleTableSet(_ data: [Int32]) throws -> ScaleTableSet {
        var r = Reader(data: data)
        guard try r.next() == scaleMagic else { throw EntropyError.invalidTable("not a scale table set") }
        let n = Int(try r.next())
        guard n >= 1 && n <= 1 << 16 else { throw EntropyError.invalidTable("\(n) scale levels") }
        let thresholds = try (0..<(n - 1)).map { _ in Float(bitPattern: UInt32(bitPattern: try r.next())) }
        let scales = try (0..<n).map { _ in Float(bitPattern: UInt32(bitPattern: try r.next())) }
        let tables = try r.boundedTables()
        try r.expectEnd()
        return try ScaleTableSet(thresholds: thresholds, scales: scales, tables: tables)
    }

    /// Int32s as little-endian bytes.
    public static func bytes(_ data: [Int32]) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(data.count * 4)
        for v in data {
            let u = UInt32(bitPattern: v)
            out.append(contentsOf: [UInt8(truncatingIfNeeded: u), UInt8(truncatingIfNeeded: u >> 8),
                                    UInt8(truncatingIfNeeded: u >> 16), UInt8(truncatingIfNeeded: u >> 24)])
        }
        return out
    }

    /// Little-endian bytes back to Int32s; the length must be a multiple of 4.
    public static func int32s(_ bytes: [UInt8]) throws -> [Int32] {
        guard bytes.count % 4 == 0 else { throw EntropyError.invalidTable("\(bytes.count) bytes is not a whole number of Int32s") }
        return stride(from: 0, to: bytes.count, by: 4).map { i -> Int32 in
            var u = UInt32(bytes[i])
            u |= UInt32(bytes[i + 1]) << 8
            u |= UInt32(bytes[i + 2]) << 16
            u |= UInt32(bytes[i + 3]) << 24
            return Int32(bitPattern: u)
        }
    }

    private struct Reader {
        let data: [Int32]
        var at = 0

        mutating func next() throws -> Int32 {
            guard at < data.count else { throw EntropyError.invalidTable("ends early at element \(at)") }
            at += 1
            return data[at - 1]
        }

        mutating func boundedTables() throws -> [BoundedTable] {
            guard try next() == TableSerialization.boundedMagic else { throw EntropyError.invalidTable("not a bounded table list") }
            let count = Int(try next())
            guard count >= 0 && count <= data.count else { throw EntropyError.invalidTable("\(count) tables") }
            var tables: [BoundedTable] = []
            for i in 0..<count {
                let bits = Int(try next())
                let minValue = try next()
                let k = Int(try next())
                guard k >= 2 && k <= 65536 && k <= data.count - at else {
                    throw EntropyError.invalidTable("table \(i): \(k) symbols")
                }
                guard bits >= 1 && bits <= Rans.maxPrecisionBits else {
                    throw EntropyError.invalidTable("table \(i): precision \(bits) bits")
                }
                let freqs = try (0..<k).map { _ -> UInt32 in
                    let f = try next()
                    guard f >= 1 else { throw EntropyError.invalidTable("table \(i): frequency \(f)") }
                    return UInt32(f)
                }
                tables.append(try BoundedTable(minValue: minValue, frequencies: freqs, bits: bits))
            }
            return tables
        }

        func expectEnd() throws {
            guard at == data.count else { throw EntropyError.invalidTable("\(data.count - at) trailing element(s)") }
        }
    }
}
