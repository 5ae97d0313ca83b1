// Encode frames with any libavcodec encoder and mux them with libavformat (MP4, MKV, AVI, ...).

import CFFmpeg
#if canImport(Glibc)
import Glibc
#endif

/// What a finished `VideoWriter` produced.
public struct EncodeStats: Equatable, Sendable {
    /// Frames handed to the encoder.
    public let frames: Int
    /// Sum of the encoded packet sizes (the codec's bits, no container overhead).
    public let packetBytes: Int
    /// Size of each packet in output order.
    public let packetSizes: [Int]
    /// Size of the written file, container included (0 for non-file outputs).
    public let fileBytes: Int
}

/// Encodes `VideoFrame`s with a named libavcodec encoder (`mpeg4`, `ffv1`, `libx264`,
/// `libx265`, ...) into a container chosen from the file extension.
///
/// Used by tests to make clips and by the evaluation tool for the x264/x265 anchors.
/// Encoder options go to `avcodec_open2` as a dictionary (e.g. `["preset": "medium",
/// "tune": "zerolatency", "crf": "27", "g": "32"]`, or `x265-params`); an option the encoder
/// does not know is an error, not silently ignored.
public final class VideoWriter {
    public let path: String
    public let codecName: String
    public let width: Int
    public let height: Int
    public let pixelFormat: PixelFormat
    /// libav's name of the pixel format the encoder is fed (frames are converted when it differs).
    public let encoderPixelFormat: String
    private let av: EncoderHandles
    private let stream: UnsafeMutablePointer<AVStream>
    private var framesIn = 0
    private var packetSizes: [Int] = []
    private var finished = false

    /// True when this FFmpeg build has an encoder called `name`.
    public static func isEncoderAvailable(_ name: String) -> Bool {
        avcodec_find_encoder_by_name(name) != nil
    }

