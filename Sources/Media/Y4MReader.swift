// Streaming reader of 8-bit YUV4MPEG2 files (4:2:0 and 4:4:4).

/// Reads a Y4M file (or stdin with `-`) one frame at a time.
public final class Y4MReader: FrameSource {
    public let path: String
    public let header: Y4MHeader
    /// Stop after this many frames (nil: read to the end).
    public let maxFrames: Int?
    private let file: CFile
    private var framesRead = 0
    private var pending: VideoFrame?
    /// The longest header or FRAME line accepted; a longer one is an error, not an allocation.
    static let maxLineBytes = 4096

    /// Opens `path`, parses its header and reads the first frame. Throws `fileNotFound`,
    /// `unreadable`, `badY4MHeader`, `badDimensions`, `unsupported` (colourspaces other than
    /// 8-bit 4:2:0 / 4:4:4), `noFrames`, or the errors of `nextFrame()` for the first frame.
    public init(path: String, maxFrames: Int? = nil) throws {
        self.path = path
        self.maxFrames = maxFrames
        file = try CFile(readingFrom: path)
        guard let line = try Y4MReader.readLine(file, maxBytes: Y4MReader.maxLineBytes) else {
            throw MediaError.badY4MHeader(path: path, reason: "empty file")
        }
        guard line.terminated else {
            throw MediaError.badY4MHeader(path: path, reason: line.bytes.count >= Y4MReader.maxLineBytes
                ? "header line longer than \(Y4MReader.maxLineBytes) bytes" : "header line has no newline")
        }
        guard let text = String(validating: line.bytes, as: UTF8.self) else {
            throw MediaError.badY4MHeader(path: path, reason: "header is not text")
        }
        header = try Y4MHeader.parse(text, path: path)
        // Read the first frame now, so a stream without frames fails here like VideoReader does.
        guard maxFrames.map({ $0 > 0 }) ?? true, let first = try readFrame() else {
            throw MediaError.noFrames(path: path)
        }
        pending = first
    }

    public var width: Int { header.width }
    public var height: Int { header.height }
    public var pixelFormat: PixelFormat { header.pixelFormat }
    public var frameRate: FrameRate { header.frameRate }
    /// Y4M carries no matrix; the range comes from `XCOLORRANGE` when present.
    public var color: ColorInfo { ColorInfo(matrix: .unspecified, range: header.colorRange) }
    /// Unknown without reading the whole stream (stdin may not be seekable).
    public var frameCountEstimate: Int? { nil }

    /// The next frame, or nil at a clean end of file. Throws `badY4MFrame` for a malformed
    /// `FRAME` line and `truncatedFrame` when the file ends inside a frame.
    public func nextFrame() throws -> VideoFrame? {
        if let p = pending {
            pending = nil
            return p
        }
        if let m = maxFrames, framesRead >= m { return nil }
        return try readFrame()
    }

    private func readFrame() throws -> VideoFrame? {
        guard let line = try Y4MReader.readLine(file, maxBytes: Y4MReader.maxLineBytes) else { return nil }
        guard line.terminated else {
            throw MediaError.badY4MFrame(path: path, frame: framesRead, reason: line.bytes.count >= Y4MReader.maxLineBytes
                ? "FRAME line longer than \(Y4MReader.maxLineBytes) bytes" : "file ends inside the FRAME line")
        }
        let magic: [UInt8] = Array("FRAME".utf8)
        guard line.bytes.count >= 5, Array(line.bytes[0..<5]) == magic,
              line.bytes.count == 5 || line.bytes[5] == UInt8(ascii: " ") else {
            throw MediaError.badY4MFrame(path: path, frame: framesRead, reason: "expected 'FRAME'")
        }
        let format = header.pixelFormat
        let n = width * height
        let c = format.chromaWidth(forLumaWidth: width) * format.chromaHeight(forLumaHeight: height)
        var buf = [UInt8](repeating: 0, count: n + 2 * c)
        let got = try file.read(into: &buf, count: buf.count)
        guard got == buf.count else {
            throw MediaError.truncatedFrame(path: path, frame: framesRead, expectedBytes: buf.count, gotBytes: got)
        }
        let frame = VideoFrame(width: width, height: height, format: format,
                               y: Array(buf[0..<n]), u: Array(buf[n..<(n + c)]), v: Array(buf[(n + c)...]),
                               frameRate: frameRate, color: color, index: framesRead)
        framesRead += 1
        return frame
    }

    /// Bytes up to a newline (not included). nil at end of file before any byte;
    /// `terminated` is false when the file ended or `maxBytes` was reached first.
    static func readLine(_ file: CFile, maxBytes: Int) throws -> (bytes: [UInt8], terminated: Bool)? {
        var bytes: [UInt8] = []
        while bytes.count < maxBytes {
            guard let b = try file.readByte() else { return bytes.isEmpty ? nil : (bytes, false) }
            if b == UInt8(ascii: "\n") { return (bytes, true) }
            bytes.append(b)
        }
        return (bytes, false)
    }
}
