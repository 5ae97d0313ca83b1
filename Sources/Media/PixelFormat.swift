// The planar 8-bit layouts frames are handed out in.

/// The pixel layout of a `VideoFrame`. Readers convert every other source format
/// (4:2:2, 4:1:1, RGB, grey, 10-bit, ...) to one of these two, keeping colour metadata.
public enum PixelFormat: String, Equatable, Hashable, Sendable {
    /// 8-bit Y, U, V planes; U and V have half the width and height, rounded up.
    case yuv420p
    /// 8-bit Y, U, V planes, all full size.
    case yuv444p

    /// Width of the U and V planes for a luma width (rounds up for odd widths).
    public func chromaWidth(forLumaWidth width: Int) -> Int {
        self == .yuv420p ? (width + 1) / 2 : width
    }

    /// Height of the U and V planes for a luma height (rounds up for odd heights).
    public func chromaHeight(forLumaHeight height: Int) -> Int {
        self == .yuv420p ? (height + 1) / 2 : height
    }

    /// Bytes of one frame: the Y plane plus two chroma planes.
    public func frameBytes(width: Int, height: Int) -> Int {
        width * height + 2 * chromaWidth(forLumaWidth: width) * chromaHeight(forLumaHeight: height)
    }
}
