import Tensor

extension HyperpriorNetwork: TracedNetwork {
    /// Shape traces on a 64 x 64 image: the decode path (prior, synthesis) and the encoder-only
    /// part (analysis, hyper analysis).
    public func traced() -> (decoder: ShapeBackend, encoder: ShapeBackend) {
        let c = config, s = HyperpriorConfig.multiple, rows = [0]
        let d = ShapeBackend(), e = ShapeBackend()
        _ = prior([1, c.hyper, s / 64, s / 64], d)
        _ = synthesis([1, c.latent, s / 16, s / 16], rows: rows, d)
        _ = hyperAnalysis(analysis([1, 3, s, s], rows: rows, e), e)
        return (d, e)
    }

    /// The per-channel log-scales of the factorized hyper-latent distribution.
    public var factorizedSpecs: [TensorSpec] { [TensorSpec(Self.hyperLogScale, .f32, [config.hyper])] }

    /// Multiply-accumulates per image pixel: the decode path split into synthesis and prior (hyper
    /// synthesis + mean/scale heads), and the encoder-only part (analysis + hyper analysis).
    public func macsPerPixel() -> (decoder: Double, synthesis: Double, prior: Double, encoder: Double) {
        let c = config, s = HyperpriorConfig.multiple, pixels = Double(s * s)
        let p = ShapeBackend(), g = ShapeBackend()
        _ = prior([1, c.hyper, s / 64, s / 64], p)
        _ = synthesis([1, c.latent, s / 16, s / 16], rows: [0], g)
        let e = traced().encoder
        return (Double(p.macs + g.macs) / pixels, Double(g.macs) / pixels, Double(p.macs) / pixels, Double(e.macs) / pixels)
    }
}