    /// Opens the encoder and the output file and writes the container header.
    ///
    /// - Parameters:
    ///   - pixelFormat: the layout of the frames you will pass to `write(_:)`.
    ///   - encoderPixelFormat: libav's name of the format to encode in (e.g. `yuv422p10le`);
    ///     nil: the frames' own layout. Frames are converted with swscale when they differ.
    ///   - color: written into the stream's metadata (range, matrix, primaries, transfer).
    ///   - options: encoder options, see the type's documentation.
    public init(path: String, codec codecName: String, width: Int, height: Int, frameRate: FrameRate,
                pixelFormat: PixelFormat = .yuv420p, encoderPixelFormat: String? = nil,
                color: ColorInfo = .unspecified, options: [String: String] = [:]) throws {
        _ = LibAV.quietLogging
        self.path = path
        self.codecName = codecName
        self.width = width
        self.height = height
        self.pixelFormat = pixelFormat
        let av = EncoderHandles()
        self.av = av
        guard (1...maxFrameDimension).contains(width), (1...maxFrameDimension).contains(height) else {
            throw MediaError.badDimensions(path: path, width: width, height: height)
        }
        guard frameRate.isValid else { throw MediaError.encodeFailed(path: path, reason: "frame rate \(frameRate) is not positive") }
        guard let codec = avcodec_find_encoder_by_name(codecName), codec.pointee.type == AVMEDIA_TYPE_VIDEO else {
            throw MediaError.encoderNotFound(name: codecName)
        }
        let target: AVPixelFormat
        if let name = encoderPixelFormat {
            guard let f = LibAV.pixelFormat(named: name) else {
                throw MediaError.encodeFailed(path: path, reason: "unknown pixel format '\(name)'")
            }
            target = f
        } else {
            target = LibAV.avFormat(pixelFormat)
        }
        self.encoderPixelFormat = LibAV.name(of: target)
        if let supported = VideoWriter.supportedFormats(codec), !supported.contains(target) {
            throw MediaError.encodeFailed(path: path, reason: "\(codecName) cannot encode \(LibAV.name(of: target)); it takes \(supported.map(LibAV.name(of:)).joined(separator: ", "))")
        }

        var oc: UnsafeMutablePointer<AVFormatContext>? = nil
        var rc = avformat_alloc_output_context2(&oc, nil, nil, path)
        guard rc >= 0, let fmt = oc else {
            throw MediaError.encodeFailed(path: path, reason: "no container for this file name (\(LibAV.errorString(rc)))")
        }
        av.format = fmt
        guard let st = avformat_new_stream(fmt, nil), let cc = avcodec_alloc_context3(codec) else {
            throw MediaError.encodeFailed(path: path, reason: "out of memory")
        }
        stream = st
        av.codec = cc
        cc.pointee.width = Int32(width)
        cc.pointee.height = Int32(height)
        cc.pointee.time_base = AVRational(num: Int32(frameRate.denominator), den: Int32(frameRate.numerator))
        cc.pointee.framerate = AVRational(num: Int32(frameRate.numerator), den: Int32(frameRate.denominator))
        cc.pointee.pix_fmt = target
        VideoWriter.apply(color, to: cc)
        if fmt.pointee.oformat.pointee.flags & AVFMT_GLOBALHEADER != 0 {
            cc.pointee.flags |= Int32(AV_CODEC_FLAG_GLOBAL_HEADER)
        }

        var dict: OpaquePointer? = nil
        defer { av_dict_free(&dict) }
        for (k, v) in options.sorted(by: { $0.key < $1.key }) { av_dict_set(&dict, k, v, 0) }
        rc = avcodec_open2(cc, codec, &dict)
        guard rc >= 0 else {
            throw MediaError.encodeFailed(path: path, reason: "cannot open encoder \(codecName): \(LibAV.errorString(rc))")
        }
        let unused = VideoWriter.keys(of: dict)
        guard unused.isEmpty else {
            throw MediaError.encodeFailed(path: path, reason: "\(codecName) does not know option(s) \(unused.joined(separator: ", "))")
        }
        rc = avcodec_parameters_from_context(st.pointee.codecpar, cc)
        guard rc >= 0 else { throw MediaError.encodeFailed(path: path, reason: LibAV.errorString(rc)) }
        st.pointee.time_base = cc.pointee.time_base
        st.pointee.avg_frame_rate = cc.pointee.framerate

        if fmt.pointee.oformat.pointee.flags & AVFMT_NOFILE == 0 {
            rc = avio_open(&fmt.pointee.pb, path, AVIO_FLAG_WRITE)
            guard rc >= 0 else { throw MediaError.writeFailed(path: path, reason: LibAV.errorString(rc)) }
            av.fileOpen = true
        }
        rc = avformat_write_header(fmt, nil)
        guard rc >= 0 else { throw MediaError.encodeFailed(path: path, reason: "cannot write header: \(LibAV.errorString(rc))") }

        av.frame = AVFramePlanes.allocate(width: width, height: height, format: target)
        av.packet = av_packet_alloc()
        if target != LibAV.avFormat(pixelFormat) {
            av.staging = AVFramePlanes.allocate(width: width, height: height, format: LibAV.avFormat(pixelFormat))
            av.scaler = FrameScaler(width: width, height: height, from: LibAV.avFormat(pixelFormat), to: target,
                                    fullRange: color.range == .full)
            guard av.scaler != nil else {
                throw MediaError.encodeFailed(path: path, reason: "cannot convert \(pixelFormat.rawValue) to \(encoderPixelFormat!)")
            }
        }
        guard av.frame != nil, av.packet != nil, av.scaler == nil || av.staging != nil else {
            throw MediaError.encodeFailed(path: path, reason: "out of memory")
        }
    }

    /// Encodes one frame (its size and layout must match the writer's).
    public func write(_ frame: VideoFrame) throws {
        guard !finished else { throw MediaError.encodeFailed(path: path, reason: "write after finish") }
        guard frame.width == width, frame.height == height, frame.format == pixelFormat else {
            throw MediaError.frameMismatch(path: path, frame: framesIn,
                reason: "\(frame.width)x\(frame.height) \(frame.format.rawValue), writer is \(width)x\(height) \(pixelFormat.rawValue)")
        }
        let out = av.frame!
        guard av_frame_make_writable(out) >= 0 else { throw MediaError.encodeFailed(path: path, reason: "out of memory") }
        if let scaler = av.scaler, let staging = av.staging {
            guard av_frame_make_writable(staging) >= 0 else { throw MediaError.encodeFailed(path: path, reason: "out of memory") }
            AVFramePlanes.copyIn(frame, to: staging)
            guard scaler.convert(staging, into: out) else {
                throw MediaError.encodeFailed(path: path, reason: "pixel format conversion failed at frame \(framesIn)")
            }
        } else {
            AVFramePlanes.copyIn(frame, to: out)
        }
        out.pointee.pts = Int64(framesIn)
        try send(out)
        framesIn += 1
    }

