// Typed errors for everything the Media module reads or writes.

/// An error from opening, decoding, parsing or writing media.
///
/// Every case names the file (or `-` for stdin/stdout) and, where it applies, the frame index,
/// so that a command-line tool can print `description` as its one line on stderr.
public enum MediaError: Error, Equatable, CustomStringConvertible {
    /// The path does not exist.
    case fileNotFound(path: String)
    /// The file exists but cannot be read (permissions, a directory, an I/O error).
    case unreadable(path: String, reason: String)
    /// libavformat could not recognise the file as a media container.
    case notMedia(path: String, reason: String)
    /// The container has no video stream (for example an audio-only file).
    case noVideoStream(path: String)
    /// The video stream uses a codec this FFmpeg build cannot decode.
    case decoderNotFound(path: String, codec: String)
    /// The stream ended before a single frame was decoded.
    case noFrames(path: String)
    /// Width or height is zero, negative or above `maxFrameDimension`.
    case badDimensions(path: String, width: Int, height: Int)
    /// A frame's size differs from the first frame's.
    case sizeChanged(path: String, frame: Int, width: Int, height: Int)
    /// The decoder or demuxer failed while producing frame `frame` (0-based).
    case decodeFailed(path: String, frame: Int, reason: String)
    /// A stream property this module does not handle (colour matrix, pixel format, Y4M colourspace...).
    case unsupported(path: String, reason: String)
    /// The Y4M stream header is malformed.
    case badY4MHeader(path: String, reason: String)
    /// A Y4M frame header is malformed.
    case badY4MFrame(path: String, frame: Int, reason: String)
    /// The file ends in the middle of frame `frame` (0-based).
    case truncatedFrame(path: String, frame: Int, expectedBytes: Int, gotBytes: Int)
    /// A frame handed to a writer does not match the stream (size or pixel format).
    case frameMismatch(path: String, frame: Int, reason: String)
    /// Writing the output failed.
    case writeFailed(path: String, reason: String)
    /// The named encoder does not exist in this FFmpeg build.
    case encoderNotFound(name: String)
    /// The encoder or muxer rejected its settings or failed while encoding.
    case encodeFailed(path: String, reason: String)

    public var description: String {
        switch self {
        case let .fileNotFound(path):
            return "\(path): no such file"
        case let .unreadable(path, reason):
            return "\(path): cannot read: \(reason)"
        case let .notMedia(path, reason):
            return "\(path): not a media file libavformat can open (\(reason))"
        case let .noVideoStream(path):
            return "\(path): no video stream (audio-only or data-only file)"
        case let .decoderNotFound(path, codec):
            return "\(path): no decoder for video codec '\(codec)' in this FFmpeg build"
        case let .noFrames(path):
            return "\(path): the video stream has zero decodable frames"
        case let .badDimensions(path, width, height):
            return "\(path): frame size \(width)x\(height) (width \(width), height \(height)) is outside 1...\(maxFrameDimension) per side"
        case let .sizeChanged(path, frame, width, height):
            return "\(path): frame \(frame) changes size to \(width)x\(height); mid-stream size changes are not supported"
        case let .decodeFailed(path, frame, reason):
            return "\(path): decode error at frame \(frame): \(reason)"
        case let .unsupported(path, reason):
            return "\(path): unsupported: \(reason)"
        case let .badY4MHeader(path, reason):
            return "\(path): bad Y4M header: \(reason)"
        case let .badY4MFrame(path, frame, reason):
            return "\(path): bad Y4M frame header at frame \(frame): \(reason)"
        case let .truncatedFrame(path, frame, expected, got):
            return "\(path): truncated at frame \(frame) (expected \(expected) bytes, got \(got))"
        case let .frameMismatch(path, frame, reason):
            return "\(path): frame \(frame) does not match the stream: \(reason)"
        case let .writeFailed(path, reason):
            return "\(path): write failed: \(reason)"
        case let .encoderNotFound(name):
            return "encoder '\(name)' is not available in this FFmpeg build"
        case let .encodeFailed(path, reason):
            return "\(path): encoding failed: \(reason)"
        }
    }
}

/// The largest width or height (in pixels) any reader accepts. Larger headers are rejected
/// before a byte of frame memory is allocated, so a corrupt header cannot exhaust memory.
public let maxFrameDimension = 8192
