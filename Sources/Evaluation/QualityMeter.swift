import Media

/// The quality of one decoded sequence against its source.
///
/// PSNR figures are the PSNR of the mean over frames of the per-frame MSE; SSIM, MS-SSIM and
/// LPIPS are the mean over frames of the per-frame value. Unmeasured metrics are nil.
public struct QualitySummary: Sendable, Equatable {
    public var frames: Int
    public var psnrRGB: Double
    public var psnrYUV: Double
    public var psnrY: Double, psnrU: Double, psnrV: Double
    public var ssim: Double?
    public var msssim: Double?
    public var lpips: Double?
}

/// Accumulates quality frame by frame, so decoded sequences stream through without being held.
public struct QualityMeter {
    private let measureSSIM: Bool
    private let measureMSSSIM: Bool
    private let lpips: LPIPSModel?
    private var yuv = SequencePSNR()
    private var rgbSum = 0.0
    private var ssimSum = 0.0, msssimSum = 0.0, lpipsSum = 0.0

    /// - Parameter lpips: the LPIPS network, or nil to leave LPIPS unmeasured.
    public init(ssim: Bool, msssim: Bool, lpips: LPIPSModel?) {
        measureSSIM = ssim
        measureMSSSIM = msssim
        self.lpips = lpips
    }

    /// Adds one frame pair. Both are converted to RGB with the source's colour metadata (the
    /// decoded frame reproduces the source's YUV, so it is read the same way).
    public mutating func add(source: VideoFrame, decoded: VideoFrame) throws {
        yuv.add(try PlaneErrors(source, decoded))
        let color = ColorConversion.resolvedColor(of: source)
        let a = ColorConversion.toRGB(source, color: color), b = ColorConversion.toRGB(decoded, color: color)
        rgbSum += try rgbMSE(a, b)
        if measureSSIM { ssimSum += try Evaluation.ssim(a, b) }
        if measureMSSSIM { msssimSum += try Evaluation.msssim(a, b) }
        if let lpips { lpipsSum += try lpips.distance(a, b) }
    }

    /// Frames added so far.
    public var frames: Int { yuv.frames }

    /// The sequence figures (call after at least one frame).
    public var summary: QualitySummary {
        let n = Double(max(frames, 1))
        return QualitySummary(frames: frames, psnrRGB: psnr(mse: rgbSum / n), psnrYUV: yuv.yuv,
                              psnrY: yuv.y, psnrU: yuv.u, psnrV: yuv.v,
                              ssim: measureSSIM ? ssimSum / n : nil,
                              msssim: measureMSSSIM ? msssimSum / n : nil,
                              lpips: lpips == nil ? nil : lpipsSum / n)
    }
}
