import Media
import Tensor

/// Replicate padding to the model's multiple and cropping back, between Media's RGB planes and
/// the `[1, 3, H, W]` tensors the models take.
public enum FramePadding {
    /// The smallest multiple of `m` that is at least `n`.
    public static func roundUp(_ n: Int, to m: Int) -> Int { (n + m - 1) / m * m }

    /// `rgb` as a `[1, 3, H', W']` tensor, H' and W' rounded up to `multiple`, the new rows and
    /// columns repeating the last ones.
    public static func padded(_ rgb: RGBPlanes, multiple: Int) -> Tensor {
        let w = rgb.width, h = rgb.height
        let pw = roundUp(w, to: multiple), ph = roundUp(h, to: multiple)
        if pw == w && ph == h { return Tensor(shape: [1, 3, h, w], storage: rgb.data) }
        var out = [Float](repeating: 0, count: 3 * pw * ph)
        rgb.data.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for c in 0..<3 {
                    for y in 0..<ph {
                        let srow = c * w * h + min(y, h - 1) * w
                        let drow = c * pw * ph + y * pw
                        for x in 0..<w { dst[drow + x] = src[srow + x] }
                        let edge = src[srow + w - 1]
                        for x in w..<pw { dst[drow + x] = edge }
                    }
                }
            }
        }
        return Tensor(shape: [1, 3, ph, pw], storage: out)
    }

    /// The top-left `width x height` of a `[1, 3, H, W]` tensor as RGB planes.
    public static func cropped(_ image: Tensor, width: Int, height: Int) -> RGBPlanes {
        precondition(image.rank == 4 && image.shape[0] == 1 && image.shape[1] == 3)
        let ph = image.shape[2], pw = image.shape[3]
        precondition(width <= pw && height <= ph, "crop \(width)x\(height) of \(pw)x\(ph)")
        if pw == width && ph == height { return RGBPlanes(width: width, height: height, data: image.storage) }
        var out = [Float](repeating: 0, count: 3 * width * height)
        for c in 0..<3 {
            for y in 0..<height {
                let s = c * pw * ph + y * pw, d = c * width * height + y * width
                for x in 0..<width { out[d + x] = image.storage[s + x] }
            }
        }
        return RGBPlanes(width: width, height: height, data: out)
    }
}
