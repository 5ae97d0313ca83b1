import Tensor
import TensorTraining

/// What the P-frame loss's distortion term measures.
public enum InterDistortion: String, Codable, Sendable, CaseIterable {
    /// Mean squared error over R, G and B (every run before session 9).
    case rgb
    /// (6 MSE_Y + MSE_Cb + MSE_Cr) / 8 in full-range BT.601 YCbCr, chroma at full resolution: the
    /// weighting of PSNR YUV 6:1:1, the measure the P-frame targets are set in.
    case yuv611

    /// Mean over samples of lambda_n * D_n, each sample's distortion of `a` against `b` [N, 3, H, W].
    public func weighted(_ a: Variable, _ b: Variable, _ lambdas: [Float]) -> Variable {
        // RGB sums all three channels under one weight (1/3); YUV weighs its channels 6:1:1 (/8).
        let (d, axes, channel, denominator): (Variable, [Int], [Float], Float) = switch self {
        case .rgb: (a - b, [3, 2, 1], [1], 3)
        case .yuv611: (Ops.conv2d(a - b, Variable(Self.rgbToYCbCr)), [3, 2], [6, 1, 1], 8)
        }
        var s = Ops.square(d)
        for axis in axes { s = Ops.sum(s, axis: axis) }
        let n = a.shape[0], scale = denominator * Float(a.shape[2] * a.shape[3]) * Float(n)
        let w = lambdas.flatMap { l in channel.map { l * $0 / scale } }
        return Ops.sum(s * Variable(Tensor(shape: [n, channel.count, 1, 1], storage: w)))
    }

    /// Full-range BT.601 RGB -> (Y, Cb, Cr) as a 1x1 convolution weight [3, 3, 1, 1] (applied to
    /// a difference, so the chroma offset drops out).
    static let rgbToYCbCr = Tensor(shape: [3, 3, 1, 1], storage: [
        0.299, 0.587, 0.114,
        -0.168736, -0.331264, 0.5,
        0.5, -0.418688, -0.081312,
    ])
}
