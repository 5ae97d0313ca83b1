// What every reader hands out: frames one at a time, plus stream properties.

/// A stream of decoded frames, read one at a time (memory does not grow with length).
public protocol FrameSource: AnyObject {
    /// The file it reads (`-` for stdin).
    var path: String { get }
    var width: Int { get }
    var height: Int { get }
    /// The format of every frame `nextFrame()` returns.
    var pixelFormat: PixelFormat { get }
    var frameRate: FrameRate { get }
    /// Colour metadata as the stream states it (possibly `.unspecified` parts).
    var color: ColorInfo { get }
    /// The number of frames, when the container states it (or it can be computed); nil otherwise.
    var frameCountEstimate: Int? { get }
    /// The next frame in presentation order, or nil at the end of the stream.
    func nextFrame() throws -> VideoFrame?
}

/// Opens a video: paths ending in `.y4m` go to the `Y4MReader`, everything else (and `-`,
/// stdin, whatever it holds) to the libavformat-based `VideoReader`.
public func openVideo(path: String, maxFrames: Int? = nil) throws -> FrameSource {
    if path.lowercased().hasSuffix(".y4m") { return try Y4MReader(path: path, maxFrames: maxFrames) }
    return try VideoReader(path: path, maxFrames: maxFrames)
}
