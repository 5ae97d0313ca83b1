// Streaming writer of 8-bit YUV4MPEG2 files (4:2:0 and 4:4:4).

/// Writes a Y4M file (or stdout with `-`) one frame at a time.
///
/// The header is written when the writer is created; call `close()` to flush and learn of
/// write errors (deinit closes too, but cannot report them).
public final class Y4MWriter {
    public let path: String
    public let header: Y4MHeader
    private let file: CFile
    private let observe: (([UInt8]) -> Void)?
    /// Frames written so far.
    public private(set) var framesWritten = 0

    /// Creates (truncates) `path` (`-`: stdout) and writes the header line. `observe` sees
    /// every byte written, in order (e.g. to checksum the file as `md5sum` would).
    public init(path: String, header: Y4MHeader, observe: (([UInt8]) -> Void)? = nil) throws {
        guard (1...maxFrameDimension).contains(header.width), (1...maxFrameDimension).contains(header.height) else {
            throw MediaError.badDimensions(path: path, width: header.width, height: header.height)
        }
        self.path = path
        self.header = header
        self.observe = observe
        file = try CFile(writingTo: path)
        let line = Array(header.line.utf8)
        try file.write(line)
        observe?(line)
    }

    /// Appends one frame. Its size and pixel format must match the header.
    public func write(_ frame: VideoFrame) throws {
        guard frame.width == header.width, frame.height == header.height else {
            throw MediaError.frameMismatch(path: path, frame: framesWritten,
                reason: "size \(frame.width)x\(frame.height), stream is \(header.width)x\(header.height)")
        }
        guard frame.format == header.pixelFormat else {
            throw MediaError.frameMismatch(path: path, frame: framesWritten,
                reason: "format \(frame.format.rawValue), stream is \(header.pixelFormat.rawValue)")
        }
        var bytes = Array("FRAME\n".utf8)
        bytes.reserveCapacity(6 + header.frameBytes)
        bytes += frame.y
        bytes += frame.u
        bytes += frame.v
        try file.write(bytes)
        observe?(bytes)
        framesWritten += 1
    }

    /// Flushes and closes the file; throws `writeFailed` if buffered data could not be written.
    public func close() throws { try file.close() }
}
