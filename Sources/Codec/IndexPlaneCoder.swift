import Entropy

/// Entropy coding of one RVQ level's index plane into its own substream (spec/intra.md §3).
///
/// Each level is a separate rANS stream so that a decoder can stop after any prefix of levels.
/// The first byte says how the codes that follow are modelled: 0, a uniform table over the
/// codebook; 1, an adaptive count model that starts uniform; 2, the stream's learned index prior
/// (only in streams whose header names one); 3, that prior with the previous I-frame's plane of
/// the level as a further context (only for a temporal prior, and only after an I-frame). The
/// encoder writes every mode it can and keeps the smallest: a short plane gives the adaptive model
/// too few symbols to learn from, a prior trained on other content can lose to it, and after a
/// scene cut the previous I-frame can mislead.
public enum IndexPlaneCoder {
    /// How a substream's codes are modelled (its first byte).
    public enum Mode: UInt8 {
        case uniform = 0
        case adaptive = 1
        case prior = 2
        case temporalPrior = 3
    }

    /// What mode 2 needs: the prior and everything it conditions on.
    public struct PriorContext {
        public var prior: IndexPrior
        public var level: Int
        public var width: Int, height: Int
        /// Planes of levels `0..<level`.
        public var lower: [[Int32]]
        /// The previous I-frame's plane of `level` (same grid), if the stream has one: mode 3's context.
        public var previous: [Int32]?
        public var threads: Int

        public init(prior: IndexPrior, level: Int, width: Int, height: Int, lower: [[Int32]], previous: [Int32]? = nil,
                    threads: Int) {
            self.prior = prior; self.level = level; self.width = width; self.height = height
            self.lower = lower; self.previous = previous; self.threads = threads
        }
    }

    /// The coded bytes of `plane`, codes in `0..<codebookSize`: the smallest of the uniform, the
    /// adaptive and (with `prior`) the prior-coded substream, and with a temporal prior and a
    /// previous plane the mode-3 substream.
    public static func encode(_ plane: [Int32], codebookSize: Int, prior: PriorContext? = nil) throws -> [UInt8] {
        precondition(plane.allSatisfy { $0 >= 0 && Int($0) < codebookSize }, "index outside codebook of \(codebookSize)")
        var best = [Mode.uniform.rawValue] + encodeUniform(plane, codebookSize)
        let adaptive = [Mode.adaptive.rawValue] + encodeAdaptive(plane, codebookSize).bytes
        if adaptive.count < best.count { best = adaptive }
        if let prior {
            let coded = [Mode.prior.rawValue] + (try PriorPlaneCoder.encode(
                prior: prior.prior, level: prior.level, width: prior.width, height: prior.height,
                planes: prior.lower + [plane], threads: prior.threads).bytes)
            if coded.count < best.count { best = coded }
            if prior.prior.temporal, let previous = prior.previous {
                let temporal = [Mode.temporalPrior.rawValue] + (try PriorPlaneCoder.encode(
                    prior: prior.prior, level: prior.level, width: prior.width, height: prior.height,
                    planes: prior.lower + [plane], previous: previous, threads: prior.threads).bytes)
                if temporal.count < best.count { best = temporal }
            }
        }
        return best
    }

    /// Decodes `count` codes; throws on an unknown mode, a mode-2 substream without `prior`, a
    /// mode-3 substream without a temporal prior or a previous plane, or truncated or corrupt bytes.
    public static func decode(_ bytes: [UInt8], count: Int, codebookSize: Int, prior: PriorContext? = nil) throws -> [Int32] {
        guard let first = bytes.first, let mode = Mode(rawValue: first) else {
            throw EntropyError.corrupt(offset: 0, reason: bytes.isEmpty ? "empty index substream" : "unknown index mode \(bytes[0])")
        }
        var plane = [Int32](repeating: 0, count: count)
        switch mode {
        case .uniform:
            var decoder = try RansDecoder(bytes[1...])
            let table = uniformTable(codebookSize)
            for i in 0..<count { plane[i] = Int32(try decoder.decode(table)) }
            try decoder.finish()
        case .adaptive:
            var decoder = try RansDecoder(bytes[1...])
            var model = AdaptiveModel(symbolCount: codebookSize)
            for i in 0..<count { plane[i] = Int32(try decoder.decode(&model)) }
            try decoder.finish()
        case .prior:
            guard let p = prior else {
                throw EntropyError.corrupt(offset: 0, reason: "index mode 2 (learned prior) in a stream that names no index prior")
            }
            precondition(p.width * p.height == count && p.prior.codebookSize == codebookSize)
            plane = try PriorPlaneCoder.decode(Array(bytes[1...]), prior: p.prior, level: p.level, width: p.width,
                                               height: p.height, lower: p.lower, threads: p.threads)
        case .temporalPrior:
            guard let p = prior, p.prior.temporal else {
                throw EntropyError.corrupt(offset: 0, reason: "index mode 3 (temporal prior) in a stream whose index prior has no temporal context")
            }
            guard let previous = p.previous else {
                throw EntropyError.corrupt(offset: 0, reason: "index mode 3 (temporal prior) in the stream's first I-frame")
            }
            precondition(p.width * p.height == count && previous.count == count && p.prior.codebookSize == codebookSize)
            plane = try PriorPlaneCoder.decode(Array(bytes[1...]), prior: p.prior, level: p.level, width: p.width,
                                               height: p.height, lower: p.lower, previous: previous, threads: p.threads)
        }
        return plane
    }

    /// The ideal cost in bits of `plane` under the adaptive model (a diagnostic beside the real
    /// bytes, never instead of them).
    public static func idealBits(_ plane: [Int32], codebookSize: Int) -> Double {
        encodeAdaptive(plane, codebookSize).idealBits
    }

    private static func encodeUniform(_ plane: [Int32], _ k: Int) -> [UInt8] {
        var encoder = RansEncoder(capacity: plane.count)
        let table = uniformTable(k)
        for s in plane { encoder.encode(Int(s), table) }
        return encoder.finish()
    }

    private static func encodeAdaptive(_ plane: [Int32], _ k: Int) -> (bytes: [UInt8], idealBits: Double) {
        var encoder = RansEncoder(capacity: plane.count)
        var model = AdaptiveModel(symbolCount: k)
        for s in plane { encoder.encode(Int(s), &model) }
        let ideal = encoder.idealBits
        return (encoder.finish(), ideal)
    }

    private static func uniformTable(_ k: Int) -> FrequencyTable {
        FrequencyTable(counts: [UInt64](repeating: 1, count: k))
    }
}
