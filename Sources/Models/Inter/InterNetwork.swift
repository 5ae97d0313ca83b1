/// The DCVC P-frame model (a lean DCVC), written once over `LayerBackend`: training runs it on
/// `TrainingBackend`, the decoder on `DeterministicBackend`, MAC counts and weight registration on
/// `ShapeBackend`.
///
/// Frames are RGB in [0, 1], [N, 3, H, W] with H, W multiples of 64. Flows are [N, 2, H/2, W/2]
/// in half-resolution pixels (channel 0 horizontal). `rows` picks each sample's rate point
/// (an index into `config.lambdas`) for the per-lambda latent gains.
///
/// Decode path (deterministic): `mvPrior` -> `mvDecode` -> `context` -> `framePrior` -> `frameDecode`.
/// Encoder only: `motion`, `mvEncode`, `mvHyperEncode`, `frameEncode`, `hyperEncode`.
public struct InterNetwork {
    public let config: InterConfig

    public init(config: InterConfig) { self.config = config }

    /// Slope of every LeakyReLU.
    public static let slope: Float = 0.1

    // Weight names the codec and trainer read outside the layer forward.
    /// Per-channel log-scale of the factorized zero-mean Gaussian of the MV hyper-latents [mvHyper].
    public static let mvHyperLogScale = "mv_hyper.log_scale"
    /// Per-channel log-scale of the factorized zero-mean Gaussian of the frame hyper-latents [hyper].
    public static let frameHyperLogScale = "frame_hyper.log_scale"
    /// The per-lambda latent gains [lambdas, C]: on the encoder side before rounding, on the decoder
    /// side after it (MV latents, then frame latents).
    public static let gainNames = (encoder: ["mv.gain_enc", "frame.gain_enc"], decoder: ["mv.gain_dec", "frame.gain_dec"])

    // MARK: Encoder side

    /// Pyramid flow (SPyNet-like) from `ref` to `x`: at each level, coarsest first, the reference is
    /// warped by the upsampled flow and convs on concat(x, warped ref, flow) predict a residual.
    /// Returns the flow at 1/2 resolution.
    public func motion<B: LayerBackend>(_ x: B.Value, _ ref: B.Value, _ b: B) -> B.Value {
        var xs = [b.avgPool(x, factor: 2)], rs = [b.avgPool(ref, factor: 2)]
        for _ in 1..<config.motionLevels {
            xs.append(b.avgPool(xs[xs.count - 1], factor: 2)); rs.append(b.avgPool(rs[rs.count - 1], factor: 2))
        }
        var flow: B.Value? = nil
        for level in (0..<config.motionLevels).reversed() {
            let s = b.shape(xs[level])
            var inputs = [xs[level], rs[level]]
            var up: B.Value? = nil
            if let f = flow {
                let u = b.affine(b.resizeBilinear(f, height: s[2], width: s[3]), scale: 2, shift: 0)
                inputs = [xs[level], b.flowWarp(rs[level], flow: u), u]
                up = u
            }
            var h = b.concatChannels(inputs)
            for (j, c) in config.motionChannels.enumerated() {
                h = leaky(b.conv2d(h, "motion.level\(level).conv\(j)", outChannels: c, kernel: 3, stride: 1), b)
            }
            let d = b.conv2d(h, "motion.level\(level).out", outChannels: 2, kernel: 3, stride: 1)
            flow = up.map { b.add($0, d) } ?? d
        }
        return flow!
    }

    /// Flow at 1/2 -> gained MV latents m [N, mvLatent, H/16, W/16].
    public func mvEncode<B: LayerBackend>(_ flow: B.Value, rows: [Int], _ b: B) -> B.Value {
        var h = flow
        for i in 0..<3 { h = leaky(b.conv2d(h, "mv_enc.down\(i)", outChannels: config.mvHidden, kernel: 3, stride: 2), b) }
        h = b.conv2d(h, "mv_enc.out", outChannels: config.mvLatent, kernel: 3, stride: 1)
        return b.channelGain(h, Self.gainNames.encoder[0], count: config.lambdas.count, rows: rows)
    }

