// One decoded picture: three tight 8-bit planes plus what is known about them.

/// A decoded 8-bit planar YUV picture.
///
/// Planes are tight (stride = plane width): `y` has `width * height` bytes, `u` and `v`
/// have `chromaWidth * chromaHeight` bytes each (half size, rounded up, for `.yuv420p`).
public struct VideoFrame: Equatable, Sendable {
    public var width: Int
    public var height: Int
    public var format: PixelFormat
    public var y: [UInt8]
    public var u: [UInt8]
    public var v: [UInt8]
    public var frameRate: FrameRate
    public var color: ColorInfo
    /// 0-based position of this frame in presentation order.
    public var index: Int

    /// A frame from existing planes; the plane sizes must match `width`, `height` and `format`.
    public init(width: Int, height: Int, format: PixelFormat, y: [UInt8], u: [UInt8], v: [UInt8],
                frameRate: FrameRate = FrameRate(25), color: ColorInfo = .unspecified, index: Int = 0) {
        precondition(width > 0 && height > 0, "frame size must be positive")
        let cw = format.chromaWidth(forLumaWidth: width), ch = format.chromaHeight(forLumaHeight: height)
        precondition(y.count == width * height && u.count == cw * ch && v.count == cw * ch,
                     "plane sizes do not match \(width)x\(height) \(format)")
        self.width = width
        self.height = height
        self.format = format
        self.y = y
        self.u = u
        self.v = v
        self.frameRate = frameRate
        self.color = color
        self.index = index
    }

    /// A frame filled with one colour (Y, U, V).
    public init(width: Int, height: Int, format: PixelFormat, fill: (y: UInt8, u: UInt8, v: UInt8),
                frameRate: FrameRate = FrameRate(25), color: ColorInfo = .unspecified, index: Int = 0) {
        let c = format.chromaWidth(forLumaWidth: width) * format.chromaHeight(forLumaHeight: height)
        self.init(width: width, height: height, format: format,
                  y: [UInt8](repeating: fill.y, count: width * height),
                  u: [UInt8](repeating: fill.u, count: c), v: [UInt8](repeating: fill.v, count: c),
                  frameRate: frameRate, color: color, index: index)
    }

    /// Width of the U and V planes.
    public var chromaWidth: Int { format.chromaWidth(forLumaWidth: width) }
    /// Height of the U and V planes.
    public var chromaHeight: Int { format.chromaHeight(forLumaHeight: height) }
}
