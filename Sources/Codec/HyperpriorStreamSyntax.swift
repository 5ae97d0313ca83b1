import Bitstream
import Models

/// The names a hyperprior I-frame uses in the sequence header and frame units (spec/hyperprior.md
/// §1, §3): the intra model's rate point and the two substreams of each I-frame.
public enum HyperpriorStreamSyntax {
    /// Header key of the I-frames' rate point: the lambda of lambda * MSE + bpp they were coded at.
    public static let ratePointKey = "intra_rate_point"
    /// The rate points a stream may name (those of the P-frames, `InterStreamSyntax.ratePoints`).
    public static let ratePoints = InterStreamSyntax.ratePoints
    /// Frame sides are padded to a multiple of this (the hyper-latents sit at 1/64).
    public static let multiple = HyperpriorConfig.multiple
    /// Tool keys of the RVQ intra models, which a hyperprior stream must not carry.
    public static let tokenizerKeys = ["rvq_levels", "codebook_size", "downsampling", "index_model",
                                       IntraStreamSyntax.indexPriorKey]

    /// The two substreams of a hyperprior I-frame, in decoding order.
    public enum Substream: String, CaseIterable, Sendable {
        /// Hyper-latents ẑ [hyper, H'/64, W'/64].
        case hyper = "hp.z"
        /// Latent residuals q_y [latent, H'/16, W'/16].
        case latent = "hp.y"
    }

    public static var substreamNames: [String] { Substream.allCases.map(\.rawValue) }

    /// The intra tools of a hyperprior stream (model `model` at rate point `ratePoint`).
    public static func tools(model: String, ratePoint: Int) -> [String: ToolValue] {
        ["intra_model": .string(model), ratePointKey: .int(Int64(ratePoint))]
    }
}