    /// MV latents -> MV hyper-latents z_m [N, mvHyper, H/64, W/64].
    public func mvHyperEncode<B: LayerBackend>(_ m: B.Value, _ b: B) -> B.Value {
        hyperEncode(m, "mv_hyper_enc", hidden: config.mvHidden, out: config.mvHyper, b)
    }

    /// Frame x and context -> gained frame latents y [N, latent, H/16, W/16].
    public func frameEncode<B: LayerBackend>(_ x: B.Value, context: B.Value, rows: [Int], _ b: B) -> B.Value {
        let g = config.generatorChannels, l = config.latent
        var h = b.concatChannels([b.pixelUnshuffle(x, factor: 2), context])
        h = leaky(b.conv2d(h, "frame_enc.conv_in", outChannels: g, kernel: 3, stride: 1), b)
        h = leaky(b.conv2d(h, "frame_enc.down0", outChannels: g, kernel: 3, stride: 2), b)
        h = leaky(b.conv2d(h, "frame_enc.down1", outChannels: l, kernel: 3, stride: 2), b)
        h = leaky(b.conv2d(h, "frame_enc.down2", outChannels: l, kernel: 3, stride: 2), b)
        h = b.conv2d(h, "frame_enc.out", outChannels: l, kernel: 3, stride: 1)
        return b.channelGain(h, Self.gainNames.encoder[1], count: config.lambdas.count, rows: rows)
    }

    /// Frame latents -> hyper-latents z [N, hyper, H/64, W/64].
    public func hyperEncode<B: LayerBackend>(_ y: B.Value, _ b: B) -> B.Value {
        hyperEncode(y, "frame_hyper_enc", hidden: config.latent, out: config.hyper, b)
    }

    func hyperEncode<B: LayerBackend>(_ v: B.Value, _ name: String, hidden: Int, out: Int, _ b: B) -> B.Value {
        var h = leaky(b.conv2d(v, "\(name).conv0", outChannels: hidden, kernel: 3, stride: 1), b)
        h = leaky(b.conv2d(h, "\(name).down0", outChannels: hidden, kernel: 3, stride: 2), b)
        return b.conv2d(h, "\(name).down1", outChannels: out, kernel: 3, stride: 2)
    }

    // MARK: Decode path

    /// Decoded MV hyper-latents -> (mean, scale) of every MV latent element.
    public func mvPrior<B: LayerBackend>(_ zm: B.Value, _ b: B) -> (mean: B.Value, scale: B.Value) {
        let h = hyperDecode(zm, "mv_hyper_dec", hidden: config.mvHidden, b)
        return meanScale(h, "mv_prior", out: config.mvLatent, b)
    }

    /// Decoded MV latents m̂ (gained domain) -> flow at 1/2 resolution.
    public func mvDecode<B: LayerBackend>(_ mHat: B.Value, rows: [Int], _ b: B) -> B.Value {
        var h = b.channelGain(mHat, Self.gainNames.decoder[0], count: config.lambdas.count, rows: rows)
        let widths = [config.mvHidden, config.mvHidden, config.contextChannels]
        for (i, w) in widths.enumerated() {
            h = leaky(b.pixelShuffle(b.conv2d(h, "mv_dec.up\(i)", outChannels: 4 * w, kernel: 3, stride: 1), factor: 2), b)
        }
        return b.conv2d(h, "mv_dec.out", outChannels: 2, kernel: 3, stride: 1)
    }

    /// Temporal context at 1/2: features of the previous decoded frame, warped by the decoded
    /// flow, refined by a residual pair of convs; then, with `warpedReference`, the reference
    /// itself warped at full resolution (flow upsampled bilinearly, values doubled) and unshuffled.
    /// Its consumers (`frame_enc.conv_in`, `temporal.down0`, `generator.conv_in`) read these
    /// channels last.
    public func context<B: LayerBackend>(reference: B.Value, flow: B.Value, _ b: B) -> B.Value {
        let c = config.contextChannels
        var f = leaky(b.conv2d(b.pixelUnshuffle(reference, factor: 2), "feature.conv0", outChannels: c, kernel: 3, stride: 1), b)
        f = b.conv2d(f, "feature.conv1", outChannels: c, kernel: 3, stride: 1)
        let w = b.flowWarp(f, flow: flow)
        let r = leaky(b.conv2d(w, "context.conv0", outChannels: c, kernel: 3, stride: 1), b)
        let features = b.add(w, b.conv2d(r, "context.conv1", outChannels: c, kernel: 3, stride: 1))
        guard config.usesWarpedReference else { return features }
        let s = b.shape(reference)
        let full = b.affine(b.resizeBilinear(flow, height: s[2], width: s[3]), scale: 2, shift: 0)
        return b.concatChannels([features, b.pixelUnshuffle(b.flowWarp(reference, flow: full), factor: 2)])
    }

