/// The weight stage of the integer softmax (spec/entropy-coding.md §6, steps 1-3), in SIMD passes
/// over the logits. Every operation is exact integer arithmetic or one of the exact Float steps
/// of §6.1, so the weights equal the scalar formula's on any machine and any vector width.
extension CategoricalDistribution {
    /// Work areas for the weight passes, reused across calls (two `UInt32` per symbol).
    @usableFromInline
    struct WeightScratch {
        @usableFromInline var a: [UInt32] = []
        @usableFromInline var b: [UInt32] = []
        @usableFromInline init() {}
    }

    /// Writes `w_i` (§6.3) into `w[0..<K]` and returns their total and the first index of the
    /// largest fixed-point logit (the symbol that takes the normalisation remainder).
    @inlinable
    static func weights(_ logits: UnsafeBufferPointer<Float>, into w: UnsafeMutableBufferPointer<UInt32>,
                        scratch: inout WeightScratch) -> (total: UInt64, best: Int) {
        let k = logits.count
        if scratch.a.count < k + 8 {
            scratch.a = [UInt32](repeating: 0, count: k + 8)
            scratch.b = [UInt32](repeating: 0, count: k + 8)
        }
        return scratch.a.withUnsafeMutableBufferPointer { qa in
            scratch.b.withUnsafeMutableBufferPointer { kb in
                exp2Table.withUnsafeBufferPointer { table in
                    weightPasses(logits, w: w, q: qa.baseAddress!, shifts: kb.baseAddress!, table: table.baseAddress!)
                }
            }
        }
    }

    @inlinable
    static func weightPasses(_ logits: UnsafeBufferPointer<Float>, w: UnsafeMutableBufferPointer<UInt32>,
                             q: UnsafeMutablePointer<UInt32>, shifts: UnsafeMutablePointer<UInt32>,
                             table: UnsafePointer<UInt32>) -> (total: UInt64, best: Int) {
        typealias V = SIMD8<UInt32>
        let k = logits.count
        let blocks = k / 8
        let src = UnsafeRawPointer(logits.baseAddress!)
        let qRaw = UnsafeMutableRawPointer(q)
        let kRaw = UnsafeMutableRawPointer(shifts)
        let wRaw = UnsafeMutableRawPointer(w.baseAddress!)

        // Pass 1: the largest logit. Rounding and clamping are monotonic, so its fixed-point value
        // is Q = max q_i (NaN compares false and is skipped; it and -inf give -2^20 anyway).
        var vmax = SIMD8<Float>(repeating: -.infinity)
        for b in 0..<blocks {
            let l = src.loadUnaligned(fromByteOffset: 32 &* b, as: SIMD8<Float>.self)
            vmax.replace(with: l, where: l .> vmax)
        }
        var maxL = -Float.infinity  // (lane by lane: SIMD.max() is not specialised here)
        for lane in 0..<8 where vmax[lane] > maxL { maxL = vmax[lane] }
        for i in (blocks &* 8)..<k where logits[i] > maxL { maxL = logits[i] }
        let maxQ = quantizeLogit(maxL)

        // Pass 2: q_i (§6.1), then e_i = ((Q - q_i) * 94548) >> 16 in 32-bit lanes: with
        // t = 2^16 a + b and 94548 = 2^16 + 29012 it is t + 29012 a + ((29012 b) >> 16), every
        // product below 2^32. Clamping v first puts v + 1.5 * 2^23 in [2^23, 2^24), where IEEE
        // rounding to nearest even leaves round(v) and consecutive integers have consecutive bit
        // patterns. e_i is clamped to 25 * 1024: T[j] <= 2^24, so every k_i >= 25 gives weight 0
        // like k_i >= 32. Table indices j_i go to q[], shifts k_i to shifts[]; the first t_i = 0
        // is the first maximum.
        let magic: Float = 12_582_912
        let scale = SIMD8<Float>(repeating: 1024), magicV = SIMD8<Float>(repeating: magic)
        let lowV = SIMD8<Float>(repeating: -1_048_576), highV = SIMD8<Float>(repeating: 1_048_576)
        let qv = V(repeating: UInt32(bitPattern: maxQ) &+ magic.bitPattern)
        let c29012 = V(repeating: 29012), low16 = V(repeating: 0xFFFF), cap = V(repeating: 25 << 10)
        let sixteen = V(repeating: 16), ten = V(repeating: 10), jmask = V(repeating: 1023)
        let zero = V(repeating: 0)
        var best = -1
        for b in 0..<blocks {
            var v = src.loadUnaligned(fromByteOffset: 32 &* b, as: SIMD8<Float>.self) * scale
            v.replace(with: lowV, where: .!(v .> lowV))  // NaN, -inf and below
            v.replace(with: highV, where: v .> highV)
            // Q - q_i = (Q + bits(magic)) - bits(v + magic)
            let t = qv &- unsafeBitCast(v + magicV, to: V.self)
            var e = t &+ (t &>> sixteen) &* c29012 &+ (((t & low16) &* c29012) &>> sixteen)
            e.replace(with: cap, where: e .> cap)
            qRaw.storeBytes(of: e & jmask, toByteOffset: 32 &* b, as: V.self)
            kRaw.storeBytes(of: e &>> ten, toByteOffset: 32 &* b, as: V.self)
            if best < 0 && any(t .== zero) {
                var lane = 0
                while t[lane] != 0 { lane &+= 1 }
                best = 8 &* b &+ lane
            }
        }
        for i in (blocks &* 8)..<k {
            let t = UInt32(bitPattern: maxQ &- quantizeLogit(logits[i]))
            if best < 0 && t == 0 { best = i }
            let e = Swift.min(t &+ (t &>> 16) &* 29012 &+ (((t & 0xFFFF) &* 29012) &>> 16), 25 << 10)
            q[i] = e & 1023
            shifts[i] = e &>> 10
        }

        // Pass 3 (scalar): the table lookups T[j_i], in place.
        var i = 0
        while i &+ 4 <= k {
            let t0 = table[Int(q[i])], t1 = table[Int(q[i &+ 1])]
            let t2 = table[Int(q[i &+ 2])], t3 = table[Int(q[i &+ 3])]
            q[i] = t0; q[i &+ 1] = t1; q[i &+ 2] = t2; q[i &+ 3] = t3
            i &+= 4
        }
        while i < k { q[i] = table[Int(q[i])]; i &+= 1 }

        // Pass 4: w_i = T[j_i] >> k_i and the total. Lane sums stay below 2^32 for 128 blocks
        // (w_i <= 2^24), then move into 64 bits.
        var total: UInt64 = 0
        var b = 0
        while b < blocks {
            let end = Swift.min(blocks, b &+ 128)
            var acc = V(repeating: 0)
            while b < end {
                let t = UnsafeRawPointer(q).loadUnaligned(fromByteOffset: 32 &* b, as: V.self)
                let s = UnsafeRawPointer(shifts).loadUnaligned(fromByteOffset: 32 &* b, as: V.self)
                let wv = t &>> s
                acc &+= wv
                wRaw.storeBytes(of: wv, toByteOffset: 32 &* b, as: V.self)
                b &+= 1
            }
            total &+= UInt64(acc[0]) &+ UInt64(acc[1]) &+ UInt64(acc[2]) &+ UInt64(acc[3])
                &+ UInt64(acc[4]) &+ UInt64(acc[5]) &+ UInt64(acc[6]) &+ UInt64(acc[7])
        }
        for i in (blocks &* 8)..<k {
            let wi = q[i] &>> shifts[i]
            w[i] = wi
            total &+= UInt64(wi)
        }
        return (total, best)
    }
}
