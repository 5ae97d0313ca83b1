import Tensor

/// The context index prior's network (spec/intra.md §3.1), written once over `LayerBackend` for
/// the part after the embedding sum.
///
/// For level `l`, pass `p` of a grid the input at every position is the sum of learned vectors
/// (`ContextPriorEmbedding`): a level bias, a pass bias, one embedding per lower level m < l of
/// that level's index at the position, and, where the position was coded in an earlier pass of
/// the same level, an embedding of its level-l index; a temporal prior adds an embedding of the
/// previous I-frame's level-l index at the position when there is one. Then `blocks` residual blocks
/// (SiLU, conv 3x3, SiLU, conv 3x3, plus the input), SiLU and a 1x1 conv to K logits. Only the
/// logits at the positions of pass `p` are used.
public struct ContextPriorNetwork {
    public let config: ContextPriorConfig

    public init(config: ContextPriorConfig) { self.config = config }

    /// Embedding sum [N, C, h, w] -> logits [N, K, h, w].
    public func trunk<B: LayerBackend>(_ h0: B.Value, _ b: B) -> B.Value {
        var h = h0
        for i in 0..<config.blocks {
            var r = b.conv2d(b.silu(h), "prior.block\(i).conv1", outChannels: config.hidden, kernel: 3, stride: 1)
            r = b.conv2d(b.silu(r), "prior.block\(i).conv2", outChannels: config.hidden, kernel: 3, stride: 1)
            h = b.add(h, r)
        }
        return b.conv2d(b.silu(h), "prior.head", outChannels: config.codebookSize, kernel: 1, stride: 1)
    }

    /// Embedding tables: `prior.embed.lower<m>` [K, C] (level m as context for higher levels),
    /// `prior.embed.same<l>` [K, C] (already-coded positions of level l), with temporal context
    /// `prior.embed.prev<l>` [K, C] (the previous I-frame's level l), `prior.bias.level` [L, C],
    /// `prior.bias.pass` [max passes, C].
    public var embeddingSpecs: [TensorSpec] {
        let k = config.codebookSize, c = config.hidden
        return (0..<max(0, config.levels - 1)).map { TensorSpec(ContextPriorEmbedding.lowerName($0), .f32, [k, c]) }
            + (0..<config.levels).map { TensorSpec(ContextPriorEmbedding.sameName($0), .f32, [k, c]) }
            + (config.temporal ? (0..<config.levels).map { TensorSpec(ContextPriorEmbedding.previousName($0), .f32, [k, c]) } : [])
            + [TensorSpec(ContextPriorEmbedding.levelBiasName, .f32, [config.levels, c]),
               TensorSpec(ContextPriorEmbedding.passBiasName, .f32, [config.passTableRows, c])]
    }

    /// Every weight, in a stable order.
    public func weightSpecs() -> [TensorSpec] {
        let s = ShapeBackend()
        _ = trunk([1, config.hidden, 4, 4], s)
        return embeddingSpecs + s.weights.map { TensorSpec($0.name, .f32, $0.shape) }
    }

    /// Multiply-accumulates per coded index, averaged over the levels: one trunk evaluation
    /// per position and pass.
    public var macsPerIndex: Double {
        let s = ShapeBackend()
        _ = trunk([1, config.hidden, 4, 4], s)
        let passes = (0..<config.levels).reduce(0) { $0 + config.passCount(level: $1) }
        return Double(s.macs) / 16 * Double(passes) / Double(config.levels)
    }
}
