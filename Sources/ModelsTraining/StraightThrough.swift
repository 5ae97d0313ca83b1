import Tensor
import TensorTraining

extension Ops {
    /// Per-position l2 normalisation over channels of [N, C, H, W]: x / sqrt(sum_c x² + eps).
    public static func l2NormalizeChannels(_ x: Variable, eps: Float = 1e-6) -> Variable {
        x / Ops.sqrt(Ops.sum(x * x, axis: 1) + eps)
    }

    /// Straight-through estimator for the per-level decoder input (see
    /// `ResidualQuantizer.decoderInput`): the latent x [N, D, h, w] receives the sum of the
    /// gradients of the level blocks image n used. The gains are deliberately left out of the
    /// backward: with them, the finest levels (gains of 10-100) would dominate the encoder's
    /// gradient with their coarse straight-through approximation.
    public static func straightThroughLevels(_ x: Variable, input: Tensor, prefix: [Int], gains: [Float]) -> Variable {
        let (n, d) = (x.shape[0], x.shape[1]), hw = x.shape[2] * x.shape[3], lv = gains.count
        precondition(input.shape == [n, lv * d, x.shape[2], x.shape[3]], "straight-through \(x.shape) vs \(input.shape)")
        return Variable.node(input, parents: [x]) { g in
            var gx = Tensor.zeros(x.shape)
            for b in 0..<n {
                for l in 0..<prefix[b] {
                    for i in 0..<d * hw { gx.storage[b * d * hw + i] += g.storage[(b * lv + l) * d * hw + i] }
                }
            }
            x.accumulate(gx)
        }
    }

    /// Straight-through estimator: the value of `quantized`, the gradient of identity into `x`.
    public static func straightThrough(_ x: Variable, quantized: Tensor) -> Variable {
        precondition(x.shape == quantized.shape, "straight-through \(x.shape) vs \(quantized.shape)")
        return Variable.node(quantized, parents: [x]) { g in x.accumulate(g) }
    }
}
