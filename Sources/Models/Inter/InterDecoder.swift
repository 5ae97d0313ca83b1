import Tensor

/// The conditional (DCVC) decode path (`InterDecodePath`, spec/inter.md §5): stage 3 is the
/// temporal context, stage 4 fuses the hyperprior with a temporal prior from the context, stage 5
/// generates the frame from ŷ and the context.
public struct InterDecoder: InterDecodePath {
    public static let mode = InterMode.conditional
    /// `__metadata__` key of the configuration JSON in weight files and checkpoints (both modes).
    public static let configKey = "inter_config"

    public let core: InterDecoderCore

    public init(config: InterConfig, weights: [String: Tensor], threads: Int) throws {
        core = try InterDecoderCore(config: config, weights: weights, threads: threads, mode: Self.mode)
    }

    /// Reference frame [N, 3, H, W] and flow -> context [N, contextOutputChannels, H/2, W/2].
    public func context(reference: Tensor, flow: Tensor) -> Tensor {
        network.context(reference: reference, flow: flow, backend)
    }

    /// ẑ and the context -> mean and scale of each frame latent.
    public func frameParameters(z: Tensor, context: Tensor) -> (mean: Tensor, scale: Tensor) {
        network.framePrior(z, context: context, backend)
    }

    /// ŷ and the context -> the frame (not clamped).
    public func reconstruct(yHat: Tensor, context: Tensor, rate: Int) -> Tensor {
        network.frameDecode(yHat, context: context, rows: rows(yHat, rate), backend)
    }
}
