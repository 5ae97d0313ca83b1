import Models
import Tensor
import TensorTraining

/// What the hyperprior encoder produces for one image: hyper-latents ẑ and latent symbols
/// q = round(y - mean) (Float tensors holding integers), the per-element scales the entropy coder
/// needs for q (the decoder recomputes the same bits), and the reconstruction (clamped).
public struct HyperpriorCodedImage {
    public var z: Tensor, qy: Tensor
    public var scale: Tensor
    public var reconstruction: Tensor
}

/// The hyperprior intra encoder: analysis transforms on the training kernels (what they produce is
/// transmitted), the prior and the reconstruction on the decoder's deterministic path, so encoder
/// and decoder never drift.
public struct HyperpriorEncoder {
    public let decoder: HyperpriorDecoder
    /// Every weight (encoder and decoder), frozen.
    public let params: ParameterSet

    /// `weights` must hold every weight of `config` (a file from `dcvc-train hyperprior --export`).
    public init(config: HyperpriorConfig, weights: [String: Tensor], threads: Int) throws {
        decoder = try HyperpriorDecoder(config: config, weights: weights, threads: threads)
        params = try decoder.network.frozenParameters(weights) { HyperpriorConfigError(reason: $0) }
    }

    /// Codes `image` [N, 3, H, W] (sides multiples of 64) at rate point `rate` (an index into
    /// `config.lambdas`).
    public func encode(image: Tensor, rate: Int) -> HyperpriorCodedImage {
        let a = analyze(image: image, rate: rate)
        let rec = HyperpriorDecoder.clamped(decoder.reconstruct(yHat: decoder.dequantize(a.qy, mean: a.mean), rate: rate))
        return HyperpriorCodedImage(z: a.z, qy: a.qy, scale: a.scale, reconstruction: rec)
    }

    /// The symbols of `image` at rate point `rate` with the latents' means and scales (the decode
    /// path's, from ẑ), without the synthesis: what a stream encoder needs to write the frame.
    public func analyze(image: Tensor, rate: Int) -> (z: Tensor, qy: Tensor, mean: Tensor, scale: Tensor) {
        let net = decoder.network, b = TrainingBackend(params: params)
        precondition(decoder.config.lambdas.indices.contains(rate), "rate index \(rate)")
        let y = net.analysis(Variable(image), rows: Array(repeating: rate, count: image.shape[0]), b).value
        let z = InterEncoder.rounded(net.hyperAnalysis(Variable(y), b).value)
        let p = decoder.parameters(z: z)
        return (z, InterEncoder.rounded(y, minus: p.mean), p.mean, p.scale)
    }
}
