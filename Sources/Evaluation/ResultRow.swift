import Foundation

/// One measured point: a video coded by one method at one rate point.
///
/// Rows are keyed by (video, method, point); `settings` records everything that decides the
/// result (the encoder command line or the libavcodec options, frames and intra period), so a
/// row whose settings still match the config is reused instead of recomputed. A failed point
/// keeps its `error` and no figures.
public struct ResultRow: Codable, Sendable, Equatable {
    /// The video's path as the config (or a directory listing) gives it.
    public var video: String
    /// A short name for tables and plots (the file name without extension).
    public var clip: String
    public var width: Int
    public var height: Int
    /// Frames coded and measured.
    public var frames: Int
    public var method: String
    public var kind: String
    public var point: String
    public var settings: String
    /// Bytes of the coded stream: the `.dcv` file, or the encoder's packets (headers and SEI included).
    public var bytes: Int?
    /// 8 x bytes / (width x height x frames).
    public var bpp: Double?
    public var psnrRGB: Double?
    /// PSNR of (6 MSE_Y + MSE_U + MSE_V) / 8.
    public var psnrYUV: Double?
    public var psnrY: Double?
    public var psnrU: Double?
    public var psnrV: Double?
    public var ssim: Double?
    public var msssim: Double?
    public var lpips: Double?
    /// FID/256 of the decoded frames' patches against the source frames' patches (a set metric:
    /// one value for the whole row, see `FIDMeter`).
    public var fid: Double?
    /// The 256x256 patches FID was computed over, per side.
    public var fidPatches: Int?
    /// Wall time of encoding (the `dcvc-enc` process; the libavcodec encode calls for x265/x264).
    public var encodeSeconds: Double?
    /// Wall time of decoding (the `dcvc-dec` process; the libavcodec decode of the stream for x265/x264).
    public var decodeSeconds: Double?
    /// Peak resident memory of encoding, bytes: the `dcvc-enc` process's own (GNU time); for
    /// x265/x264, what the libavcodec encode added to the evaluator's resident memory (Linux).
    public var encodePeakRSS: Int?
    /// Likewise for decoding (`dcvc-dec`; the libavcodec decode).
    public var decodePeakRSS: Int?
    /// Requested metrics that could not be measured on this video, by name, with the reason
    /// (the row is complete without them and is not recomputed for them).
    public var unmeasured: [String: String]?
    /// Why the point has no figures, if it failed.
    public var error: String?
    /// Per-frame types, real frame-unit bytes and PSNR: for our codec with P-frames (intra
    /// period above 1), where drift across a GOP is measured.
    public var perFrame: FrameSeries?

    enum CodingKeys: String, CodingKey {
        case video, clip, width, height, frames, method, kind, point, settings, bytes, bpp
        case psnrRGB = "psnr_rgb", psnrYUV = "psnr_yuv", psnrY = "psnr_y", psnrU = "psnr_u", psnrV = "psnr_v"
        case ssim, msssim, lpips, fid, fidPatches = "fid_patches"
        case encodeSeconds = "encode_seconds", decodeSeconds = "decode_seconds"
        case encodePeakRSS = "encode_peak_rss", decodePeakRSS = "decode_peak_rss", unmeasured, error
        case perFrame = "per_frame"
    }

    public init(video: String, clip: String, width: Int, height: Int, frames: Int,
                method: String, kind: String, point: String, settings: String) {
        self.video = video; self.clip = clip; self.width = width; self.height = height; self.frames = frames
        self.method = method; self.kind = kind; self.point = point; self.settings = settings
    }

    /// The identity of a row in a results file.
    public struct Key: Hashable, Sendable {
        public var video: String, method: String, point: String
        public init(video: String, method: String, point: String) {
            self.video = video; self.method = method; self.point = point
        }
    }

    public var key: Key { Key(video: video, method: method, point: point) }

    /// The value of a plotted metric, if measured.
    public func value(_ metric: PlotMetric) -> Double? {
        switch metric {
        case .psnrRGB: return psnrRGB
        case .psnrYUV: return psnrYUV
        case .ssim: return ssim
        case .msssim: return msssim
        case .lpips: return lpips
        case .fid: return fid
        }
    }
}

/// The metrics that get an RD plot, in plotting order.
public enum PlotMetric: String, CaseIterable, Sendable {
    case psnrRGB = "psnr-rgb", psnrYUV = "psnr-yuv", ssim, msssim, lpips, fid

    /// The axis label.
    public var title: String {
        switch self {
        case .psnrRGB: return "PSNR RGB (dB)"
        case .psnrYUV: return "PSNR YUV 6:1:1 (dB)"
        case .ssim: return "SSIM"
        case .msssim: return "MS-SSIM"
        case .lpips: return "LPIPS (lower is better)"
        case .fid: return "FID/256 (lower is better)"
        }
    }

    /// The plot's file name in the output directory.
    public var fileName: String { "rd-\(rawValue).svg" }

    /// True when larger values mean better quality.
    public var higherIsBetter: Bool { self != .lpips && self != .fid }
}
