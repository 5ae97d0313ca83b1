import Entropy

/// Entropy coding of one RVQ level's index plane into its own substream (spec/intra.md §3).
///
/// Each level is a separate rANS stream so that a decoder can stop after any prefix of levels.
/// The first byte says how the codes that follow are modelled: 0, a uniform table over the
/// codebook; 1, an adaptive count model that starts uniform. The encoder writes both and keeps
/// the smaller, because a short plane (a small frame) gives the adaptive model too few symbols to
/// learn from and it would cost more than log2(K) bits per index.
public enum IndexPlaneCoder {
    /// How a substream's codes are modelled (its first byte).
    public enum Mode: UInt8 {
        case uniform = 0
        case adaptive = 1
    }

    /// The coded bytes of `plane`, codes in `0..<codebookSize`.
    public static func encode(_ plane: [Int32], codebookSize: Int) -> [UInt8] {
        precondition(plane.allSatisfy { $0 >= 0 && Int($0) < codebookSize }, "index outside codebook of \(codebookSize)")
        let uniform = [Mode.uniform.rawValue] + encode(plane, mode: .uniform, codebookSize: codebookSize)
        let adaptive = [Mode.adaptive.rawValue] + encode(plane, mode: .adaptive, codebookSize: codebookSize)
        return adaptive.count < uniform.count ? adaptive : uniform
    }

    /// Decodes `count` codes; throws on an unknown mode or truncated or corrupt bytes.
    public static func decode(_ bytes: [UInt8], count: Int, codebookSize: Int) throws -> [Int32] {
        guard let first = bytes.first, let mode = Mode(rawValue: first) else {
            throw EntropyError.corrupt(offset: 0, reason: bytes.isEmpty ? "empty index substream" : "unknown index mode \(bytes[0])")
        }
        var decoder = try RansDecoder(bytes[1...])
        var plane = [Int32](repeating: 0, count: count)
        switch mode {
        case .uniform:
            let table = uniformTable(codebookSize)
            for i in 0..<count { plane[i] = Int32(try decoder.decode(table)) }
        case .adaptive:
            var model = AdaptiveModel(symbolCount: codebookSize)
            for i in 0..<count { plane[i] = Int32(try decoder.decode(&model)) }
        }
        try decoder.finish()
        return plane
    }

    /// The ideal cost in bits of `plane` under the adaptive model (a diagnostic beside the real
    /// bytes, never instead of them).
    public static func idealBits(_ plane: [Int32], codebookSize: Int) -> Double {
        var model = AdaptiveModel(symbolCount: codebookSize)
        var encoder = RansEncoder(capacity: plane.count)
        for s in plane { encoder.encode(Int(s), &model) }
        return encoder.idealBits
    }

    private static func encode(_ plane: [Int32], mode: Mode, codebookSize: Int) -> [UInt8] {
        var encoder = RansEncoder(capacity: plane.count)
        switch mode {
        case .uniform:
            let table = uniformTable(codebookSize)
            for s in plane { encoder.encode(Int(s), table) }
        case .adaptive:
            var model = AdaptiveModel(symbolCount: codebookSize)
            for s in plane { encoder.encode(Int(s), &model) }
        }
        return encoder.finish()
    }

    private static func uniformTable(_ k: Int) -> FrequencyTable {
        FrequencyTable(counts: [UInt64](repeating: 1, count: k))
    }
}
