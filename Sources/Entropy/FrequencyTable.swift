/// A static table of integer frequencies summing to `2^bits`, with a lookup table that finds the
/// symbol of a slot without a linear scan over the alphabet.
///
/// Built from counts (integer rule), from training-time probabilities, or from stored integers.
/// Symbols are `0..<count`, at most 65,536 of them, each with frequency >= 1.
public struct FrequencyTable: Equatable {
    /// Probability precision: frequencies sum to `2^bits`.
    public let bits: Int
    /// `cumulative[s]` is the start of symbol `s`; `cumulative[count] == 2^bits`.
    public private(set) var cumulative: [UInt32]
    /// `lookup[slot >> lookupShift]` is the interval holding the first slot of that bucket, packed
    /// as `symbol | start << 16 | (frequency - 1) << 40` (`Lookup`): when the slot falls in that
    /// same interval, as it mostly does, the decoder needs no other load.
    @usableFromInline private(set) var lookup: [UInt64]
    @usableFromInline let lookupShift: UInt32

    /// A table from explicit frequencies; they must each be >= 1 and sum to `2^bits`.
    public init(frequencies: [UInt32], bits: Int) throws {
        guard bits >= 1 && bits <= Rans.maxPrecisionBits else {
            throw EntropyError.invalidTable("precision \(bits) bits outside 1...\(Rans.maxPrecisionBits)")
        }
        guard frequencies.count >= 1 && frequencies.count <= 65536 else {
            throw EntropyError.invalidTable("\(frequencies.count) symbols outside 1...65536")
        }
        var cum = [UInt32](repeating: 0, count: frequencies.count + 1)
        var sum: UInt64 = 0
        for (i, f) in frequencies.enumerated() {
            guard f >= 1 else { throw EntropyError.invalidTable("symbol \(i) has frequency 0") }
            sum += UInt64(f)
            guard sum <= UInt64(1) << UInt64(bits) else {
                throw EntropyError.invalidTable("frequencies exceed 2^\(bits)")
            }
            cum[i + 1] = UInt32(sum)
        }
        guard sum == UInt64(1) << UInt64(bits) else {
            throw EntropyError.invalidTable("frequencies sum to \(sum), not 2^\(bits)")
        }
        self.bits = bits
        self.cumulative = cum
        // At least 2^10 buckets (8 KB of entries: few buckets then straddle two symbols), and
        // as for banks about four per symbol, at most 2^14, at most 2^bits.
        let lb = min(max(10, Self.bucketBits(count: frequencies.count, bits: bits)), bits)
        self.lookupShift = UInt32(bits - lb)
        self.lookup = []
        rebuildLookup(bucketBits: lb)
    }

    /// About four buckets per symbol (at least 2^8, at most 2^14, at most 2^bits): probable
    /// symbols then start their own bucket and the lookup stays small enough for L1. Banks,
    /// which hold many tables, use this many.
    static func bucketBits(count: Int, bits: Int) -> Int {
        var lb = 8
        while (1 << lb) < 4 * count && lb < 14 { lb += 1 }
        return min(lb, bits)
    }

    /// A table from non-negative counts by the integer rule (`FrequencyNormalization.normalize`).
    public init(counts: [UInt64], bits: Int = 16) {
        var w = counts
        // Scale down huge totals so the rule keeps its precision.
        func exceeds(_ w: [UInt64]) -> Bool {  // total > 2^40, without overflowing
            var total: UInt64 = 0
            for v in w {
                let (t, o) = total.addingReportingOverflow(v)
                if o || t > FrequencyNormalization.maxTotalWeight { return true }
                total = t
            }
            return false
        }
        while exceeds(w) { w = w.map { $0 >> 1 } }
        try! self.init(frequencies: FrequencyNormalization.normalize(w, bits: bits), bits: bits)
    }

    /// A table from probabilities by the training-time rule (`FrequencyNormalization.quantize`).
    public init(probabilities: [Double], bits: Int = 16) {
        try! self.init(frequencies: FrequencyNormalization.quantize(probabilities: probabilities, bits: bits),
                       bits: bits)
    }

    /// Replaces the frequencies in place by normalising `weights` (same symbol count); reuses
    /// storage, so adaptive models rebuild without allocating.
    mutating func reload(weights: UnsafeBufferPointer<UInt64>, scratch: UnsafeMutableBufferPointer<UInt32>) {
        FrequencyNormalization.normalize(weights, bits: bits, into: scratch)
        cumulative.withUnsafeMutableBufferPointer { cum in
            var s: UInt32 = 0
            for i in 0..<scratch.count {
                s &+= scratch[i]
                cum[i + 1] = s
            }
        }
        rebuildLookup(bucketBits: bits - Int(lookupShift))
    }

    private mutating func rebuildLookup(bucketBits: Int) {
        let n = 1 << bucketBits
        if lookup.count != n { lookup = [UInt64](repeating: 0, count: n) }
        let shift = lookupShift
        cumulative.withUnsafeBufferPointer { cum in
            lookup.withUnsafeMutableBufferPointer { lut in
                var s = 0
                for b in 0..<n {
                    let slot = UInt32(b) << shift
                    while cum[s + 1] <= slot { s += 1 }
                    lut[b] = Lookup.pack(symbol: s, start: cum[s], frequency: cum[s + 1] - cum[s])
                }
            }
        }
    }

