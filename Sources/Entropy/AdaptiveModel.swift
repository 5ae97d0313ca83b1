/// An adaptive frequency model for index streams: integer counts updated after every symbol and
/// turned into a static table every `period` symbols, identically on both sides
/// (spec/entropy-coding.md §7).
///
/// Counts start at 1 and grow by `increment`; when their total passes `countLimit` every count
/// becomes `(c + 1) >> 1`. The table is rebuilt by the shared integer rule after the first 16
/// updates, then after periods that double up to `maxPeriod`.
public struct AdaptiveModel {
    /// The current table: encode and decode with it, then call `update`.
    public private(set) var table: FrequencyTable
    @usableFromInline var counts: [UInt64]
    @usableFromInline var scratch: [UInt32]
    @usableFromInline var total: UInt64
    @usableFromInline var untilRebuild: Int
    @usableFromInline var period: Int
    /// Added to a symbol's count each time it is coded.
    public let increment: UInt64
    /// When the counts' total passes this, every count is halved (rounding up).
    public let countLimit: UInt64
    /// The longest interval, in symbols, between table rebuilds.
    public let maxPeriod: Int

    /// A model over `symbolCount` symbols (2...65536), starting uniform.
    public init(symbolCount: Int, bits: Int = 16, increment: UInt32 = 32, countLimit: UInt32 = 1 << 16,
                maxPeriod: Int = 1024) {
        precondition(symbolCount >= 1 && symbolCount <= 65536 && symbolCount <= 1 << bits)
        precondition(increment >= 1 && UInt64(countLimit) >= UInt64(symbolCount) + UInt64(increment) && maxPeriod >= 16)
        counts = [UInt64](repeating: 1, count: symbolCount)
        scratch = [UInt32](repeating: 0, count: symbolCount)
        total = UInt64(symbolCount)
        self.increment = UInt64(increment)
        self.countLimit = UInt64(countLimit)
        self.maxPeriod = maxPeriod
        period = 16
        untilRebuild = 16
        table = FrequencyTable(counts: counts, bits: bits)
    }

    /// Number of symbols.
    public var count: Int { counts.count }

    /// Counts symbol `s`; rescales and rebuilds the table on schedule.
    @inlinable
    public mutating func update(_ s: Int) {
        counts[s] &+= increment
        total &+= increment
        if total > countLimit {
            total = 0
            counts.withUnsafeMutableBufferPointer { c in
                for i in 0..<c.count {
                    c[i] = (c[i] + 1) >> 1
                    total &+= c[i]
                }
            }
        }
        untilRebuild -= 1
        if untilRebuild == 0 { rebuild() }
    }

    @usableFromInline
    mutating func rebuild() {
        counts.withUnsafeBufferPointer { c in
            scratch.withUnsafeMutableBufferPointer { table.reload(weights: c, scratch: $0) }
        }
        period = min(period * 2, maxPeriod)
        untilRebuild = period
    }
}

extension RansEncoder {
    /// Records symbol `s` under an adaptive model, then updates the model.
    @inlinable
    public mutating func encode(_ s: Int, _ model: inout AdaptiveModel) {
        encode(s, model.table)
        model.update(s)
    }
}

extension RansDecoder {
    /// Decodes one symbol under an adaptive model, then updates the model.
    @inlinable
    public mutating func decode(_ model: inout AdaptiveModel) throws -> Int {
        let s = try decode(model.table)
        model.update(s)
        return s
    }
}
