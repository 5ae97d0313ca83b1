/// A categorical distribution from Float logits, turned into integer frequencies by an
/// integer-only softmax (spec/entropy-coding.md §6), with a binary-search symbol lookup.
///
/// The only float operations are `logit * 1024` (exact: a power-of-two scale) and rounding half
/// to even (exact), so equal Float logits give equal frequencies on any IEEE-754 machine.
/// Reuse one value with `setLogits` to avoid allocating per coded symbol.
public struct CategoricalDistribution {
    /// Probability precision: frequencies sum to `2^bits`.
    public let bits: Int
    /// Either the cumulative table (`pending == false`: `storage[s]` is the start of symbol `s`,
    /// `storage[K] == 2^bits`) or, after `setLogits`, the weights `w_i` of §6.3 in `storage[0..<K]`
    /// with `ratio` and `best`: the coder then finds a symbol's interval from the weights without
    /// building the whole table (§9).
    @usableFromInline var storage: [UInt32]
    @usableFromInline var pending = false
    /// `R` of the integer rule (§3.1) for the pending weights.
    @usableFromInline var ratio: UInt64 = 0
    /// The symbol that takes the normalisation remainder (first index of the largest weight).
    @usableFromInline var best = 0
    @usableFromInline var scratch = WeightScratch()

    /// `cumulative[s]` is the start of symbol `s`; `cumulative[count] == 2^bits`. After `setLogits`
    /// this builds the table on each access (the coder's `encode`/`decode` do not need it).
    public var cumulative: [UInt32] {
        guard pending else { return storage }
        var cum = storage
        cum.withUnsafeMutableBufferPointer { Self.accumulate($0, count: $0.count - 1, ratio: ratio, best: best, bits: bits) }
        return cum
    }

    /// Default precision for categorical models: 20 bits, so that even K = 4096 loses little to
    /// the frequency-1 floor.
    public static let defaultBits = 20

    /// Logits are clamped to `±logitClamp` nats (after scaling: ±2^20 units of 2^-10).
    public static let logitClamp: Float = 1024

    /// The distribution of `logits` (natural-log units, any finite or infinite values; NaN
    /// counts as −∞). Needs `1 <= logits.count <= min(65536, 2^bits)`. The cumulative table is
    /// built at once (for distributions reused over many symbols: binary search).
    public init(logits: [Float], bits: Int = CategoricalDistribution.defaultBits) {
        self.bits = bits
        self.storage = []
        logits.withUnsafeBufferPointer { setLogits($0) }
        materialize()
    }

    /// Replaces the distribution by that of `logits` (any count), reusing storage. Only the
    /// weights are computed (§6 steps 1-3); `encode`/`decode` then find the symbol's interval by
    /// summing frequencies from the nearer end, and `cumulative` is built on demand.
    public mutating func setLogits(_ logits: UnsafeBufferPointer<Float>) {
        let k = logits.count
        precondition(k >= 1 && k <= 65536 && k <= 1 << bits, "categorical of \(k) symbols at \(bits) bits")
        if storage.count != k + 1 { storage = [UInt32](repeating: 0, count: k + 1) }
        let (total, best) = storage.withUnsafeMutableBufferPointer { w in
            Self.weights(logits, into: UnsafeMutableBufferPointer(rebasing: w[0..<k]), scratch: &scratch)
        }
        // §3.1 with W >= 2^24 (the largest logit has weight 2^24).
        self.ratio = ((UInt64(1) << UInt64(bits) &- UInt64(k)) << 40) / total
        self.best = best
        self.pending = true
    }

    /// Builds the cumulative table of pending weights in place, so that lookups binary-search.
    public mutating func materialize() {
        guard pending else { return }
        let (r, b, n) = (ratio, best, bits)
        storage.withUnsafeMutableBufferPointer { Self.accumulate($0, count: $0.count - 1, ratio: r, best: b, bits: n) }
        pending = false
    }

    /// Turns weights `w[0..<count]` into the cumulative table `w[0...count]` (§3.1): frequencies
    /// `1 + ((w_i R) >> 40)` into running sums, then the remainder added from `best + 1` on.
    @inlinable
    static func accumulate(_ w: UnsafeMutableBufferPointer<UInt32>, count k: Int, ratio r: UInt64, best: Int, bits: Int) {
        var acc: UInt32 = 0
        var previous = w[0]
        w[0] = 0
        for i in 1...k {
            acc &+= 1 &+ UInt32(truncatingIfNeeded: (UInt64(previous) &* r) >> 40)
            if i < k { previous = w[i] }
            w[i] = acc
        }
        let remainder = UInt32(truncatingIfNeeded: UInt64(1) << UInt64(bits)) &- acc
        if remainder != 0 { for i in (best + 1)...k { w[i] &+= remainder } }
    }

