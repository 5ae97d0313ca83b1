import Entropy
import Tensor

/// Entropy coding of a P-frame's symbol tensors, one rANS stream per substream
/// (spec/inter.md §3): elements in memory order (channel, row, column); a hyper-latent element
/// of channel `c` under that channel's table, a latent residual under the scale table set's level
/// for its scale, both centred on zero.
public enum InterSymbolCoder {
    /// Largest magnitude the encoder writes; rounding a diverging analysis transform cannot
    /// produce a value the Float tensors would not carry exactly.
    public static let maxMagnitude: Float = 1_048_576

    /// Codes a hyper-latent tensor [1, C, h, w] with table `c` of `tables` for channel `c`.
    public static func encodeHyper(_ z: Tensor, tables: BoundedTableBank) -> [UInt8] {
        let c = z.shape[1], plane = z.count / c
        var enc = RansEncoder(capacity: z.count)
        for ch in 0..<c {
            for i in 0..<plane { enc.encode(symbol(z.storage[ch * plane + i]), tables, index: ch) }
        }
        return enc.finish()
    }

    /// Decodes a hyper-latent tensor of `shape` [1, C, h, w].
    public static func decodeHyper(_ bytes: [UInt8], shape: [Int], tables: BoundedTableBank) throws -> Tensor {
        let c = shape[1], plane = shape[2] * shape[3]
        var out = [Float](repeating: 0, count: c * plane)
        var dec = try RansDecoder(bytes)
        for ch in 0..<c {
            for i in 0..<plane { out[ch * plane + i] = Float(try dec.decode(tables, index: ch)) }
        }
        try dec.finish()
        return Tensor(shape: shape, storage: out)
    }

    /// Codes latent residuals `q`, element `i` under the level `scale[i]` selects.
    public static func encodeLatent(_ q: Tensor, scale: Tensor, tables: ScaleTableSet) -> [UInt8] {
        precondition(q.shape == scale.shape, "residuals \(q.shape), scales \(scale.shape)")
        var enc = RansEncoder(capacity: q.count)
        for i in 0..<q.count {
            enc.encode(symbol(q.storage[i]), tables.bank, index: tables.level(forScale: scale.storage[i]))
        }
        return enc.finish()
    }

    /// Decodes latent residuals of `scale`'s shape.
    public static func decodeLatent(_ bytes: [UInt8], scale: Tensor, tables: ScaleTableSet) throws -> Tensor {
        var out = [Float](repeating: 0, count: scale.count)
        var dec = try RansDecoder(bytes)
        for i in 0..<scale.count {
            out[i] = Float(try dec.decode(tables.bank, index: tables.level(forScale: scale.storage[i])))
        }
        try dec.finish()
        return Tensor(shape: scale.shape, storage: out)
    }

    /// The integer an encoder writes for `v` (already an integer, clamped to ±`maxMagnitude`;
    /// NaN writes 0).
    static func symbol(_ v: Float) -> Int32 {
        v.isNaN ? 0 : Int32(Swift.min(maxMagnitude, Swift.max(-maxMagnitude, v)).rounded(.toNearestOrEven))
    }
}
