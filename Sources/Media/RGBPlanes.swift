// RGB float planes in CHW order, the layout a [1, 3, H, W] tensor uses.

/// An RGB picture as Float samples in [0, 1], stored channel-major: all of R (row-major),
/// then all of G, then all of B. `data.count == 3 * width * height`, so `data` maps
/// directly onto a tensor of shape [1, 3, height, width].
public struct RGBPlanes: Equatable, Sendable {
    public var width: Int
    public var height: Int
    public var data: [Float]

    /// Planes from existing CHW data of `3 * width * height` samples.
    public init(width: Int, height: Int, data: [Float]) {
        precondition(width > 0 && height > 0 && data.count == 3 * width * height,
                     "RGB data must hold 3 x \(width) x \(height) samples")
        self.width = width
        self.height = height
        self.data = data
    }

    /// Planes filled with one colour.
    public init(width: Int, height: Int, fill: (r: Float, g: Float, b: Float)) {
        let n = width * height
        self.init(width: width, height: height,
                  data: [Float](repeating: fill.r, count: n) + [Float](repeating: fill.g, count: n)
                      + [Float](repeating: fill.b, count: n))
    }

    /// Samples per plane.
    public var planeCount: Int { width * height }

    /// The (r, g, b) sample at column `x`, row `y`.
    public func pixel(x: Int, y: Int) -> (r: Float, g: Float, b: Float) {
        let i = y * width + x, n = planeCount
        return (data[i], data[n + i], data[2 * n + i])
    }
}
