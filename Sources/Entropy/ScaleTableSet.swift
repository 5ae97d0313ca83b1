/// Discretized Laplace or Gaussian tables at N log-spaced scale levels, built once at training
/// time and stored with the weights (spec/entropy-coding.md §5).
///
/// At coding time nothing is recomputed from floats: a scale picks its level by comparisons
/// against stored Float thresholds, a mean becomes an integer center by round-half-to-even, and
/// the value minus the center is coded under that level's `BoundedTable` (escape included).
public struct ScaleTableSet: Equatable {
    /// `thresholds[j]` separates level `j` from level `j + 1`; ascending, `levels - 1` of them.
    public let thresholds: [Float]
    /// The thresholds as integers ordered like the floats, then an `Int32.max` sentinel.
    @usableFromInline let thresholdKeys: [Int32]
    /// `bucketLevels[b]`: thresholds whose key is <= `(bucketBase + b) << 16`, a start for the
    /// forward scan (an acceleration only: the rule is the count of thresholds <= scale).
    @usableFromInline let bucketLevels: [UInt16]
    @usableFromInline let bucketBase: Int
    /// The scale each level was built for (informational; coding never reads it).
    public let scales: [Float]
    /// One table per level, centred on zero, in flat storage.
    public let bank: BoundedTableBank

    /// One table per level, centred on zero.
    public var tables: [BoundedTable] { bank.tables }

    /// Number of levels.
    public var levels: Int { bank.count }

    /// A set from stored parts; thresholds must be ascending and not NaN.
    public init(thresholds: [Float], scales: [Float], tables: [BoundedTable]) throws {
        guard !tables.isEmpty else { throw EntropyError.invalidTable("scale table set has no levels") }
        guard thresholds.count == tables.count - 1 && scales.count == tables.count else {
            throw EntropyError.invalidTable("\(tables.count) levels need \(tables.count - 1) thresholds and \(tables.count) scales")
        }
        for j in 0..<thresholds.count {
            guard !thresholds[j].isNaN, j == 0 || thresholds[j - 1] < thresholds[j] else {
                throw EntropyError.invalidTable("thresholds not strictly ascending at \(j)")
            }
        }
        self.thresholds = thresholds
        let keys = thresholds.map { Self.orderKey($0) }
        self.thresholdKeys = keys + [Int32.max]  // sentinel: above every key (NaN never gets here)
        if let first = keys.first, let last = keys.last {
            bucketBase = Int(first >> 16)
            var below = 0  // keys are ascending: one moving count serves every bucket
            bucketLevels = (bucketBase...Int(last >> 16)).map { b in
                while below < keys.count && Int(keys[below]) <= b << 16 { below += 1 }
                return UInt16(truncatingIfNeeded: below)
            }
        } else {
            bucketBase = 0
            bucketLevels = []
        }
        self.scales = scales
        self.bank = BoundedTableBank(tables)
    }

    /// The level for `scale`: the number of thresholds `t` with `scale >= t` (IEEE comparison).
    /// NaN and anything below the first threshold give 0; +inf gives the last level.
    @inlinable
    public func level(forScale scale: Float) -> Int {
        if scale.isNaN { return 0 }
        let key = Int(Self.orderKey(scale))
        return thresholdKeys.withUnsafeBufferPointer { t in
            guard t.count > 1, key >= Int(t[0]) else { return 0 }
            // Start from the bucket of the key's top 16 bits (buckets are 2^-7 wide in relative
            // terms, finer than log-spaced levels, so at most one threshold usually remains):
            // one branch-free step, then a scan that the sentinel ends and that rarely runs.
            let b = min((key >> 16) &- bucketBase, bucketLevels.count &- 1)
            var level = Int(bucketLevels[b])
            level &+= 1 &+ ((key &- Int(t[level])) >> 63)
            while Int(t[level]) <= key { level &+= 1 }
            return level
        }
    }

    /// Maps a non-NaN Float to an Int32 with the same order as IEEE comparison (-0 maps as +0).
    @inlinable @inline(__always)
    static func orderKey(_ f: Float) -> Int32 {
        let i = Int32(bitPattern: (f == 0 ? Float(0) : f).bitPattern)
        return i ^ ((i >> 31) & 0x7FFF_FFFF)
    }

    /// The integer center for `mean`: round half to even; NaN gives 0; clamped to Int32.
    @inlinable
    public static func center(mean: Float) -> Int32 {
        if mean.isNaN { return 0 }
        if !(mean < 2_147_483_648) { return .max }
        if !(mean > -2_147_483_648) { return .min }
        if abs(mean) < 4_194_304 {
            // |mean| < 2^22: adding 1.5 * 2^23 leaves no fraction bits, so IEEE
            // round-to-nearest-even rounds exactly, without a libm call.
            let magic: Float = 12_582_912
            return Int32((mean + magic) - magic)
        }
        return Int32(mean.rounded(.toNearestOrEven))
    }
}

extension RansEncoder {
    /// Records `value` under the level chosen by `scale`, centred on `round(mean)`.
    @inlinable
    public mutating func encode(_ value: Int32, mean: Float, scale: Float, _ set: ScaleTableSet) {
        encode(value, set.bank, index: set.level(forScale: scale), center: ScaleTableSet.center(mean: mean))
    }
}

extension RansDecoder {
    /// Decodes a value coded by `RansEncoder.encode(_:mean:scale:_:)` with the same mean and scale.
    @inlinable
    public mutating func decode(mean: Float, scale: Float, _ set: ScaleTableSet) throws -> Int32 {
        try decode(set.bank, index: set.level(forScale: scale), center: ScaleTableSet.center(mean: mean))
    }
}
