import Media

/// A decoded RGB frame kept compactly: 8-bit planar R, G, B.
public struct FrameImage: Equatable, Sendable {
    public var width: Int, height: Int
    /// 3 planes of width·height bytes.
    public var rgb: [UInt8]

    public init(width: Int, height: Int, rgb: [UInt8]) {
        precondition(rgb.count == 3 * width * height)
        self.width = width; self.height = height; self.rgb = rgb
    }

    /// From float planes in [0, 1] (rounded, clamped).
    public init(_ planes: RGBPlanes) {
        let n = planes.data.count
        var b = [UInt8](repeating: 0, count: n)
        for i in 0..<n { b[i] = UInt8(max(0, min(255, (planes.data[i] * 255).rounded()))) }
        self.init(width: planes.width, height: planes.height, rgb: b)
    }

    /// 2x2 box-filtered half-size image (odd last row/column dropped).
    public func halved() -> FrameImage {
        let w = width / 2, h = height / 2
        var out = [UInt8](repeating: 0, count: 3 * w * h)
        for c in 0..<3 {
            let src = c * width * height, dst = c * w * h
            for y in 0..<h {
                for x in 0..<w {
                    let a = Int(rgb[src + 2 * y * width + 2 * x]) + Int(rgb[src + 2 * y * width + 2 * x + 1])
                    let b = Int(rgb[src + (2 * y + 1) * width + 2 * x]) + Int(rgb[src + (2 * y + 1) * width + 2 * x + 1])
                    out[dst + y * w + x] = UInt8((a + b + 2) / 4)
                }
            }
        }
        return FrameImage(width: w, height: h, rgb: out)
    }

    /// Halves while the short side exceeds `targetShortSide` and the result still holds `crop`.
    /// Returns the image and the number of halvings.
    public func downscaled(targetShortSide: Int, crop: Int) -> (FrameImage, Int) {
        var img = self, n = 0
        while min(img.width, img.height) > targetShortSide && min(img.width, img.height) / 2 >= crop {
            img = img.halved(); n += 1
        }
        return (img, n)
    }
}
