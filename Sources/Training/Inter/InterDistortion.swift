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
        let n = a.shape[0], pixels = Float(a.shape[2] * a.shape[3])
        switch self {
        case .rgb:
            var s = Ops.square(a - b)
            for axis in [3, 2, 1] { s = Ops.sum(s, axis: axis) }
            let w = lambdas.map { $0 / (3 * pixels * Float(n)) }
            return Ops.sum(s * Variable(Tensor(shape: [n, 1, 1, 1], storage: w)))
        case .yuv611:
            var s = Ops.square(Ops.conv2d(a - b, Variable(Self.rgbToYCbCr)))
            for axis in [3, 2] { s = Ops.sum(s, axis: axis) }
            let w = lambdas.flatMap { l in [6, 1, 1].map { l * $0 / (8 * pixels * Float(n)) } }
            return Ops.sum(s * Variable(Tensor(shape: [n, 3, 1, 1], storage: w)))
        }
    }

    /// Full-range BT.601 RGB -> (Y, Cb, Cr) as a 1x1 convolution weight [3, 3, 1, 1] (applied to
    /// a difference, so the chroma offset drops out).
    static let rgbToYCbCr = Tensor(shape: [3, 3, 1, 1], storage: [
        0.299, 0.587, 0.114,
        -0.168736, -0.331264, 0.5,
        0.5, -0.418688, -0.081312,
    ])
}