    /// The interval `(symbol, start, frequency)` holding `slot`.
    @inlinable @inline(__always)
    public func interval(forSlot slot: UInt32) -> (symbol: Int, start: UInt32, frequency: UInt32) {
        if pending { return pendingInterval(forSlot: slot) }
        let s = symbol(forSlot: slot)
        return storage.withUnsafeBufferPointer { (s, $0[s], $0[s + 1] &- $0[s]) }
    }

    /// Number of symbols.
    @inlinable public var count: Int { storage.count - 1 }

    /// The frequency of symbol `s` (without building the table when pending).
    @inlinable public func frequency(_ s: Int) -> UInt32 { interval(of: s).frequency }

    /// All frequencies, in symbol order (the table is built once, not per symbol).
    public var frequencies: [UInt32] {
        let cum = cumulative
        return (0..<cum.count - 1).map { cum[$0 + 1] - cum[$0] }
    }

    /// The interval `(start, frequency)` of symbol `s`.
    @inlinable @inline(__always)
    public func interval(of s: Int) -> (start: UInt32, frequency: UInt32) {
        precondition(s >= 0 && s < count, "symbol \(s) outside a distribution of \(count)")
        if pending { return pendingInterval(of: s) }
        return storage.withUnsafeBufferPointer { ($0[s], $0[s + 1] &- $0[s]) }
    }

    /// A logit in fixed point: `round_half_even(logit * 1024)` clamped to ±2^20; NaN and −∞ give −2^20.
    @inlinable @inline(__always)
    public static func quantizeLogit(_ l: Float) -> Int32 {
        let v = l * 1024
        if !(v > -1_048_576) { return -1_048_576 }
        if !(v < 1_048_576) { return 1_048_576 }
        // Round half to even without a libm call or a branch: adding 1.5 * 2^23 to |v| < 2^22
        // leaves no fraction bits, so IEEE round-to-nearest-even does the rounding exactly.
        let magic: Float = 12_582_912
        return Int32((v + magic) - magic)
    }

    /// `exp2Table[j] = exp2Fraction(64 j)` ≈ `2^24 · 2^(-j / 1024)`, built once from integers.
    @usableFromInline
    static let exp2Table: [UInt32] = (0..<1024).map { UInt32(exp2Fraction(Int64($0) << 6)) }

    /// `2^24 · 2^(-r / 2^16)` for `r` in `0..<2^16`, by a degree-8 integer polynomial (Horner,
    /// coefficients `round(2^30 (−ln 2)^n / n!)`, arithmetic shifts). Relative error < 3e-7.
    @inlinable @inline(__always)
    public static func exp2Fraction(_ r: Int64) -> Int64 {
        var p: Int64 = 1419
        p = -16377 + ((p &* r) >> 16)
        p = 165394 + ((p &* r) >> 16)
        p = -1431680 + ((p &* r) >> 16)
        p = 10327387 + ((p &* r) >> 16)
        p = -59597083 + ((p &* r) >> 16)
        p = 257941248 + ((p &* r) >> 16)
        p = -744261118 + ((p &* r) >> 16)
        p = 1073741824 + ((p &* r) >> 16)
        return (p + 32) >> 6
    }

    /// The symbol whose interval holds `slot`: branch-free binary search over `cumulative`
    /// (the step is taken by masking with the sign of `slot - cumulative[mid]`, not a branch).
    @inlinable @inline(__always)
    public func symbol(forSlot slot: UInt32) -> Int {
        if pending { return pendingInterval(forSlot: slot).symbol }
        return storage.withUnsafeBufferPointer { cum in
            var lo = 0
            var n = cum.count &- 1
            while n > 1 {
                let half = n >> 1
                let d = Int(slot) &- Int(cum[lo &+ half])
                lo &+= half & ~(d >> 63)
                n &-= half
            }
            return lo
        }
    }
}

extension FrequencyTable {
    /// A static table (with its lookup table) holding a categorical distribution's frequencies,
    /// for distributions reused over many symbols.
    public init(_ categorical: CategoricalDistribution) {
        try! self.init(frequencies: categorical.frequencies, bits: categorical.bits)
    }
}

extension CategoricalDistribution: CumulativeFrequencies {}