    /// The packing of a lookup entry: symbol (16 bits), start (24 bits), frequency - 1 (24 bits).
    @usableFromInline
    enum Lookup {
        @inlinable @inline(__always)
        static func pack(symbol: Int, start: UInt32, frequency: UInt32) -> UInt64 {
            UInt64(truncatingIfNeeded: symbol) | UInt64(start) << 16 | UInt64(frequency &- 1) << 40
        }
        @inlinable @inline(__always) static func symbol(_ e: UInt64) -> Int { Int(truncatingIfNeeded: e & 0xFFFF) }
        @inlinable @inline(__always) static func start(_ e: UInt64) -> UInt64 { (e &>> 16) & 0xFF_FFFF }
        @inlinable @inline(__always) static func frequencyMinusOne(_ e: UInt64) -> UInt64 { e &>> 40 }
    }

    /// The interval `(symbol, start, frequency - 1)` holding `slot` (`slot < 2^bits`): the
    /// bucket's entry, else a forward scan from its symbol.
    @inlinable @inline(__always)
    func interval(forSlot slot: UInt64, cum: UnsafePointer<UInt32>, lut: UnsafePointer<UInt64>) -> (Int, UInt64, UInt64) {
        let e = lut[Int(truncatingIfNeeded: slot &>> UInt64(lookupShift))]
        let start = Lookup.start(e), fm1 = Lookup.frequencyMinusOne(e)
        if slot &- start <= fm1 { return (Lookup.symbol(e), start, fm1) }
        var s = Lookup.symbol(e) &+ 1
        while UInt64(cum[s &+ 1]) <= slot { s &+= 1 }
        return (s, UInt64(cum[s]), UInt64(cum[s &+ 1] &- cum[s] &- 1))
    }

    /// The symbol whose interval holds `slot` (`slot < 2^bits`).
    @inlinable @inline(__always)
    public func symbol(forSlot slot: UInt32) -> Int {
        cumulative.withUnsafeBufferPointer { cum in
            lookup.withUnsafeBufferPointer { lut in
                interval(forSlot: UInt64(slot), cum: cum.baseAddress!, lut: lut.baseAddress!).0
            }
        }
    }
}

/// A distribution held as cumulative frequencies at `bits` of precision: what the coder needs
/// to code a symbol with a static table or a categorical distribution.
public protocol CumulativeFrequencies {
    /// Probability precision: the frequencies sum to `2^bits`.
    var bits: Int { get }
    /// `cumulative[s]` is the start of symbol `s`; `cumulative[count] == 2^bits`.
    var cumulative: [UInt32] { get }
    /// The symbol whose interval holds `slot`.
    func symbol(forSlot slot: UInt32) -> Int
}

extension CumulativeFrequencies {
    /// Number of symbols.
    @inlinable public var count: Int { cumulative.count - 1 }
    /// The frequency of symbol `s`.
    @inlinable public func frequency(_ s: Int) -> UInt32 { cumulative[s + 1] - cumulative[s] }
    /// All frequencies, in symbol order.
    public var frequencies: [UInt32] { (0..<count).map(frequency) }
}

extension FrequencyTable: CumulativeFrequencies {}

extension RansEncoder {
    /// Records symbol `s` of a static table or categorical distribution.
    @inlinable @inline(__always)
    public mutating func encode<D: CumulativeFrequencies>(_ s: Int, _ dist: D) {
        precondition(s >= 0 && s < dist.count, "symbol \(s) outside a distribution of \(dist.count)")
        dist.cumulative.withUnsafeBufferPointer { cum in
            put(start: cum[s], frequency: cum[s + 1] &- cum[s], bits: dist.bits)
        }
    }
}

extension RansDecoder {
    /// Decodes one symbol of a static table (through its packed lookup entries).
    @inlinable @inline(__always)
    public mutating func decode(_ table: FrequencyTable) throws -> Int {
        let slot = UInt64(self.slot(bits: table.bits))
        let (s, start, fm1) = table.cumulative.withUnsafeBufferPointer { cum in
            table.lookup.withUnsafeBufferPointer { lut in
                table.interval(forSlot: slot, cum: cum.baseAddress!, lut: lut.baseAddress!)
            }
        }
        try advance(slot: UInt32(truncatingIfNeeded: slot), start: UInt32(truncatingIfNeeded: start),
                    frequency: UInt32(truncatingIfNeeded: fm1) &+ 1, bits: table.bits)
        return s
    }

    /// Decodes one symbol of a static table or categorical distribution.
    @inlinable @inline(__always)
    public mutating func decode<D: CumulativeFrequencies>(_ dist: D) throws -> Int {
        let slot = self.slot(bits: dist.bits)
        let s = dist.symbol(forSlot: slot)
        let (start, freq) = dist.cumulative.withUnsafeBufferPointer { ($0[s], $0[s + 1] &- $0[s]) }
        try advance(slot: slot, start: start, frequency: freq, bits: dist.bits)
        return s
    }
}
