import Tensor

extension InterNetwork: TracedNetwork {
    /// Shape traces on a 64 x 64 frame: the decode path (MV prior, MV decoder, context, frame
    /// prior, frame decoder; residual mode: prediction, residual prior, residual decoder) and the
    /// encoder-only part (motion, MV and frame or residual analysis, hyper encoders). The encoder
    /// also runs the decode path to form its references.
    public func traced() -> (decoder: ShapeBackend, encoder: ShapeBackend) {
        let c = config, s = InterConfig.multiple, rows = [0]
        let d = ShapeBackend(), e = ShapeBackend()
        _ = mvPrior([1, c.mvHyper, s / 64, s / 64], d)
        let flow = mvDecode([1, c.mvLatent, s / 16, s / 16], rows: rows, d)
        let f = motion([1, 3, s, s], [1, 3, s, s], e)
        _ = mvHyperEncode(mvEncode(f, rows: rows, e), e)
        if config.isResidual {
            let pred = prediction(reference: [1, 3, s, s], flow: flow, d)
            _ = residualPrior([1, c.hyper, s / 64, s / 64], d)
            _ = residualReconstruct([1, c.latent, s / 16, s / 16], prediction: pred, rows: rows, d)
            _ = residualHyperEncode(residualEncode([1, 3, s, s], prediction: pred, rows: rows, e), e)
            return (d, e)
        }
        let ctx = context(reference: [1, 3, s, s], flow: flow, d)
        _ = framePrior([1, c.hyper, s / 64, s / 64], context: ctx, d)
        _ = frameDecode([1, c.latent, s / 16, s / 16], context: ctx, rows: rows, d)
        _ = hyperEncode(frameEncode([1, 3, s, s], context: ctx, rows: rows, e), e)
        return (d, e)
    }

    /// The per-channel log-scales of the two factorized hyper-latent distributions (MV, then frame
    /// or residual).
    public var factorizedSpecs: [TensorSpec] {
        [TensorSpec(Self.mvHyperLogScale, .f32, [config.mvHyper]), TensorSpec(frameHyperLogScaleName, .f32, [config.hyper])]
    }

    /// Multiply-accumulates per frame pixel of the decode path and of the encoder-only part.
    public func macsPerPixel() -> (decoder: Double, encoder: Double) {
        let (d, e) = traced()
        let pixels = Double(InterConfig.multiple * InterConfig.multiple)
        return (Double(d.macs) / pixels, Double(e.macs) / pixels)
    }

    /// True for weights of the motion part (flow net and MV codec), which stage 2 freezes.
    public static func isMotionWeight(_ name: String) -> Bool {
        ["motion.", "mv_", "mv."].contains { name.hasPrefix($0) }
    }
}
