/// The residual (DVC) branch of the P-frame model: the same motion estimation and MV codec as the
/// conditional model, then a pixel-domain motion-compensated prediction x̄ and a hyperprior
/// autoencoder for the residual r = x - x̄; the frame is x̂ = x̄ + r̂ (Lu et al., CVPR 2019).
///
/// Decode path (deterministic): `mvPrior` -> `mvDecode` -> `prediction` -> `residualPrior` ->
/// `residualDecode` -> `add(x̄, r̂)`. Encoder only: `motion`, `mvEncode`, `mvHyperEncode`,
/// `residualEncode`, `residualHyperEncode`. Weight names start with `mc.`, `res_` or `res.`, none
/// shared with the conditional branch.
extension InterNetwork {
    /// Per-channel log-scale of the factorized zero-mean Gaussian of the residual hyper-latents [hyper].
    public static let residualHyperLogScale = "res_hyper.log_scale"
    /// The per-lambda latent gains of the residual model (MV latents, then residual latents).
    public static let residualGainNames = (encoder: ["mv.gain_enc", "res.gain_enc"], decoder: ["mv.gain_dec", "res.gain_dec"])

    /// The per-lambda gains of this model's mode.
    public var gainNames: (encoder: [String], decoder: [String]) {
        config.isResidual ? Self.residualGainNames : Self.gainNames
    }

    /// The factorized log-scale of the frame (or residual) hyper-latents of this model's mode.
    public var frameHyperLogScaleName: String {
        config.isResidual ? Self.residualHyperLogScale : Self.frameHyperLogScale
    }

    /// The motion-compensated prediction x̄ [N, 3, H, W]: the reference warped at full resolution
    /// by the decoded flow (bilinear x2, values x2), plus a refinement from a small net at 1/2 on
    /// the unshuffled warped reference and the flow (DVC's MC net, kept small; `mc.out` starts at
    /// zero, so x̄ starts as the plain warp).
    public func prediction<B: LayerBackend>(reference: B.Value, flow: B.Value, _ b: B) -> B.Value {
        let s = b.shape(reference), g = config.generatorChannels
        let full = b.affine(b.resizeBilinear(flow, height: s[2], width: s[3]), scale: 2, shift: 0)
        let warped = b.flowWarp(reference, flow: full)
        let input = b.concatChannels([b.pixelUnshuffle(warped, factor: 2), flow])
        var h = leaky(b.conv2d(input, "mc.conv_in", outChannels: g, kernel: 3, stride: 1), b)
        var r = leaky(b.conv2d(h, "mc.res.conv0", outChannels: g, kernel: 3, stride: 1), b)
        r = b.conv2d(r, "mc.res.conv1", outChannels: g, kernel: 3, stride: 1)
        h = leaky(b.add(h, r), b)
        return b.add(warped, b.pixelShuffle(b.conv2d(h, "mc.out", outChannels: 12, kernel: 3, stride: 1), factor: 2))
    }

    /// Frame x and prediction x̄ -> gained residual latents y [N, latent, H/16, W/16] of x - x̄.
    public func residualEncode<B: LayerBackend>(_ x: B.Value, prediction: B.Value, rows: [Int], _ b: B) -> B.Value {
        let g = config.generatorChannels, l = config.latent
        let residual = b.add(x, b.affine(prediction, scale: -1, shift: 0))
        var h = leaky(b.conv2d(b.pixelUnshuffle(residual, factor: 2), "res_enc.conv_in", outChannels: g, kernel: 3, stride: 1), b)
        h = leaky(b.conv2d(h, "res_enc.down0", outChannels: g, kernel: 3, stride: 2), b)
        h = leaky(b.conv2d(h, "res_enc.down1", outChannels: l, kernel: 3, stride: 2), b)
        h = leaky(b.conv2d(h, "res_enc.down2", outChannels: l, kernel: 3, stride: 2), b)
        h = b.conv2d(h, "res_enc.out", outChannels: l, kernel: 3, stride: 1)
        return b.channelGain(h, Self.residualGainNames.encoder[1], count: config.lambdas.count, rows: rows)
    }

    /// Residual latents -> residual hyper-latents z [N, hyper, H/64, W/64].
    public func residualHyperEncode<B: LayerBackend>(_ y: B.Value, _ b: B) -> B.Value {
        hyperEncode(y, "res_hyper_enc", hidden: config.latent, out: config.hyper, b)
    }

    /// Decoded residual hyper-latents -> (mean, scale) of every residual latent element (a plain
    /// hyperprior: no temporal prior, as in DVC).
    public func residualPrior<B: LayerBackend>(_ z: B.Value, _ b: B) -> (mean: B.Value, scale: B.Value) {
        meanScale(hyperDecode(z, "res_hyper_dec", hidden: config.latent, b), "res_prior", out: config.latent, b)
    }

    /// Decoded residual latents r̂ (gained domain) -> the residual [N, 3, H, W].
    public func residualDecode<B: LayerBackend>(_ yHat: B.Value, rows: [Int], _ b: B) -> B.Value {
        let g = config.generatorChannels
        var h = b.channelGain(yHat, Self.residualGainNames.decoder[1], count: config.lambdas.count, rows: rows)
        for (i, w) in [config.latent, g, g].enumerated() {
            h = leaky(b.pixelShuffle(b.conv2d(h, "res_dec.up\(i)", outChannels: 4 * w, kernel: 3, stride: 1), factor: 2), b)
        }
        return b.pixelShuffle(b.conv2d(h, "res_dec.out", outChannels: 12, kernel: 3, stride: 1), factor: 2)
    }

    /// The reconstruction x̂ = x̄ + r̂ (not clamped).
    public func residualReconstruct<B: LayerBackend>(_ yHat: B.Value, prediction: B.Value, rows: [Int], _ b: B) -> B.Value {
        b.add(prediction, residualDecode(yHat, rows: rows, b))
    }
}
