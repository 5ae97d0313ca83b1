import Deterministic
import Tensor

/// The hyperprior intra decode path on deterministic kernels: what `dcvc-dec` will run for
/// hyperprior I-frames and what the encoder runs to form its reconstruction. Bit-exact for any
/// thread count.
///
/// Per image, with `rate` the index of the rate point in `config.lambdas`:
/// 1. `parameters(z:)`: decoded hyper-latents ẑ -> mean and scale of each latent. The codec decodes
///    q under the zero-centred table its scale selects, then ŷ = q + mean (`dequantize`).
/// 2. `reconstruct(yHat:rate:)`: ŷ -> image (clamp to [0, 1] for output or reference).
/// Hyper-latents ẑ are integers coded under per-channel zero-mean Gaussians whose scales are
/// `exp(log_scale)` (`factorizedLogScales`); their tables are built at export time.
public struct HyperpriorDecoder {
    public let config: HyperpriorConfig
    public let network: HyperpriorNetwork
    /// Decode-path weights by name.
    public let weights: [String: Tensor]
    public let threads: Int

    /// `__metadata__` key of the configuration JSON in weight files and checkpoints.
    public static let configKey = "hyperprior_config"

    /// A decoder over `weights` (must hold every decode-path weight with its traced shape).
    public init(config: HyperpriorConfig, weights: [String: Tensor], threads: Int) throws {
        try config.validate()
        let net = HyperpriorNetwork(config: config)
        self.weights = try net.checkedDecoderWeights(weights) { HyperpriorConfigError(reason: $0) }
        self.config = config; network = net; self.threads = max(1, threads)
    }

    /// Reads a weights file written by `dcvc-train hyperprior --export` (config from `__metadata__`).
    public init(file: SafeTensorsFile, path: String, threads: Int) throws {
        guard let json = file.metadata[Self.configKey] else {
            throw SafeTensorsError.malformed(path: path, reason: "no \(Self.configKey) in __metadata__")
        }
        let config = try HyperpriorConfig.parse(json: json)
        try self.init(config: config, weights: HyperpriorNetwork(config: config).decoderWeights(in: file), threads: threads)
    }

    var backend: DeterministicBackend { DeterministicBackend(weights: weights, threads: threads) }

    /// Per-channel log-scales of the hyper-latent distribution.
    public var factorizedLogScales: [Float] { weights[HyperpriorNetwork.hyperLogScale]!.storage }

    /// ẑ [N, hyper, H/64, W/64] -> mean and scale [N, latent, H/16, W/16].
    public func parameters(z: Tensor) -> (mean: Tensor, scale: Tensor) { network.prior(z, backend) }

    /// ŷ [N, latent, H/16, W/16] -> image [N, 3, H, W] (not clamped).
    public func reconstruct(yHat: Tensor, rate: Int) -> Tensor {
        precondition(config.lambdas.indices.contains(rate), "rate index \(rate)")
        return network.synthesis(yHat, rows: Array(repeating: rate, count: yHat.shape[0]), backend)
    }

    /// Decoded symbols plus means: `q + mean`, one rounded addition per element.
    public func dequantize(_ q: Tensor, mean: Tensor) -> Tensor { DeterministicKernels.add(q, mean, threads: threads) }

    /// The whole decode path from the two symbol tensors (Floats holding integers): the image
    /// clamped to [0, 1].
    public func decodeImage(z: Tensor, qy: Tensor, rate: Int) -> Tensor {
        let p = parameters(z: z)
        return Self.clamped(reconstruct(yHat: dequantize(qy, mean: p.mean), rate: rate))
    }

    /// Clamped to [0, 1] (exact).
    public static func clamped(_ x: Tensor) -> Tensor {
        var x = x
        for i in 0..<x.count { x.storage[i] = Float.minimum(1, Float.maximum(0, x.storage[i])) }
        return x
    }
}
