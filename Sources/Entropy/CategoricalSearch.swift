/// Symbol lookup straight from the weights of §6 (after `setLogits`), without the cumulative
/// table: the frequencies `f_i = 1 + ((w_i R) >> 40)` of symbols before `best` sum to its start,
/// and those after it sum down from `2^bits` to its end (the remainder of §3.1 belongs to `best`),
/// so the coder sums from whichever end reaches the symbol without needing the other half.
extension CategoricalDistribution {
    @inlinable @inline(__always)
    static func frequency(_ w: UInt32, _ r: UInt64) -> UInt32 {
        1 &+ UInt32(truncatingIfNeeded: (UInt64(w) &* r) &>> 40)
    }

    /// `(symbol, start, frequency)` of the interval holding `slot`, from the pending weights.
    @inlinable
    func pendingInterval(forSlot slot: UInt32) -> (symbol: Int, start: UInt32, frequency: UInt32) {
        let r = ratio, best = self.best, k = count
        return storage.withUnsafeBufferPointer { wb in
            let w = wb.baseAddress!
            // Up from 0: starts of symbols 0...best need no remainder. Four frequencies at a time.
            var acc: UInt32 = 0
            var i = 0
            while i &+ 4 <= best {
                let f0 = Self.frequency(w[i], r), f1 = Self.frequency(w[i &+ 1], r)
                let f2 = Self.frequency(w[i &+ 2], r), f3 = Self.frequency(w[i &+ 3], r)
                let next = acc &+ f0 &+ f1 &+ f2 &+ f3
                if slot < next { break }
                acc = next
                i &+= 4
            }
            while i < best {
                let f = Self.frequency(w[i], r)
                if slot < acc &+ f { return (i, acc, f) }
                acc &+= f
                i &+= 1
            }
            // acc is now the start of `best`. Down from 2^bits for the symbols after it.
            var top = UInt32(truncatingIfNeeded: UInt64(1) << UInt64(bits))
            var j = k &- 1
            while j &- 4 >= best {
                let f0 = Self.frequency(w[j], r), f1 = Self.frequency(w[j &- 1], r)
                let f2 = Self.frequency(w[j &- 2], r), f3 = Self.frequency(w[j &- 3], r)
                let next = top &- f0 &- f1 &- f2 &- f3
                if slot >= next { break }
                top = next
                j &-= 4
            }
            while j > best {
                let f = Self.frequency(w[j], r)
                top &-= f
                if slot >= top { return (j, top, f) }
                j &-= 1
            }
            return (best, acc, top &- acc)
        }
    }

    /// `(start, frequency)` of symbol `s` from the pending weights.
    @inlinable
    func pendingInterval(of s: Int) -> (start: UInt32, frequency: UInt32) {
        let r = ratio, best = self.best, k = count
        return storage.withUnsafeBufferPointer { wb in
            let w = wb.baseAddress!
            var acc: UInt32 = 0
            if s <= best {
                for i in 0..<s { acc &+= Self.frequency(w[i], r) }
                if s < best { return (acc, Self.frequency(w[s], r)) }
            }
            var top = UInt32(truncatingIfNeeded: UInt64(1) << UInt64(bits))
            var j = k &- 1
            while j > Swift.max(s, best) { top &-= Self.frequency(w[j], r); j &-= 1 }
            if s > best { let f = Self.frequency(w[s], r); return (top &- f, f) }
            return (acc, top &- acc)  // s == best: between the two sums
        }
    }
}

extension RansEncoder {
    /// Records symbol `s` of a categorical distribution (from its weights after `setLogits`).
    @inlinable @inline(__always)
    public mutating func encode(_ s: Int, _ dist: CategoricalDistribution) {
        let (start, freq) = dist.interval(of: s)
        put(start: start, frequency: freq, bits: dist.bits)
    }
}

extension RansDecoder {
    /// Decodes one symbol of a categorical distribution (from its weights after `setLogits`).
    @inlinable @inline(__always)
    public mutating func decode(_ dist: CategoricalDistribution) throws -> Int {
        let slot = self.slot(bits: dist.bits)
        let (s, start, freq) = dist.interval(forSlot: slot)
        try advance(slot: slot, start: start, frequency: freq, bits: dist.bits)
        return s
    }
}
