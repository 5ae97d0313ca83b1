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
        let plane = z.count / z.shape[1]
        return encode(z, tables) { $0 / plane }
    }

    /// Decodes a hyper-latent tensor of `shape` [1, C, h, w].
    public static func decodeHyper(_ bytes: [UInt8], shape: [Int], tables: BoundedTableBank) throws -> Tensor {
        let plane = shape[2] * shape[3]
        return try decode(bytes, shape: shape, tables) { $0 / plane }
    }

    /// Codes latent residuals `q`, element `i` under the level `scale[i]` selects.
    public static func encodeLatent(_ q: Tensor, scale: Tensor, tables: ScaleTableSet) -> [UInt8] {
        precondition(q.shape == scale.shape, "residuals \(q.shape), scales \(scale.shape)")
        return encode(q, tables.bank) { tables.level(forScale: scale.storage[$0]) }
    }

    /// Decodes latent residuals of `scale`'s shape.
    public static func decodeLatent(_ bytes: [UInt8], scale: Tensor, tables: ScaleTableSet) throws -> Tensor {
        try decode(bytes, shape: scale.shape, tables.bank) { tables.level(forScale: scale.storage[$0]) }
    }

    /// One rANS stream over `t` in memory order, element `i` under table `table(i)` of `bank`.
    static func encode(_ t: Tensor, _ bank: BoundedTableBank, table: (Int) -> Int) -> [UInt8] {
        var enc = RansEncoder(capacity: t.count)
        for i in 0..<t.count { enc.encode(symbol(t.storage[i]), bank, index: table(i)) }
        return enc.finish()
    }

    /// The inverse of `encode`: a tensor of `shape` from one rANS stream.
    static func decode(_ bytes: [UInt8], shape: [Int], _ bank: BoundedTableBank, table: (Int) -> Int) throws -> Tensor {
        var out = [Float](repeating: 0, count: shape.reduce(1, *))
        var dec = try RansDecoder(bytes)
        for i in out.indices { out[i] = Float(try dec.decode(bank, index: table(i))) }
        try dec.finish()
        return Tensor(shape: shape, storage: out)
    }

    /// The integer an encoder writes for `v` (already an integer, clamped to ±`maxMagnitude`;
    /// NaN writes 0).
    static func symbol(_ v: Float) -> Int32 {
        v.isNaN ? 0 : Int32(Swift.min(maxMagnitude, Swift.max(-maxMagnitude, v)).rounded(.toNearestOrEven))
    }
}
