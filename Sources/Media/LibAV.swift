// Small helpers shared by the libav*-based reader and writer.

import CFFmpeg
#if canImport(Glibc)
import Glibc
#endif

/// libav* helpers: error strings, logging, pixel-format questions.
enum LibAV {
    /// The text of an `AVERROR` code.
    static func errorString(_ code: Int32) -> String {
        var buf = [CChar](repeating: 0, count: 256)
        if av_strerror(code, &buf, buf.count) < 0 { return "error \(code)" }
        return String(cString: buf)
    }

    /// libav* prints warnings to stderr by itself; our typed errors say what went wrong instead.
    /// Set `DCVC_LIBAV_LOG=1` to see libav's own messages.
    static let quietLogging: Void = {
        if getenv("DCVC_LIBAV_LOG") == nil { av_log_set_level(AV_LOG_QUIET) }
    }()

    static let eof = dcvc_averror_eof()
    static let eagain = dcvc_averror_eagain()

    /// The pixel format libav calls `name`, or nil.
    static func pixelFormat(named name: String) -> AVPixelFormat? {
        let f = av_get_pix_fmt(name)
        return f == AV_PIX_FMT_NONE ? nil : f
    }

    /// libav's name of a pixel format (for messages).
    static func name(of format: AVPixelFormat) -> String {
        guard let n = av_get_pix_fmt_name(format) else { return "pix_fmt \(format.rawValue)" }
        return String(cString: n)
    }

    /// The libav pixel format of our planar layouts (limited/unspecified range spelling).
    static func avFormat(_ format: PixelFormat) -> AVPixelFormat {
        format == .yuv420p ? AV_PIX_FMT_YUV420P : AV_PIX_FMT_YUV444P
    }

    /// Our format when `format` has exactly our plane layout (the `yuvj*` twins included), else nil.
    static func directFormat(_ format: AVPixelFormat) -> PixelFormat? {
        switch format {
        case AV_PIX_FMT_YUV420P, AV_PIX_FMT_YUVJ420P: return .yuv420p
        case AV_PIX_FMT_YUV444P, AV_PIX_FMT_YUVJ444P: return .yuv444p
        default: return nil
        }
    }

    /// True for FFmpeg's deprecated full-range `yuvj*` formats.
    static func isJPEGRange(_ format: AVPixelFormat) -> Bool {
        [AV_PIX_FMT_YUVJ420P, AV_PIX_FMT_YUVJ422P, AV_PIX_FMT_YUVJ444P, AV_PIX_FMT_YUVJ440P,
         AV_PIX_FMT_YUVJ411P].contains(format)
    }

    /// True for RGB and paletted formats (no YCbCr matrix; swscale applies one).
    static func isRGB(_ format: AVPixelFormat) -> Bool {
        guard let d = av_pix_fmt_desc_get(format) else { return false }
        return d.pointee.flags & UInt64(AV_PIX_FMT_FLAG_RGB | AV_PIX_FMT_FLAG_PAL) != 0
    }

    /// Where a non-direct format is converted to: 4:4:4 for RGB and unsubsampled YUV, 4:2:0 otherwise
    /// (4:2:2, 4:1:1, 4:4:0, grey, and every high-bit-depth 4:2:0).
    static func conversionTarget(for format: AVPixelFormat) -> PixelFormat {
        guard let d = av_pix_fmt_desc_get(format) else { return .yuv420p }
        if isRGB(format) { return .yuv444p }
        if d.pointee.nb_components >= 3 && d.pointee.log2_chroma_w == 0 && d.pointee.log2_chroma_h == 0 {
            return .yuv444p
        }
        return .yuv420p
    }
}