    /// Flushes the encoder, writes the trailer and closes the file. Call exactly once.
    @discardableResult
    public func finish() throws -> EncodeStats {
        guard !finished else { throw MediaError.encodeFailed(path: path, reason: "finish called twice") }
        finished = true
        try send(nil)
        let fmt = av.format!
        let rc = av_write_trailer(fmt)
        guard rc >= 0 else { throw MediaError.encodeFailed(path: path, reason: "cannot write trailer: \(LibAV.errorString(rc))") }
        if av.fileOpen {
            av.fileOpen = false
            let c = avio_closep(&fmt.pointee.pb)
            guard c >= 0 else { throw MediaError.writeFailed(path: path, reason: LibAV.errorString(c)) }
        }
        var st = stat()
        let fileBytes = stat(path, &st) == 0 ? Int(st.st_size) : 0
        return EncodeStats(frames: framesIn, packetBytes: packetSizes.reduce(0, +), packetSizes: packetSizes,
                           fileBytes: fileBytes)
    }

    /// Sends a frame (nil: flush) and writes every packet that comes out.
    private func send(_ frame: UnsafeMutablePointer<AVFrame>?) throws {
        let cc = av.codec!, pkt = av.packet!, fmt = av.format!
        var rc = avcodec_send_frame(cc, frame)
        guard rc >= 0 else { throw MediaError.encodeFailed(path: path, reason: "frame \(framesIn): \(LibAV.errorString(rc))") }
        while true {
            rc = avcodec_receive_packet(cc, pkt)
            if rc == LibAV.eagain || rc == LibAV.eof { return }
            guard rc >= 0 else { throw MediaError.encodeFailed(path: path, reason: "frame \(framesIn): \(LibAV.errorString(rc))") }
            packetSizes.append(Int(pkt.pointee.size))
            av_packet_rescale_ts(pkt, cc.pointee.time_base, stream.pointee.time_base)
            pkt.pointee.stream_index = stream.pointee.index
            rc = av_interleaved_write_frame(fmt, pkt)  // takes ownership of the packet's data
            guard rc >= 0 else { throw MediaError.writeFailed(path: path, reason: LibAV.errorString(rc)) }
        }
    }

    private static func apply(_ color: ColorInfo, to cc: UnsafeMutablePointer<AVCodecContext>) {
        switch color.range {
        case .limited: cc.pointee.color_range = AVCOL_RANGE_MPEG
        case .full: cc.pointee.color_range = AVCOL_RANGE_JPEG
        case .unspecified: cc.pointee.color_range = AVCOL_RANGE_UNSPECIFIED
        }
        cc.pointee.colorspace = AVColorSpace(rawValue: UInt32(color.matrix.h273Code))
        cc.pointee.color_primaries = AVColorPrimaries(rawValue: UInt32(color.primaries))
        cc.pointee.color_trc = AVColorTransferCharacteristic(rawValue: UInt32(color.transfer))
    }

    private static func supportedFormats(_ codec: UnsafePointer<AVCodec>) -> [AVPixelFormat]? {
        guard var p = codec.pointee.pix_fmts else { return nil }
        var out: [AVPixelFormat] = []
        while p.pointee != AV_PIX_FMT_NONE {
            out.append(p.pointee)
            p += 1
        }
        return out
    }

    private static func keys(of dict: OpaquePointer?) -> [String] {
        var out: [String] = []
        var entry: UnsafeMutablePointer<AVDictionaryEntry>? = nil
        while let e = av_dict_get(dict, "", entry, AV_DICT_IGNORE_SUFFIX) {
            out.append(String(cString: e.pointee.key))
            entry = e
        }
        return out
    }
}
