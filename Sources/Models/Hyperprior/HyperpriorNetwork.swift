/// The mean-scale hyperprior intra codec, written once over `LayerBackend`: training runs it on
/// `TrainingBackend`, the decoder on `DeterministicBackend`, MAC counts and weight registration on
/// `ShapeBackend`.
///
/// Images are RGB in [0, 1], [N, 3, H, W] with H, W multiples of 64. `rows` picks each sample's
/// rate point (an index into `config.lambdas`) for the per-lambda latent gains.
///
/// Decode path (deterministic): `prior` (ẑ -> mean and scale of y) -> `synthesis` (ŷ -> image).
/// Encoder only: `analysis` (image -> y), `hyperAnalysis` (y -> z).
/// The latent entropy model has the P-frame model's parametrisation (`InterNetwork.framePrior`
/// without the temporal branch): a softplus scale, floored at the first level of the Gaussian
/// scale tables in training, and per-channel zero-mean Gaussians for the hyper-latents.
public struct HyperpriorNetwork {
    public let config: HyperpriorConfig

    public init(config: HyperpriorConfig) { self.config = config }

    /// Slope of every LeakyReLU (as in the P-frame model).
    public static let slope: Float = 0.1

    /// Per-channel log-scale of the factorized zero-mean Gaussian of the hyper-latents [hyper].
    public static let hyperLogScale = "hyper.log_scale"

    // MARK: Encoder side

    /// Image -> gained latents y [N, latent, H/16, W/16]: four stride-2 stages, residual blocks
    /// after the first.
    public func analysis<B: LayerBackend>(_ x: B.Value, rows: [Int], _ b: B) -> B.Value {
        let c = config
        var h = leaky(b.conv2d(x, "g_a.down0", outChannels: c.fineChannels, kernel: 3, stride: 2), b)
        for i in 0..<c.residualBlocks { h = residual(h, "g_a.res\(i)", b) }
        h = leaky(b.conv2d(h, "g_a.down1", outChannels: c.channels, kernel: 3, stride: 2), b)
        h = leaky(b.conv2d(h, "g_a.down2", outChannels: c.channels, kernel: 3, stride: 2), b)
        h = b.conv2d(h, "g_a.down3", outChannels: c.latent, kernel: 3, stride: 2)
        return b.channelGain(h, "latent.gain_enc", count: c.lambdas.count, rows: rows)
    }

    /// Latents -> hyper-latents z [N, hyper, H/64, W/64].
    public func hyperAnalysis<B: LayerBackend>(_ y: B.Value, _ b: B) -> B.Value {
        let l = config.latent
        var h = leaky(b.conv2d(y, "h_a.conv0", outChannels: l, kernel: 3, stride: 1), b)
        h = leaky(b.conv2d(h, "h_a.down0", outChannels: l, kernel: 3, stride: 2), b)
        return b.conv2d(h, "h_a.down1", outChannels: config.hyper, kernel: 3, stride: 2)
    }

    // MARK: Decode path

    /// Decoded hyper-latents ẑ -> (mean, scale) of every latent element [N, latent, H/16, W/16].
    public func prior<B: LayerBackend>(_ z: B.Value, _ b: B) -> (mean: B.Value, scale: B.Value) {
        let l = config.latent
        var h = leaky(b.conv2d(z, "h_s.conv0", outChannels: l, kernel: 3, stride: 1), b)
        for i in 0..<2 {
            h = leaky(b.pixelShuffle(b.conv2d(h, "h_s.up\(i)", outChannels: 4 * l, kernel: 3, stride: 1), factor: 2), b)
        }
        let mean = b.conv2d(h, "prior.mean", outChannels: l, kernel: 3, stride: 1)
        let scale = b.activation(b.conv2d(h, "prior.scale", outChannels: l, kernel: 3, stride: 1), .softplus)
        return (mean, scale)
    }

    /// Decoded latents ŷ (gained domain) -> image (not clamped): three (conv, pixel shuffle)
    /// stages to 1/2, residual blocks there, a conv to 12 channels and a last pixel shuffle.
    public func synthesis<B: LayerBackend>(_ yHat: B.Value, rows: [Int], _ b: B) -> B.Value {
        let c = config
        var h = b.channelGain(yHat, "latent.gain_dec", count: c.lambdas.count, rows: rows)
        for (i, w) in [c.channels, c.channels, c.fineChannels].enumerated() {
            h = leaky(b.pixelShuffle(b.conv2d(h, "g_s.up\(i)", outChannels: 4 * w, kernel: 3, stride: 1), factor: 2), b)
        }
        for i in 0..<c.residualBlocks { h = residual(h, "g_s.res\(i)", b) }
        return b.pixelShuffle(b.conv2d(h, "g_s.out", outChannels: 12, kernel: 3, stride: 1), factor: 2)
    }

    // MARK: Pieces

    /// leaky(x + conv1(leaky(conv0(x)))), the P-frame generator's residual block.
    func residual<B: LayerBackend>(_ x: B.Value, _ name: String, _ b: B) -> B.Value {
        let c = b.shape(x)[1]
        let r = leaky(b.conv2d(x, "\(name).conv0", outChannels: c, kernel: 3, stride: 1), b)
        return leaky(b.add(x, b.conv2d(r, "\(name).conv1", outChannels: c, kernel: 3, stride: 1)), b)
    }

    func leaky<B: LayerBackend>(_ x: B.Value, _ b: B) -> B.Value { b.activation(x, .leakyRelu(slope: Self.slope)) }
}
