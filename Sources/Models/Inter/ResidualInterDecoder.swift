import Deterministic
import Tensor

/// The P-frame decode path of the residual (DVC) model on deterministic kernels: bit-exact for
/// any thread count. What `dcvc-dec` runs for `inter-dvc` streams (spec/inter-residual.md).
///
/// Per P-frame, with `rate` the index of the rate point in `config.lambdas`:
/// 1. `mvParameters(zm:)` and `flow(mHat:rate:)`: as `InterDecoder` (the same motion path).
/// 2. `prediction(reference:flow:)`: the motion-compensated prediction x̄.
/// 3. `residualParameters(z:)`: decoded residual hyper-latents ẑ -> mean and scale of each
///    residual latent; ŷ = q + mean.
/// 4. `reconstruct(yHat:prediction:rate:)`: x̂ = x̄ + r̂ (clamp to [0, 1] before it becomes the next
///    reference or output).
public struct ResidualInterDecoder {
    public let config: InterConfig
    public let network: InterNetwork
    /// Decode-path weights by name.
    public let weights: [String: Tensor]
    public let threads: Int

    /// A decoder over `weights` (must hold every decode-path weight with its traced shape).
    public init(config: InterConfig, weights: [String: Tensor], threads: Int) throws {
        try config.validate()
        guard config.isResidual else { throw InterConfigError(reason: "a conditional model: InterDecoder decodes it") }
        let net = InterNetwork(config: config)
        self.weights = try net.checkedDecoderWeights(weights) { InterConfigError(reason: $0) }
        self.config = config; network = net; self.threads = max(1, threads)
    }

    /// Reads a weights file written by `dcvc-train inter --mode residual --export`.
    public init(file: SafeTensorsFile, path: String, threads: Int) throws {
        let config = try InterConfig.stored(in: file, path: path)
        try self.init(config: config, weights: InterNetwork(config: config).decoderWeights(in: file), threads: threads)
    }

    var backend: DeterministicBackend { DeterministicBackend(weights: weights, threads: threads) }

    /// Per-channel log-scales of the MV and residual hyper-latent distributions.
    public var factorizedLogScales: (mv: [Float], residual: [Float]) {
        (weights[InterNetwork.mvHyperLogScale]!.storage, weights[InterNetwork.residualHyperLogScale]!.storage)
    }

    /// ẑ_m [N, mvHyper, H/64, W/64] -> mean and scale [N, mvLatent, H/16, W/16].
    public func mvParameters(zm: Tensor) -> (mean: Tensor, scale: Tensor) { network.mvPrior(zm, backend) }

    /// m̂ [N, mvLatent, H/16, W/16] -> flow [N, 2, H/2, W/2].
    public func flow(mHat: Tensor, rate: Int) -> Tensor { network.mvDecode(mHat, rows: rows(mHat, rate), backend) }

    /// Reference frame [N, 3, H, W] and flow -> prediction x̄ [N, 3, H, W].
    public func prediction(reference: Tensor, flow: Tensor) -> Tensor {
        network.prediction(reference: reference, flow: flow, backend)
    }

    /// ẑ [N, hyper, H/64, W/64] -> mean and scale [N, latent, H/16, W/16].
    public func residualParameters(z: Tensor) -> (mean: Tensor, scale: Tensor) { network.residualPrior(z, backend) }

    /// ŷ [N, latent, H/16, W/16] and x̄ -> x̄ + r̂ [N, 3, H, W] (not clamped).
    public func reconstruct(yHat: Tensor, prediction: Tensor, rate: Int) -> Tensor {
        network.residualReconstruct(yHat, prediction: prediction, rows: rows(yHat, rate), backend)
    }

    /// Decoded symbols plus means: `q + mean`, one rounded addition per element.
    public func dequantize(_ q: Tensor, mean: Tensor) -> Tensor { DeterministicKernels.add(q, mean, threads: threads) }

    /// The whole decode path for one P-frame from its four symbol tensors (`z`, `qy` the residual's):
    /// returns the reconstruction clamped to [0, 1].
    public func decodeFrame(reference: Tensor, zm: Tensor, qm: Tensor, z: Tensor, qy: Tensor, rate: Int) -> Tensor {
        let mp = mvParameters(zm: zm)
        let pred = prediction(reference: reference, flow: flow(mHat: dequantize(qm, mean: mp.mean), rate: rate))
        let rp = residualParameters(z: z)
        return clamped(reconstruct(yHat: dequantize(qy, mean: rp.mean), prediction: pred, rate: rate))
    }

    /// `decodeFrame` from the symbols `ResidualInterEncoder` produced.
    public func decodeFrame(reference: Tensor, symbols s: InterSymbols, rate: Int) -> Tensor {
        decodeFrame(reference: reference, zm: s.zm, qm: s.qm, z: s.z, qy: s.qy, rate: rate)
    }

    /// Clamped to [0, 1] (exact).
    public func clamped(_ x: Tensor) -> Tensor {
        var x = x
        for i in 0..<x.count { x.storage[i] = Float.minimum(1, Float.maximum(0, x.storage[i])) }
        return x
    }

    /// The gain row of every sample of `x`: `rate` for each.
    public func rows(_ x: Tensor, _ rate: Int) -> [Int] {
        precondition(config.lambdas.indices.contains(rate), "rate index \(rate)")
        return Array(repeating: rate, count: x.shape[0])
    }
}
