import Bitstream

/// The names the P-frame coding tool uses in the sequence header and frame units (spec/inter.md §1, §3).
public enum InterStreamSyntax {
    /// Header key naming the inter model (a `ModelRegistry` entry of kind `inter_model`).
    public static let modelKey = "inter_model"
    /// Header key of the rate point: the lambda of lambda * MSE + bpp the P-frames were coded at.
    public static let ratePointKey = "rate_point"
    /// Header key of the motion vectors' rate point: the gain rows of the MV codec (spec/inter.md
    /// §1); absent, the MVs are coded at `rate_point` too.
    public static let mvRatePointKey = "mv_rate_point"
    /// The rate points a stream may name.
    public static let ratePoints = [256, 512, 1024, 2048]
    /// Frame sides are padded to a multiple of this for P-frames (the hyper-latents sit at 1/64).
    public static let multiple = 64

    /// The four substreams of a P-frame, in decoding order: MV hyper-latents, MV latents, frame
    /// hyper-latents, frame latents.
    public enum Substream: String, CaseIterable, Sendable {
        case mvHyper = "mv.z"
        case mvLatent = "mv.y"
        case frameHyper = "fr.z"
        case frameLatent = "fr.y"
    }

    public static var substreamNames: [String] { Substream.allCases.map(\.rawValue) }

    /// The coding tools a stream with P-frames adds to the intra ones; `mv_rate_point` is written
    /// only when it differs from `rate_point`.
    public static func tools(model: String, ratePoint: Int, mvRatePoint: Int) -> [String: ToolValue] {
        var t: [String: ToolValue] = [modelKey: .string(model), ratePointKey: .int(Int64(ratePoint))]
        if mvRatePoint != ratePoint { t[mvRatePointKey] = .int(Int64(mvRatePoint)) }
        return t
    }
}
