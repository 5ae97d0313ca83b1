// Demux + decode anything libavformat opens, handing out 8-bit YUV frames one at a time.

import CFFmpeg
#if canImport(Glibc)
import Glibc
#endif

/// Reads the best video stream of any file libavformat can open (MP4, MKV, AVI, Y4M, ...;
/// `-` reads stdin) and decodes it one frame at a time.
///
/// Frames come out as `.yuv420p` or `.yuv444p`: those two (and their full-range `yuvj*`
/// twins) are copied as they are; every other format is converted with swscale to 8-bit
/// 4:4:4 (RGB and unsubsampled YUV) or 4:2:0 (everything else), keeping the colour range.
/// RGB sources come out as BT.709 full-range YUV and say so in their `ColorInfo`.
///
/// The first frame is decoded when the reader is created, so a file without a single
/// decodable frame fails at `init` with `MediaError.noFrames`, and `width`/`height` are
/// those of the decoded pictures.
public final class VideoReader: FrameSource {
    public let path: String
    public let maxFrames: Int?
    public private(set) var width = 0
    public private(set) var height = 0
    public private(set) var pixelFormat = PixelFormat.yuv420p
    /// libav's name of the decoded pixel format before any conversion (e.g. `yuv422p10le`).
    public private(set) var sourcePixelFormat = ""
    /// The codec's name (e.g. `h264`).
    public let codecName: String
    /// libavformat's name of the container (e.g. `mov,mp4,m4a,3gp,3g2,mj2`).
    public let containerName: String
    public let frameRate: FrameRate
    /// True when the container gave no usable frame rate and `frameRate` is libav's guess or 25/1.
    public let frameRateIsGuessed: Bool
    public private(set) var color = ColorInfo.unspecified
    public let frameCountEstimate: Int?

    /// Every libav object; its deinit frees them (also when `init` throws).
    private let av: DecoderHandles
    private let streamIndex: Int32
    private var pending: VideoFrame?
    private var framesOut = 0
    private var draining = false
    private var finished = false

