import Entropy

/// Entropy coding of one RVQ level's index plane into its own substream (spec/intra.md §3).
///
/// Each level is a separate rANS stream so that a decoder can stop after any prefix of levels.
/// Symbols go in raster order under an adaptive count model that starts uniform over the
/// codebook for every frame and level, so frames decode independently of each other.
public enum IndexPlaneCoder {
    /// The coded bytes of `plane`, codes in `0..<codebookSize`.
    public static func encode(_ plane: [Int32], codebookSize: Int) -> [UInt8] {
        var model = AdaptiveModel(symbolCount: codebookSize)
        var encoder = RansEncoder(capacity: plane.count)
        for s in plane {
            precondition(s >= 0 && Int(s) < codebookSize, "index \(s) outside codebook of \(codebookSize)")
            encoder.encode(Int(s), &model)
        }
        return encoder.finish()
    }

    /// Decodes `count` codes; throws the coder's error on truncated or corrupt bytes.
    public static func decode(_ bytes: [UInt8], count: Int, codebookSize: Int) throws -> [Int32] {
        var model = AdaptiveModel(symbolCount: codebookSize)
        var decoder = try RansDecoder(bytes)
        var plane = [Int32](repeating: 0, count: count)
        for i in 0..<count {
            plane[i] = Int32(try decoder.decode(&model))
        }
        try decoder.finish()
        return plane
    }

    /// The ideal cost in bits of `plane` under the same adaptive model (a diagnostic beside the
    /// real bytes, never instead of them).
    public static func idealBits(_ plane: [Int32], codebookSize: Int) -> Double {
        var model = AdaptiveModel(symbolCount: codebookSize)
        var encoder = RansEncoder(capacity: plane.count)
        for s in plane { encoder.encode(Int(s), &model) }
        return encoder.idealBits
    }
}
