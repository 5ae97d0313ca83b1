import Foundation
import Models
import Tensor
import TensorTraining

extension HyperpriorNetwork {
    /// Registers every weight: convs Kaiming uniform, factorized log-scales 0, and the rate
    /// ladder built into the latent gains (`initialGain`).
    public func registerParameters(in params: ParameterSet, rng: inout RNG) {
        ShapeBackend.register(tracedWeights(), in: params, rng: &rng)
        for s in factorizedSpecs { params.add(s.name, Tensor(shape: s.shape, repeating: 0)) }
        let m = config.latent
        for (name, inverse) in [("latent.gain_enc", false), ("latent.gain_dec", true)] {
            let g = config.lambdas.indices.flatMap { r in
                [Float](repeating: inverse ? 1 / initialGain(rate: r) : initialGain(rate: r), count: m)
            }
            params[name]!.value = Tensor(shape: [config.lambdas.count, m], storage: g)
        }
    }

    /// Initial encoder gain of rate point `rate`: `initialLatentScale` * sqrt(lambda / smallest
    /// lambda); the decoder's is its inverse, so the synthesis starts on the scale its
    /// initialisation expects. At high rate the optimal quantization step of lambda * MSE + R
    /// scales as 1/sqrt(lambda), so the rows start on the right ladder instead of having to find it.
    public func initialGain(rate: Int) -> Float {
        Self.initialLatentScale * Float((Double(config.lambdas[rate]) / Double(config.lambdas.min()!)).squareRoot())
    }

    /// Encoder gain of the smallest lambda at initialisation. The freshly initialised analysis
    /// gives latents of standard deviation 0.025 (default model) to 0.09 (`.tiny`), all of which
    /// round onto the mean: nothing is coded and the rate term then holds the scales at their floor
    /// (a tiny-model probe sat at 12.8 dB and 0.001 bpp for 200 steps). With 16 the latents span a
    /// few quantization steps from the first step.
    public static let initialLatentScale: Float = 16
}
