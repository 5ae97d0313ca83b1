import Deterministic
import Tensor

/// The P-frame decode path on deterministic kernels, in either coding mode (`InterMode`): what
/// `dcvc-dec` runs and what the encoder runs to form its references. Bit-exact for any thread
/// count.
///
/// Per P-frame, with `rate` the index of the rate point in `config.lambdas`:
/// 1. `mvParameters(zm:)`: decoded MV hyper-latents ẑ_m -> mean and scale of each MV latent.
///    The codec decodes q_m under the zero-centred table its scale selects, then m̂ = q_m + mean.
/// 2. `flow(mHat:rate:)`: m̂ -> flow at 1/2 resolution.
/// 3. `context(reference:flow:)`: previous decoded frame + flow -> what the frame is coded over:
///    the temporal context (`InterDecoder`) or the motion-compensated prediction x̄
///    (`ResidualInterDecoder`).
/// 4. `frameParameters(z:context:)`: ẑ (and the context, where the mode reads it) -> mean and
///    scale of each frame latent; ŷ = q + mean likewise.
/// 5. `reconstruct(yHat:context:rate:)`: ŷ and the context -> the frame (clamp to [0, 1] before
///    it becomes the next reference or output).
/// What a path holds (`InterDecoderCore`: configuration, network, checked weights), stages 1-2
/// (the motion path) and `decodeFrame` are shared; a conforming type gives stages 3-5 of its
/// mode. Hyper-latents ẑ_m, ẑ are integers coded under per-channel zero-mean Gaussians whose
/// scales are `exp(log_scale)` (`factorizedLogScales`); their tables are built at export time.
public protocol InterDecodePath {
    /// The coding mode of the models this path decodes.
    static var mode: InterMode { get }
    /// The configuration, network and weights, checked for `mode`.
    var core: InterDecoderCore { get }

    /// A decoder over `weights` for `config`: `InterDecoderCore(config:weights:threads:mode:)`.
    init(config: InterConfig, weights: [String: Tensor], threads: Int) throws
    /// Stage 3: reference frame [N, 3, H, W] and flow -> the context of stages 4-5.
    func context(reference: Tensor, flow: Tensor) -> Tensor
    /// Stage 4: ẑ [N, hyper, H/64, W/64] and the context -> mean and scale [N, latent, H/16, W/16].
    func frameParameters(z: Tensor, context: Tensor) -> (mean: Tensor, scale: Tensor)
    /// Stage 5: ŷ [N, latent, H/16, W/16] and the context -> frame [N, 3, H, W] (not clamped).
    func reconstruct(yHat: Tensor, context: Tensor, rate: Int) -> Tensor
}

/// What every decode path holds, checked once: a valid configuration of the path's mode, its
/// network and the decode-path weights.
public struct InterDecoderCore {
    public let config: InterConfig
    public let network: InterNetwork
    public let weights: [String: Tensor]
    public let threads: Int

    /// `weights` must hold every decode-path weight of `config` with its traced shape; `config`
    /// must be valid and of coding mode `mode`.
    public init(config: InterConfig, weights: [String: Tensor], threads: Int, mode: InterMode) throws {
        try config.validate()
        guard config.codingMode == mode else {
            throw InterConfigError(reason: "a \(config.codingMode.rawValue) model: \(config.codingMode.decodePath) decodes it")
        }
        network = InterNetwork(config: config)
        self.weights = try network.checkedDecoderWeights(weights) { InterConfigError(reason: $0) }
        self.config = config; self.threads = max(1, threads)
    }
}

extension InterMode {
    /// The decode path of this mode's models.
    public var decodePath: any InterDecodePath.Type {
        switch self {
        case .conditional: return InterDecoder.self
        case .residual: return ResidualInterDecoder.self
        }
    }
}

extension InterDecodePath {
    /// Reads a weights file written by `dcvc-train inter [--mode residual] --export` (config from
    /// `__metadata__`).
    public init(file: SafeTensorsFile, path: String, threads: Int) throws {
        let config = try InterConfig.stored(in: file, path: path)
        try self.init(config: config, weights: InterNetwork(config: config).decoderWeights(in: file), threads: threads)
    }

    public var config: InterConfig { core.config }
    public var network: InterNetwork { core.network }
    /// Decode-path weights by name.
    public var weights: [String: Tensor] { core.weights }
    public var threads: Int { core.threads }

    var backend: DeterministicBackend { DeterministicBackend(weights: weights, threads: threads) }

    /// Per-channel log-scales of the MV and frame (residual mode: residual) hyper-latent distributions.
    public var factorizedLogScales: (mv: [Float], frame: [Float]) {
        (weights[InterNetwork.mvHyperLogScale]!.storage, weights[network.frameHyperLogScaleName]!.storage)
    }

    /// Stage 1: ẑ_m [N, mvHyper, H/64, W/64] -> mean and scale [N, mvLatent, H/16, W/16].
    public func mvParameters(zm: Tensor) -> (mean: Tensor, scale: Tensor) { network.mvPrior(zm, backend) }

    /// Stage 2: m̂ [N, mvLatent, H/16, W/16] -> flow [N, 2, H/2, W/2].
    public func flow(mHat: Tensor, rate: Int) -> Tensor { network.mvDecode(mHat, rows: rows(mHat, rate), backend) }

    /// Decoded symbols plus means: `q + mean`, one rounded addition per element.
    public func dequantize(_ q: Tensor, mean: Tensor) -> Tensor { DeterministicKernels.add(q, mean, threads: threads) }

    /// The whole decode path for one P-frame from its four symbol tensors (as Floats holding
    /// integers): returns the reconstruction clamped to [0, 1].
    public func decodeFrame(reference: Tensor, zm: Tensor, qm: Tensor, z: Tensor, qy: Tensor, rate: Int) -> Tensor {
        let mp = mvParameters(zm: zm)
        let ctx = context(reference: reference, flow: flow(mHat: dequantize(qm, mean: mp.mean), rate: rate))
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