    /// Opens `path` (`-` for stdin), picks the best video stream and decodes its first frame.
    ///
    /// - Parameters:
    ///   - maxFrames: stop after this many frames (must be at least 1; nil reads to the end).
    ///   - threads: decoder threads (1: none; 0: libavcodec picks). Decoded pictures do not depend on it.
    ///
    /// Throws `fileNotFound`, `unreadable`, `notMedia`, `noVideoStream`, `decoderNotFound`,
    /// `badDimensions` (above `maxFrameDimension`), `noFrames`, `unsupported` or `decodeFailed`.
    public init(path: String, maxFrames: Int? = nil, threads: Int = 1) throws {
        _ = LibAV.quietLogging
        self.path = path
        self.maxFrames = maxFrames
        let av = DecoderHandles()
        self.av = av
        if path != "-" { try VideoReader.checkReadable(path) }

        var ctx: UnsafeMutablePointer<AVFormatContext>? = nil
        var rc = avformat_open_input(&ctx, path == "-" ? "pipe:0" : path, nil, nil)
        guard rc >= 0, let fmt = ctx else { throw MediaError.notMedia(path: path, reason: LibAV.errorString(rc)) }
        av.format = fmt
        containerName = String(cString: fmt.pointee.iformat.pointee.name)
        // libavformat's "tty" demuxer renders any .txt/.asc/.nfo file as ANSI art: that is text, not video.
        guard containerName != "tty" else { throw MediaError.notMedia(path: path, reason: "text file") }
        rc = avformat_find_stream_info(fmt, nil)
        // EOF here means the streams have no packets to probe: an empty stream is "zero frames", not "not media".
        guard rc >= 0 || (rc == LibAV.eof && fmt.pointee.nb_streams > 0) else {
            throw MediaError.notMedia(path: path, reason: LibAV.errorString(rc))
        }

        var decoder: UnsafePointer<AVCodec>? = nil
        rc = av_find_best_stream(fmt, AVMEDIA_TYPE_VIDEO, -1, -1, &decoder, 0)
        if rc == dcvc_averror_stream_not_found() {
            // A video track without a single sample is not offered by av_find_best_stream.
            if VideoReader.firstVideoStream(fmt) != nil { throw MediaError.noFrames(path: path) }
            throw MediaError.noVideoStream(path: path)
        }
        if rc == dcvc_averror_decoder_not_found() {
            let idx = VideoReader.firstVideoStream(fmt)
            let id = idx.map { fmt.pointee.streams[$0]!.pointee.codecpar.pointee.codec_id } ?? AV_CODEC_ID_NONE
            throw MediaError.decoderNotFound(path: path, codec: String(cString: avcodec_get_name(id)))
        }
        guard rc >= 0, let codec = decoder else { throw MediaError.notMedia(path: path, reason: LibAV.errorString(rc)) }
        streamIndex = rc
        let stream = fmt.pointee.streams[Int(rc)]!
        let par = stream.pointee.codecpar!
        codecName = String(cString: avcodec_get_name(par.pointee.codec_id))
        let (pw, ph) = (Int(par.pointee.width), Int(par.pointee.height))
        if pw > maxFrameDimension || ph > maxFrameDimension {
            throw MediaError.badDimensions(path: path, width: pw, height: ph)
        }

        guard let cc = avcodec_alloc_context3(codec) else {
            throw MediaError.decodeFailed(path: path, frame: 0, reason: "cannot allocate decoder")
        }
        av.codec = cc
        rc = avcodec_parameters_to_context(cc, par)
        guard rc >= 0 else { throw MediaError.decodeFailed(path: path, frame: 0, reason: LibAV.errorString(rc)) }
        cc.pointee.pkt_timebase = stream.pointee.time_base
        cc.pointee.thread_count = Int32(max(threads, 0))
        // Only the chosen stream's packets are wanted; the demuxer can skip the rest.
        for i in 0..<Int(fmt.pointee.nb_streams) where i != Int(streamIndex) {
            fmt.pointee.streams[i]!.pointee.discard = AVDISCARD_ALL
        }
        rc = avcodec_open2(cc, codec, nil)
        guard rc >= 0 else { throw MediaError.decodeFailed(path: path, frame: 0, reason: "cannot open decoder: \(LibAV.errorString(rc))") }
        av.decoded = av_frame_alloc()
        av.packet = av_packet_alloc()
        guard av.decoded != nil, av.packet != nil else {
            throw MediaError.decodeFailed(path: path, frame: 0, reason: "out of memory")
        }

        let (rate, guessed) = VideoReader.frameRate(fmt, stream)
        frameRate = rate
        frameRateIsGuessed = guessed
        var estimate = VideoReader.frameCount(fmt, stream, rate)
        if let m = maxFrames, let e = estimate { estimate = min(e, m) }
        frameCountEstimate = estimate

        guard maxFrames.map({ $0 > 0 }) ?? true, let first = try decodeNext() else {
            throw MediaError.noFrames(path: path)
        }
        pending = first
    }

    /// The next frame in presentation order, or nil at the end (or after `maxFrames`).
    /// Throws `decodeFailed` naming the frame index, or `sizeChanged`.
    public func nextFrame() throws -> VideoFrame? {
        if let m = maxFrames, framesOut >= m { return nil }
        let frame: VideoFrame?
        if let p = pending {
            pending = nil
            frame = p
        } else {
            frame = try decodeNext()
        }
        if frame != nil { framesOut += 1 }
        return frame
    }

    /// Runs send/receive until one frame comes out, draining the decoder at end of input.
    private func decodeNext() throws -> VideoFrame? {
        guard !finished, let cc = av.codec, let fmt = av.format, let pkt = av.packet, let raw = av.decoded else {
            return nil
        }
        let index = framesOut + (pending == nil ? 0 : 1)
        while true {
            var rc = avcodec_receive_frame(cc, raw)
            if rc == 0 {
                defer { av_frame_unref(raw) }
                return try makeFrame(raw, index: index)
            }
            if rc == LibAV.eof { finished = true; return nil }
            guard rc == LibAV.eagain else {
                throw MediaError.decodeFailed(path: path, frame: index, reason: LibAV.errorString(rc))
            }
            if draining {
                // The decoder wants input after being flushed: nothing more will come.
                finished = true
                return nil
            }
            rc = av_read_frame(fmt, pkt)
            if rc == LibAV.eof {
                draining = true
                rc = avcodec_send_packet(cc, nil)
            } else if rc < 0 {
                throw MediaError.decodeFailed(path: path, frame: index, reason: "read error: \(LibAV.errorString(rc))")
            } else {
                defer { av_packet_unref(pkt) }
                guard pkt.pointee.stream_index == streamIndex else { continue }
                rc = avcodec_send_packet(cc, pkt)
            }
            if rc < 0 && rc != LibAV.eagain && rc != LibAV.eof {
                throw MediaError.decodeFailed(path: path, frame: index, reason: LibAV.errorString(rc))
            }
        }
    }

