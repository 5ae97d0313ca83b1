import Deterministic
import Tensor

/// The P-frame decode path on deterministic kernels: what `dcvc-dec` runs and what the encoder
/// runs to form its references. Bit-exact for any thread count.
///
/// Per P-frame, with `rate` the index of the rate point in `config.lambdas`:
/// 1. `mvParameters(zm:)`: decoded MV hyper-latents ẑ_m -> mean and scale of each MV latent.
///    The codec decodes q_m under the zero-centred table its scale selects, then m̂ = q_m + mean.
/// 2. `flow(mHat:rate:)`: m̂ -> flow at 1/2 resolution.
/// 3. `context(reference:flow:)`: previous decoded frame + flow -> temporal context.
/// 4. `frameParameters(z:context:)`: ẑ and the context -> mean and scale of each frame latent;
///    ŷ = q + mean likewise.
/// 5. `reconstruct(yHat:context:rate:)`: ŷ and the context -> the frame (clamp to [0, 1] before
///    it becomes the next reference or output).
/// Hyper-latents ẑ_m, ẑ are integers coded under per-channel zero-mean Gaussians whose scales are
/// `exp(log_scale)` (`factorizedLogScales`); their tables are built at export time.
public struct InterDecoder {
    public let config: InterConfig
    public let network: InterNetwork
    /// Decode-path weights by name.
    public let weights: [String: Tensor]
    public let threads: Int

    /// `__metadata__` key of the configuration JSON in weight files and checkpoints.
    public static let configKey = "inter_config"

    /// A decoder over `weights` (must hold every decode-path weight with its traced shape).
    public init(config: InterConfig, weights: [String: Tensor], threads: Int) throws {
        try config.validate()
        guard !config.isResidual else { throw InterConfigError(reason: "a residual model: ResidualInterDecoder decodes it") }
        let net = InterNetwork(config: config)
        self.weights = try net.checkedDecoderWeights(weights) { InterConfigError(reason: $0) }
        self.config = config; network = net; self.threads = max(1, threads)
    }

    /// Reads a weights file written by `dcvc-train inter --export` (config from `__metadata__`).
    public init(file: SafeTensorsFile, path: String, threads: Int) throws {
        let config = try InterConfig.stored(in: file, path: path)
        try self.init(config: config, weights: InterNetwork(config: config).decoderWeights(in: file), threads: threads)
    }

    var backend: DeterministicBackend { DeterministicBackend(weights: weights, threads: threads) }

    /// Per-channel log-scales of the MV and frame hyper-latent distributions.
    public var factorizedLogScales: (mv: [Float], frame: [Float]) {
        (weights[InterNetwork.mvHyperLogScale]!.storage, weights[InterNetwork.frameHyperLogScale]!.storage)
    }

    /// ẑ_m [N, mvHyper, H/64, W/64] -> mean and scale [N, mvLatent, H/16, W/16].
    public func mvParameters(zm: Tensor) -> (mean: Tensor, scale: Tensor) { network.mvPrior(zm, backend) }

    /// m̂ [N, mvLatent, H/16, W/16] -> flow [N, 2, H/2, W/2].
    public func flow(mHat: Tensor, rate: Int) -> Tensor {
        network.mvDecode(mHat, rows: rows(mHat, rate), backend)
    }

    /// Reference frame [N, 3, H, W] and flow -> context [N, contextOutputChannels, H/2, W/2].
    public func context(reference: Tensor, flow: Tensor) -> Tensor {
        network.context(reference: reference, flow: flow, backend)
    }

    /// ẑ [N, hyper, H/64, W/64] and the context -> mean and scale [N, latent, H/16, W/16].
    public func frameParameters(z: Tensor, context: Tensor) -> (mean: Tensor, scale: Tensor) {
        network.framePrior(z, context: context, backend)
    }

    /// ŷ [N, latent, H/16, W/16] and the context -> frame [N, 3, H, W] (not clamped).
    public func reconstruct(yHat: Tensor, context: Tensor, rate: Int) -> Tensor {
        network.frameDecode(yHat, context: context, rows: rows(yHat, rate), backend)
    }

    /// Decoded symbols plus means: `q + mean`, one rounded addition per element.
    public func dequantize(_ q: Tensor, mean: Tensor) -> Tensor { DeterministicKernels.add(q, mean, threads: threads) }

    /// The whole decode path for one P-frame from its four symbol tensors (as Floats holding
    /// integers): returns the reconstruction clamped to [0, 1].
    public func decodeFrame(reference: Tensor, zm: Tensor, qm: Tensor, z: Tensor, qy: Tensor, rate: Int) -> Tensor {
        let mp = mvParameters(zm: zm)
        let f = flow(mHat: dequantize(qm, mean: mp.mean), rate: rate)
        let ctx = context(reference: reference, flow: f)
        let fp = frameParameters(z: z, context: ctx)
        return clamped(reconstruct(yHat: dequantize(qy, mean: fp.mean), context: ctx, rate: rate))
    }

    /// `decodeFrame` from the symbols `InterEncoder` produced.
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
