import Media

/// One image channel in Double precision, row-major, as the SSIM family measures it.
struct MetricPlane {
    var width: Int
    var height: Int
    var values: [Double]

    /// Channel `c` (0 R, 1 G, 2 B) of `rgb`, scaled from [0,1] to [0,255] (data range 255).
    init(_ rgb: RGBPlanes, channel c: Int) {
        let n = rgb.planeCount
        width = rgb.width
        height = rgb.height
        values = rgb.data.withUnsafeBufferPointer { p in
            (0..<n).map { Double(p[c * n + $0]) * 255 }
        }
    }

    init(width: Int, height: Int, values: [Double]) {
        self.width = width
        self.height = height
        self.values = values
    }
}