    /// Turns a decoded AVFrame into a VideoFrame, converting its pixel format if needed.
    private func makeFrame(_ raw: UnsafeMutablePointer<AVFrame>, index: Int) throws -> VideoFrame {
        let w = Int(raw.pointee.width), h = Int(raw.pointee.height)
        let source = AVPixelFormat(rawValue: raw.pointee.format)
        if index == 0 {
            guard (1...maxFrameDimension).contains(w), (1...maxFrameDimension).contains(h) else {
                throw MediaError.badDimensions(path: path, width: w, height: h)
            }
            width = w
            height = h
            sourcePixelFormat = LibAV.name(of: source)
        } else if w != width || h != height {
            throw MediaError.sizeChanged(path: path, frame: index, width: w, height: h)
        }
        var info = try colorInfo(of: raw, format: source)
        let planes: (y: [UInt8], u: [UInt8], v: [UInt8])
        let format: PixelFormat
        if let direct = LibAV.directFormat(source) {
            format = direct
            planes = AVFramePlanes.copyOut(raw, width: w, height: h, format: direct)
        } else {
            format = LibAV.conversionTarget(for: source)
            planes = try convert(raw, from: source, to: format, fullRange: info.range == .full, index: index)
            if LibAV.isRGB(source) { info = ColorInfo(matrix: .bt709, range: .full, primaries: info.primaries, transfer: info.transfer) }
        }
        if index == 0 {
            pixelFormat = format
            color = info
        } else if format != pixelFormat {
            throw MediaError.decodeFailed(path: path, frame: index, reason: "pixel format changed to \(LibAV.name(of: source))")
        }
        return VideoFrame(width: w, height: h, format: format, y: planes.y, u: planes.u, v: planes.v,
                          frameRate: frameRate, color: info, index: index)
    }

    /// Colour metadata of a decoded frame; `yuvj*` formats are full range whatever the flag says.
    private func colorInfo(of raw: UnsafeMutablePointer<AVFrame>, format: AVPixelFormat) throws -> ColorInfo {
        let f = raw.pointee
        var range: ColorRange
        switch f.color_range {
        case AVCOL_RANGE_MPEG: range = .limited
        case AVCOL_RANGE_JPEG: range = .full
        default: range = .unspecified
        }
        if LibAV.isJPEGRange(format) { range = .full }
        let code = Int(f.colorspace.rawValue)
        var matrix: ColorMatrix
        if let m = ColorMatrix(h273Code: code) {
            matrix = m
        } else if LibAV.isRGB(format) || code == 0 {
            matrix = .unspecified  // RGB: replaced by the conversion's BT.709 below
        } else {
            throw MediaError.unsupported(path: path, reason: "colour matrix '\(String(cString: av_color_space_name(f.colorspace)))' (H.273 code \(code))")
        }
        if LibAV.isRGB(format) { matrix = .unspecified }
        return ColorInfo(matrix: matrix, range: range,
                         primaries: Int(f.color_primaries.rawValue), transfer: Int(f.color_trc.rawValue))
    }

