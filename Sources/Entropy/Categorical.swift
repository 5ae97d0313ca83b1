/// A categorical distribution from Float logits, turned into integer frequencies by an
/// integer-only softmax (spec/entropy-coding.md §6), with a binary-search symbol lookup.
///
/// The only float operations are `logit * 1024` (exact: a power-of-two scale) and rounding half
/// to even (exact), so equal Float logits give equal frequencies on any IEEE-754 machine.
/// Reuse one value with `setLogits` to avoid allocating per coded symbol.
public struct CategoricalDistribution {
    /// Probability precision: frequencies sum to `2^bits`.
    public let bits: Int
    /// `cumulative[s]` is the start of symbol `s`; `cumulative[count] == 2^bits`.
    /// (The softmax works in place in this one array, so a copy costs one reference count.)
    public private(set) var cumulative: [UInt32]

    /// Default precision for categorical models: 20 bits, so that even K = 4096 loses little to
    /// the frequency-1 floor.
    public static let defaultBits = 20

    /// Logits are clamped to `±logitClamp` nats (after scaling: ±2^20 units of 2^-10).
    public static let logitClamp: Float = 1024

    /// The distribution of `logits` (natural-log units, any finite or infinite values; NaN
    /// counts as −∞). Needs `1 <= logits.count <= min(65536, 2^bits)`.
    public init(logits: [Float], bits: Int = CategoricalDistribution.defaultBits) {
        self.bits = bits
        self.cumulative = []
        logits.withUnsafeBufferPointer { setLogits($0) }
    }

    /// Replaces the distribution by that of `logits` (any count), reusing storage.
    public mutating func setLogits(_ logits: UnsafeBufferPointer<Float>) {
        let k = logits.count
        precondition(k >= 1 && k <= 65536 && k <= 1 << bits, "categorical of \(k) symbols at \(bits) bits")
        if cumulative.count != k + 1 { cumulative = [UInt32](repeating: 0, count: k + 1) }
        let bits = self.bits
        cumulative.withUnsafeMutableBufferPointer { cum in
            Self.softmaxFrequencies(logits, bits: bits, into: cum)
        }
    }

    /// Integer softmax (spec §6): weights `w_i ≈ 2^24 · exp(l_i − max l)` into `cum[1...K]`, then
    /// the shared normalisation rule (`FrequencyNormalization`) in place, then prefix sums.
    @inlinable
    static func softmaxFrequencies(_ logits: UnsafeBufferPointer<Float>, bits: Int,
                                   into cum: UnsafeMutableBufferPointer<UInt32>) {
        let k = logits.count
        // Pass 1: fixed-point logits (kept in cum[1...K] as bit patterns) and their maximum.
        // (Written branch-free so it vectorises; same values as `quantizeLogit`.)
        var maxQ = Int32.min
        let magic: Float = 12_582_912
        for i in 0..<k {
            var v = logits[i] * 1024
            v = v.isNaN ? -1_048_576 : v
            v = v < -1_048_576 ? -1_048_576 : v
            v = v > 1_048_576 ? 1_048_576 : v
            // v + 1.5 * 2^23 lies in [2^23, 2^24), where consecutive integers have consecutive
            // bit patterns: the rounded integer is a difference of bit patterns.
            let q = Int32(bitPattern: (v + magic).bitPattern &- magic.bitPattern)
            cum[i + 1] = UInt32(bitPattern: q)
            maxQ = q > maxQ ? q : maxQ
        }
        var best = 0
        while Int32(bitPattern: cum[best + 1]) != maxQ { best += 1 }
        // Pass 2: weights 2^24 * 2^(-e / 1024) from the 1024-entry table. T[j] <= 2^24, so
        // shifting by min(k, 32) equals the rule's "0 if k >= 32".
        var total: UInt64 = 0
        exp2Table.withUnsafeBufferPointer { table in
            for i in 1...k {
                let t = Int64(maxQ) &- Int64(Int32(bitPattern: cum[i]))  // 0...2^21, units of 2^-10 nats
                let e = (t &* 94548) >> 16                                 // units of 2^-10 in log2
                let w = table[Int(e & 1023)] >> UInt32(min(e >> 10, 32))
                cum[i] = w
                total &+= UInt64(w)
            }
        }
        // Same rule as FrequencyNormalization.normalize: total >= 2^24 (the max has weight 2^24).
        let m = UInt64(1) << UInt64(bits)
        let r = ((m &- UInt64(k)) << 40) / total
        // Frequencies straight into running sums (a register accumulator, no store-to-load chain),
        // then the remainder that belongs to `best` shifts every later cumulative value.
        var acc: UInt32 = 0
        for i in 1...k {
            acc &+= 1 &+ UInt32(truncatingIfNeeded: (UInt64(cum[i]) &* r) >> 40)
            cum[i] = acc
        }
        let remainder = UInt32(truncatingIfNeeded: m) &- acc
        cum[0] = 0
        if remainder != 0 { for i in (best + 1)...k { cum[i] &+= remainder } }
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
        cumulative.withUnsafeBufferPointer { cum in
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