    /// The convs that read the context (its channels last in their input), whose weights grow by
    /// the warped reference's 12 input channels when an older model gains it.
    public static let contextConsumers = ["frame_enc.conv_in", "temporal.down0", "generator.conv_in"]

    /// Decoded hyper-latents and the context -> (mean, scale) of every frame latent element:
    /// hyperprior and temporal prior fused by convs at 1/16.
    public func framePrior<B: LayerBackend>(_ z: B.Value, context: B.Value, _ b: B) -> (mean: B.Value, scale: B.Value) {
        let l = config.latent
        let hyper = hyperDecode(z, "frame_hyper_dec", hidden: l, b)
        var t = leaky(b.conv2d(context, "temporal.down0", outChannels: config.generatorChannels, kernel: 3, stride: 2), b)
        t = leaky(b.conv2d(t, "temporal.down1", outChannels: l, kernel: 3, stride: 2), b)
        t = b.conv2d(t, "temporal.down2", outChannels: l, kernel: 3, stride: 2)
        let h = leaky(b.conv2d(b.concatChannels([hyper, t]), "frame_prior.fuse", outChannels: 2 * l, kernel: 3, stride: 1), b)
        return meanScale(h, "frame_prior", out: l, b)
    }

    /// Decoded frame latents ŷ (gained domain) and the context -> reconstructed frame (not clamped).
    public func frameDecode<B: LayerBackend>(_ yHat: B.Value, context: B.Value, rows: [Int], _ b: B) -> B.Value {
        let g = config.generatorChannels
        var h = b.channelGain(yHat, Self.gainNames.decoder[1], count: config.lambdas.count, rows: rows)
        let widths = [config.latent, g, config.contextChannels]
        for (i, w) in widths.enumerated() {
            h = leaky(b.pixelShuffle(b.conv2d(h, "frame_dec.up\(i)", outChannels: 4 * w, kernel: 3, stride: 1), factor: 2), b)
        }
        h = leaky(b.conv2d(b.concatChannels([h, context]), "generator.conv_in", outChannels: g, kernel: 3, stride: 1), b)
        var r = leaky(b.conv2d(h, "generator.res.conv0", outChannels: g, kernel: 3, stride: 1), b)
        r = b.conv2d(r, "generator.res.conv1", outChannels: g, kernel: 3, stride: 1)
        h = leaky(b.add(h, r), b)
        return b.pixelShuffle(b.conv2d(h, "generator.out", outChannels: 12, kernel: 3, stride: 1), factor: 2)
    }

    // MARK: Pieces

    func hyperDecode<B: LayerBackend>(_ z: B.Value, _ name: String, hidden: Int, _ b: B) -> B.Value {
        var h = leaky(b.conv2d(z, "\(name).conv0", outChannels: hidden, kernel: 3, stride: 1), b)
        for i in 0..<2 {
            h = leaky(b.pixelShuffle(b.conv2d(h, "\(name).up\(i)", outChannels: 4 * hidden, kernel: 3, stride: 1), factor: 2), b)
        }
        return h
    }

    /// Two heads: the mean, and the scale through softplus (positive; the codec maps it to a table
    /// level by comparisons, training floors it).
    func meanScale<B: LayerBackend>(_ h: B.Value, _ name: String, out: Int, _ b: B) -> (mean: B.Value, scale: B.Value) {
        let mean = b.conv2d(h, "\(name).mean", outChannels: out, kernel: 3, stride: 1)
        let scale = b.activation(b.conv2d(h, "\(name).scale", outChannels: out, kernel: 3, stride: 1), .softplus)
        return (mean, scale)
    }

    func leaky<B: LayerBackend>(_ x: B.Value, _ b: B) -> B.Value { b.activation(x, .leakyRelu(slope: Self.slope)) }
}
