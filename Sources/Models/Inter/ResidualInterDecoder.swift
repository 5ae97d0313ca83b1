import Tensor

/// The residual (DVC) decode path (`InterDecodePath`, spec/inter-residual.md): what `dcvc-dec`
/// runs for `inter-dvc` streams. Stage 3's "context" is the motion-compensated prediction x̄,
/// stage 4 is the residual hyperprior alone (x̄ is not read), stage 5 is x̄ + r̂.
public struct ResidualInterDecoder: InterDecodePath {
    public static let mode = InterMode.residual

    public let core: InterDecoderCore

    public init(config: InterConfig, weights: [String: Tensor], threads: Int) throws {
        core = try InterDecoderCore(config: config, weights: weights, threads: threads, mode: Self.mode)
    }

    /// Reference frame [N, 3, H, W] and flow -> prediction x̄ [N, 3, H, W].
    public func context(reference: Tensor, flow: Tensor) -> Tensor {
        network.prediction(reference: reference, flow: flow, backend)
    }

    /// ẑ -> mean and scale of each residual latent; `context` (x̄) is not read.
    public func frameParameters(z: Tensor, context: Tensor) -> (mean: Tensor, scale: Tensor) { network.residualPrior(z, backend) }

    /// ŷ and x̄ -> x̄ + r̂ (not clamped).
    public func reconstruct(yHat: Tensor, context: Tensor, rate: Int) -> Tensor {
        network.residualReconstruct(yHat, prediction: context, rows: rows(yHat, rate), backend)
    }
}
