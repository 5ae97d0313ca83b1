import Entropy
import Foundation

/// One RVQ level's index plane coded through an `IndexPrior` into its own rANS stream: each index
/// with the categorical distribution of the prior's logits (spec/entropy-coding.md §6).
public enum PriorPlaneCoder {
    /// What encoding a plane produced.
    public struct Encoded {
        public var bytes: [UInt8]
        /// With `estimate`: −Σ log2 p of the coded indices under the Float softmax of the logits
        /// (the estimate training minimises), in bits. A diagnostic, so the codec does not pay for it.
        public var estimatedBits: Double?
    }

    /// Codes `planes[level]` (`width x height`, raster order) given `planes[0..<level]` and, for a
    /// temporal prior's mode 3, the previous I-frame's plane of the level.
    public static func encode(prior: IndexPrior, level: Int, width: Int, height: Int, planes: [[Int32]],
                              previous: [Int32]? = nil, threads: Int, estimate: Bool = false) throws -> Encoded {
        let plane = planes[level]
        var enc = RansEncoder(capacity: plane.count)
        var dist = CategoricalDistribution(logits: [0])
        var bits = 0.0
        let coded = try prior.code(level: level, width: width, height: height, lower: Array(planes[0..<level]),
                                   previous: previous, threads: threads) { i, logits in
            let s = plane[i]
            dist.setLogits(logits)
            enc.encode(Int(s), dist)
            if estimate { bits += Self.softmaxBits(logits, symbol: Int(s)) }
            return s
        }
        precondition(coded == plane)
        return Encoded(bytes: enc.finish(), estimatedBits: estimate ? bits : nil)
    }

    /// Decodes a plane written by `encode`; `lower` holds levels `0..<level`, `previous` what
    /// `encode` was given.
    public static func decode(_ bytes: [UInt8], prior: IndexPrior, level: Int, width: Int, height: Int,
                              lower: [[Int32]], previous: [Int32]? = nil, threads: Int) throws -> [Int32] {
        var dec = try RansDecoder(bytes)
        var dist = CategoricalDistribution(logits: [0])
        let plane = try prior.code(level: level, width: width, height: height, lower: lower, previous: previous,
                                   threads: threads) { _, logits in
            dist.setLogits(logits)
            return Int32(try dec.decode(dist))
        }
        try dec.finish()
        return plane
    }

    /// −log2 softmax(logits)[symbol], in Double.
    static func softmaxBits(_ logits: UnsafeBufferPointer<Float>, symbol: Int) -> Double {
        var m = -Float.infinity
        for v in logits { m = max(m, v) }
        var s = 0.0
        for v in logits { s += Foundation.exp(Double(v - m)) }
        return (Foundation.log(s) - Double(logits[symbol] - m)) / Foundation.log(2)
    }
}
