/// Many static tables in flat arrays, so that coding with table `i` touches no reference
/// counts: the hot path reads shared arrays through buffer pointers instead of copying a table
/// (and retaining its arrays) out of a Swift array. Use it for context-selected priors, per-level
/// scale tables and per-channel factorized tables.
public struct FrequencyTableBank: Equatable {
    /// The tables, as given (inspection and serialisation use these).
    public let tables: [FrequencyTable]
    @usableFromInline let cumulative: [UInt32]
    @usableFromInline let lookup: [UInt16]
    @usableFromInline let entries: [Entry]

    /// Where table `i` lives in the flat arrays.
    @usableFromInline
    struct Entry: Equatable {
        @usableFromInline var cumulativeBase: Int
        @usableFromInline var lookupBase: Int
        @usableFromInline var count: Int
        @usableFromInline var bits: Int
        @usableFromInline var lookupShift: UInt32
    }

    /// Number of tables.
    public var count: Int { tables.count }

    /// Copies `tables` into flat storage; table `i` of the bank codes exactly like `tables[i]`.
    public init(_ tables: [FrequencyTable]) {
        self.tables = tables
        var cum: [UInt32] = []
        var lut: [UInt16] = []
        var entries: [Entry] = []
        for t in tables {
            // The bank's own, coarser lookup (many tables share the cache): every `stride`-th
            // entry of the table's, i.e. the symbol holding each bank bucket's first slot.
            let shift = UInt32(t.bits - FrequencyTable.bucketBits(count: t.count, bits: t.bits))
            let stride = 1 << Int(shift - t.lookupShift)
            entries.append(Entry(cumulativeBase: cum.count, lookupBase: lut.count, count: t.count,
                                 bits: t.bits, lookupShift: shift))
            cum.append(contentsOf: t.cumulative)
            lut.append(contentsOf: Swift.stride(from: 0, to: t.lookup.count, by: stride).lazy.map {
                UInt16(truncatingIfNeeded: t.lookup[$0])
            })
        }
        self.cumulative = cum
        self.lookup = lut
        self.entries = entries
    }

    public static func == (a: Self, b: Self) -> Bool { a.tables == b.tables }

    /// Symbol `s` of table `index` as a coding step (start, frequency, bits).
    @inlinable @inline(__always)
    func step(_ s: Int, index: Int) -> (UInt32, UInt32, Int) {
        let e = entries[index]
        precondition(s >= 0 && s < e.count, "symbol \(s) outside table of \(e.count)")
        return cumulative.withUnsafeBufferPointer { cum in
            let c = cum[e.cumulativeBase &+ s]
            return (c, cum[e.cumulativeBase &+ s &+ 1] &- c, e.bits)
        }
    }
}

extension RansEncoder {
    /// Records symbol `s` of table `index` in a bank.
    @inlinable @inline(__always)
    public mutating func encode(_ s: Int, _ bank: FrequencyTableBank, index: Int) {
        let (start, freq, bits) = bank.step(s, index: index)
        put(start: start, frequency: freq, bits: bits)
    }
}

extension RansDecoder {
    /// Decodes one symbol of table `index` in a bank.
    @inlinable @inline(__always)
    public mutating func decode(_ bank: FrequencyTableBank, index: Int) throws -> Int {
        let e = bank.entries[index]
        let slot = self.slot(bits: e.bits)
        let (s, start, freq) = bank.cumulative.withUnsafeBufferPointer { cumAll in
            bank.lookup.withUnsafeBufferPointer { lut -> (Int, UInt32, UInt32) in
                let cum = cumAll.baseAddress! + e.cumulativeBase
                var s = Int(lut[e.lookupBase &+ Int(slot >> e.lookupShift)])
                while cum[s &+ 1] <= slot { s &+= 1 }
                return (s, cum[s], cum[s &+ 1] &- cum[s])
            }
        }
        try advance(slot: slot, start: start, frequency: freq, bits: e.bits)
        return s
    }
}
