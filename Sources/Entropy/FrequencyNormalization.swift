/// The one integer rule that turns non-negative weights into coder frequencies
/// (spec/entropy-coding.md §3.1). Counts, adaptive models and softmaxed logits all pass through it.
///
/// With `M = 2^bits`, `K` weights and `W = Σ w` (all-zero weights count as all ones):
/// `R = floor(((M - K) << 40) / W)`, `f_i = 1 + ((w_i * R) >> 40)`, and the `M - Σ f` left over
/// goes to the first index of the largest weight. Every symbol keeps frequency >= 1.
public enum FrequencyNormalization {
    /// Largest total weight the rule accepts: keeps `R >= M - K`, so the rule stays precise.
    public static let maxTotalWeight: UInt64 = 1 << 40

    /// Writes frequencies for `weights` into `frequencies` (same count). Requires
    /// `1 <= K <= 2^bits`, `bits <= 24`, and `Σ w <= maxTotalWeight`.
    @inlinable
    public static func normalize(_ weights: UnsafeBufferPointer<UInt64>, bits: Int,
                                 into frequencies: UnsafeMutableBufferPointer<UInt32>) {
        let k = weights.count
        let m = UInt64(1) << UInt64(bits)
        precondition(k >= 1 && UInt64(k) <= m && bits <= Rans.maxPrecisionBits && frequencies.count == k)
        var total: UInt64 = 0
        var best = 0
        var bestWeight: UInt64 = 0
        for i in 0..<k {
            let w = weights[i]
            total += w
            if w > bestWeight { bestWeight = w; best = i }
        }
        precondition(total <= maxTotalWeight, "weights too large to normalise")
        if total == 0 {  // no information: uniform
            for i in 0..<k { frequencies[i] = UInt32(m / UInt64(k)) }
            frequencies[0] += UInt32(m - (m / UInt64(k)) * UInt64(k))
            return
        }
        let r = ((m - UInt64(k)) << 40) / total
        var sum: UInt64 = 0
        for i in 0..<k {
            let f = 1 &+ ((weights[i] &* r) >> 40)
            frequencies[i] = UInt32(truncatingIfNeeded: f)
            sum &+= f
        }
        frequencies[best] &+= UInt32(truncatingIfNeeded: m &- sum)
    }

    /// Convenience over arrays.
    public static func normalize(_ weights: [UInt64], bits: Int) -> [UInt32] {
        var out = [UInt32](repeating: 0, count: weights.count)
        weights.withUnsafeBufferPointer { w in
            out.withUnsafeMutableBufferPointer { normalize(w, bits: bits, into: $0) }
        }
        return out
    }

    /// Training-time rule: frequencies close to minimising the expected code length of
    /// `probabilities` (floats allowed: the result is stored as integers, never recomputed at
    /// decode time). Starts from `max(1, floor(p * M))`, then adds or removes one unit at a time
    /// where it gains (or loses) the least expected length. Probabilities need not sum to 1.
    public static func quantize(probabilities: [Double], bits: Int) -> [UInt32] {
        let k = probabilities.count
        let m = Int64(1) << Int64(bits)
        precondition(k >= 1 && Int64(k) <= m && bits <= Rans.maxPrecisionBits)
        var p = probabilities.map { $0.isFinite && $0 > 0 ? $0 : 0 }
        let total = p.reduce(0, +)
        if total <= 0 { p = [Double](repeating: 1.0 / Double(k), count: k) } else { p = p.map { $0 / total } }
        var f = p.map { max(Int64(1), Int64(($0 * Double(m)).rounded(.down))) }
        var diff = m - f.reduce(0, +)
        // Greedy on a max-heap: adding one unit to f gains p*log2((f+1)/f); removing one from
        // f > 1 loses p*log2(f/(f-1)). Both are diminishing in f, so one unit at a time is optimal.
        // Ties and order do not matter to decoding: the result is what gets stored.
        let adding = diff > 0
        func key(_ i: Int) -> Double {
            if p[i] == 0 { return adding ? 0 : (f[i] > 1 ? 0 : -Double.infinity) }
            if adding { return p[i] * log2Double(Double(f[i] + 1) / Double(f[i])) }
            return f[i] > 1 ? -p[i] * log2Double(Double(f[i]) / Double(f[i] - 1)) : -Double.infinity
        }
        var heap = MaxHeap(keys: (0..<k).map(key))
        while diff != 0 {
            let i = heap.top
            f[i] += adding ? 1 : -1
            diff += adding ? -1 : 1
            heap.updateTop(key(i))
        }
        return f.map { UInt32($0) }
    }
}

/// An indexed max-heap of keys for the training-time quantizer.
struct MaxHeap {
    var keys: [Double]
    var order: [Int]

    init(keys: [Double]) {
        self.keys = keys
        self.order = Array(0..<keys.count)
        for i in stride(from: order.count / 2 - 1, through: 0, by: -1) { siftDown(i) }
    }

    /// The index with the largest key.
    var top: Int { order[0] }

    /// Replaces the top's key and restores the heap.
    mutating func updateTop(_ key: Double) {
        keys[order[0]] = key
        siftDown(0)
    }

    private mutating func siftDown(_ start: Int) {
        var i = start
        while true {
            let l = 2 * i + 1, r = l + 1
            var m = i
            if l < order.count && keys[order[l]] > keys[order[m]] { m = l }
            if r < order.count && keys[order[r]] > keys[order[m]] { m = r }
            if m == i { return }
            order.swapAt(i, m)
            i = m
        }
    }
}
