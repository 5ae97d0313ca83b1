import Tensor
/// Differentiable operations on `Variable`s. Each op family lives in `Ops/` beside its kernels:
/// the forward computes with `TrainingKernels`, the closure passed to `Variable(op:)` is its
/// hand-written backward.
///
/// Training a model, end to end:
///
///     let params = ParameterSet()
///     var rng = RNG(seed: 1)
///     let conv = Conv2d(params, "enc.conv", inChannels: 3, outChannels: 64, kernel: 3, rng: &rng)
///     let adam = Adam()                                   // or Adam(weightDecay: 0.01, decoupled: true)
///     let schedule = LRSchedule.warmupCosine(peak: 1e-4, warmup: 500, total: 100_000, floor: 1e-6)
///     for step in start..<total {
///         params.zeroGrad()
///         let x = Variable(batch)                          // a Tensor [N, 3, H, W]
///         let loss = Ops.mse(decoder(Ops.silu(conv(x))), x)
///         loss.backward()
///         clipGradNorm(params, maxNorm: 1)
///         adam.update(params, lr: schedule.lr(at: step))
///         if step % 1000 == 0 { try Checkpoint.save(to: path, params: params, optimizer: adam, step: step + 1, rng: rng) }
///     }
///     try params.safeTensors(metadata: ["model": "vq"]).write(to: "vq.safetensors")   // shipped weights
///
/// Resume with `Checkpoint.load(from:params:optimizer:)`, which returns the step and RNG to continue.
public enum Ops {}

extension Variable {
    /// A new graph node (for ops defined outside this module too).
    public static func node(_ value: Tensor, parents: [Variable], backward: @escaping (Tensor) -> Void) -> Variable {
        Variable(op: value, parents: parents, backward: backward)
    }
}
