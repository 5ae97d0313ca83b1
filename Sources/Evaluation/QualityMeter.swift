import Media

/// The quality of one decoded sequence against its source.
///
/// PSNR figures are the PSNR of the mean over frames of the per-frame MSE; SSIM, MS-SSIM and
/// LPIPS are the mean over frames of the per-frame value; FID/256 is one value over all the
/// patches of the sequence. Unmeasured metrics are nil.
public struct QualitySummary: Sendable, Equatable {
    public var frames: Int
    public var psnrRGB: Double
    public var psnrYUV: Double
    public var psnrY: Double, psnrU: Double, psnrV: Double
    public var ssim: Double?
    public var msssim: Double?
    public var lpips: Double?
    public var fid: Double?
    /// The patches (per side) FID was computed over.
    public var fidPatches: Int?
    /// Metrics that were asked for but could not be measured (e.g. a picture too small for
    /// MS-SSIM's five scales), by name (`ssim`, `msssim`, `lpips`, `fid`), with the reason.
    public var unmeasured: [String: String] = [:]
}

/// Accumulates quality frame by frame, so decoded sequences stream through without being held.
public struct QualityMeter {
    private let measureSSIM: Bool
    private let measureMSSSIM: Bool
    private let lpips: LPIPSModel?
    private var fid: FIDMeter?
    private let measureFID: Bool
    private var yuv = SequencePSNR()
    private var rgbSum = 0.0
    private var ssimSum = 0.0, msssimSum = 0.0, lpipsSum = 0.0
    private var failures: [String: String] = [:]
    /// Each frame's plane errors, in the order added (per-frame PSNR for drift plots).
    public private(set) var frameErrors: [PlaneErrors] = []

    /// - Parameters:
    ///   - lpips: the LPIPS network, or nil to leave LPIPS unmeasured.
    ///   - fid: nil to leave FID unmeasured; the source side of FID/256 with its model, or why the
    ///     source has none (recorded as FID's reason for being unmeasured).
    public init(ssim: Bool, msssim: Bool, lpips: LPIPSModel?, fid: Result<FIDMeter, Error>? = nil) {
        measureSSIM = ssim
        measureMSSSIM = msssim
        self.lpips = lpips
        measureFID = fid != nil
        switch fid {
        case .success(let m)?: self.fid = m
        case .failure(let e)?: failures["fid"] = "\(e)"
        case nil: break
        }
    }

    /// Adds one frame pair. Both are converted to RGB with the source's colour metadata (the
    /// decoded frame reproduces the source's YUV, so it is read the same way).
    public mutating func add(source: VideoFrame, decoded: VideoFrame) throws {
        let errors = try PlaneErrors(source, decoded)
        yuv.add(errors)
        frameErrors.append(errors)
        let color = ColorConversion.resolvedColor(of: source)
        let a = ColorConversion.toRGB(source, color: color), b = ColorConversion.toRGB(decoded, color: color)
        rgbSum += try rgbMSE(a, b)
        if measureSSIM, let v = value("ssim", { try Evaluation.ssim(a, b) }) { ssimSum += v }
        if measureMSSSIM, let v = value("msssim", { try Evaluation.msssim(a, b) }) { msssimSum += v }
        if let lpips, let v = value("lpips", { try lpips.distance(a, b) }) { lpipsSum += v }
        fid?.add(b)
    }

    /// One frame's value of a metric, or nil once it has failed: the first failure drops the
    /// metric for the sequence (PSNR and the other metrics are still measured).
    private mutating func value(_ name: String, _ compute: () throws -> Double) -> Double? {
        guard failures[name] == nil else { return nil }
        do { return try compute() } catch {
            failures[name] = "\(error)"
            return nil
        }
    }

    /// Frames added so far.
    public var frames: Int { yuv.frames }

    /// The sequence figures (call after at least one frame). With FID this computes it (about a
    /// second: a 2048x2048 eigendecomposition).
    public var summary: QualitySummary {
        let n = Double(max(frames, 1))
        var failures = failures
        var fidValue: Double?
        if measureFID, let fid, failures["fid"] == nil {
            do { fidValue = try fid.distance() } catch { failures["fid"] = "\(error)" }
        }
        var s = QualitySummary(frames: frames, psnrRGB: psnr(mse: rgbSum / n), psnrYUV: yuv.yuv,
                              psnrY: yuv.y, psnrU: yuv.u, psnrV: yuv.v,
                              ssim: measureSSIM && failures["ssim"] == nil ? ssimSum / n : nil,
                              msssim: measureMSSSIM && failures["msssim"] == nil ? msssimSum / n : nil,
                              lpips: lpips != nil && failures["lpips"] == nil ? lpipsSum / n : nil,
                              unmeasured: failures)
        s.fid = fidValue
        s.fidPatches = fidValue == nil ? nil : fid?.patches
        return s
    }
}