    /// Converts with swscale into our 8-bit layout.
    private func convert(_ raw: UnsafeMutablePointer<AVFrame>, from source: AVPixelFormat, to format: PixelFormat,
                         fullRange: Bool, index: Int) throws -> (y: [UInt8], u: [UInt8], v: [UInt8]) {
        let target = LibAV.avFormat(format)
        if av.scaler == nil || av.scaler!.source != source {
            av.scaler = FrameScaler(width: width, height: height, from: source, to: target, fullRange: fullRange)
            av_frame_free(&av.converted)
            av.converted = AVFramePlanes.allocate(width: width, height: height, format: target)
        }
        guard let s = av.scaler, let out = av.converted else {
            throw MediaError.unsupported(path: path, reason: "cannot convert pixel format \(LibAV.name(of: source)) to \(format.rawValue)")
        }
        guard s.convert(raw, into: out) else {
            throw MediaError.decodeFailed(path: path, frame: index, reason: "pixel format conversion failed")
        }
        return AVFramePlanes.copyOut(out, width: width, height: height, format: format)
    }

    private static func checkReadable(_ path: String) throws {
        var st = stat()
        guard stat(path, &st) == 0 else {
            if errno == ENOENT { throw MediaError.fileNotFound(path: path) }
            throw MediaError.unreadable(path: path, reason: String(cString: strerror(errno)))
        }
        if (st.st_mode & S_IFMT) == S_IFDIR { throw MediaError.unreadable(path: path, reason: "is a directory") }
        guard access(path, R_OK) == 0 else {
            throw MediaError.unreadable(path: path, reason: String(cString: strerror(errno)))
        }
        if (st.st_mode & S_IFMT) == S_IFREG { try checkY4MHeader(path) }
    }

    /// A Y4M file's header line is checked by our own parser first, so a bad W, H or F tag is
    /// reported by name rather than as libavformat's error code (W0 gives "Device or resource busy").
    private static func checkY4MHeader(_ path: String) throws {
        guard let f = fopen(path, "rb") else { return }
        defer { fclose(f) }
        var line = [UInt8](repeating: 0, count: 512)
        let got = fread(&line, 1, line.count, f)
        let magic = Array("YUV4MPEG2".utf8)
        guard got >= magic.count, Array(line[0..<magic.count]) == magic,
              let end = line[0..<got].firstIndex(of: 0x0A) else { return }
        do {
            _ = try Y4MHeader.parse(String(decoding: line[0..<end], as: UTF8.self), path: path)
        } catch let e as MediaError {
            // Only the size and rate tags: libav reads colourspaces and tags our parser does not.
            switch e {
            case .badDimensions: throw e
            case .badY4MHeader(_, let reason) where ["W ", "H ", "frame rate", "missing"].contains(where: reason.hasPrefix): throw e
            default: return
            }
        }
    }

    private static func firstVideoStream(_ fmt: UnsafeMutablePointer<AVFormatContext>) -> Int? {
        (0..<Int(fmt.pointee.nb_streams)).first {
            fmt.pointee.streams[$0]!.pointee.codecpar.pointee.codec_type == AVMEDIA_TYPE_VIDEO
        }
    }

    /// The stream's frame rate; libav's guess or 25/1 (flagged) when the container has none.
    private static func frameRate(_ fmt: UnsafeMutablePointer<AVFormatContext>,
                                  _ stream: UnsafeMutablePointer<AVStream>) -> (FrameRate, Bool) {
        let avg = stream.pointee.avg_frame_rate
        if avg.num > 0 && avg.den > 0 { return (FrameRate(Int(avg.num), Int(avg.den)), false) }
        let guess = av_guess_frame_rate(fmt, stream, nil)
        if guess.num > 0 && guess.den > 0 { return (FrameRate(Int(guess.num), Int(guess.den)), true) }
        return (FrameRate(25), true)
    }

    /// nb_frames when the container has it, else duration x rate, else nil.
    private static func frameCount(_ fmt: UnsafeMutablePointer<AVFormatContext>,
                                   _ stream: UnsafeMutablePointer<AVStream>, _ rate: FrameRate) -> Int? {
        let s = stream.pointee
        if s.nb_frames > 0 { return Int(s.nb_frames) }
        let fps = rate.framesPerSecond
        if s.duration != dcvc_nopts_value() && s.duration > 0 {
            let seconds = Double(s.duration) * Double(s.time_base.num) / Double(s.time_base.den)
            return Int((seconds * fps).rounded())
        }
        if fmt.pointee.duration != dcvc_nopts_value() && fmt.pointee.duration > 0 {
            return Int((Double(fmt.pointee.duration) / Double(AV_TIME_BASE) * fps).rounded())
        }
        return nil
    }
}
