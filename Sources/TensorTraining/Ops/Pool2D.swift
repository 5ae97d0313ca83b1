import Tensor

/// Padded max and average pooling with PyTorch's semantics (floor rounding, square windows),
/// forward only: what inference-only networks (the FID Inception) need beyond `avgPool2d`.
extension TrainingKernels {
    /// `max_pool2d(x, kernel, stride, padding)` over [N, C, H, W]: padding never wins (it acts as
    /// -infinity), so the maximum is over the window's samples inside the image.
    public static func maxPool2d(_ x: Tensor, kernel k: Int, stride s: Int, padding p: Int) -> Tensor {
        pool2d(x, kernel: k, stride: s, padding: p) { src, w, y0, y1, x0, x1 in
            var m = -Float.infinity
            for y in y0..<y1 { let row = src + y * w; for xx in x0..<x1 { m = max(m, row[xx]) } }
            return m
        }
    }

    /// `avg_pool2d(x, kernel, stride, padding, count_include_pad:)` over [N, C, H, W]. With
    /// `countIncludePad` false the sum is divided by the number of samples inside the image
    /// (the FID Inception's Mixed blocks); with true, by k².
    public static func avgPool2d(_ x: Tensor, kernel k: Int, stride s: Int, padding p: Int,
                                 countIncludePad: Bool) -> Tensor {
        let full = Float(k * k)
        return pool2d(x, kernel: k, stride: s, padding: p) { src, w, y0, y1, x0, x1 in
            var sum: Float = 0
            for y in y0..<y1 { let row = src + y * w; for xx in x0..<x1 { sum += row[xx] } }
            return sum / (countIncludePad ? full : Float((y1 - y0) * (x1 - x0)))
        }
    }

    /// Shared window walk: `reduce(plane, width, y0, y1, x0, x1)` gets the window clipped to the image.
    private static func pool2d(_ x: Tensor, kernel k: Int, stride s: Int, padding p: Int,
                               _ reduce: (UnsafePointer<Float>, Int, Int, Int, Int, Int) -> Float) -> Tensor {
        precondition(x.shape.count == 4 && k >= 1 && s >= 1 && p >= 0 && 2 * p <= k,
                     "pool2d kernel \(k) stride \(s) padding \(p) of \(x.shape)")
        let n = x.shape[0], c = x.shape[1], h = x.shape[2], w = x.shape[3]
        let oh = (h + 2 * p - k) / s + 1, ow = (w + 2 * p - k) / s + 1
        precondition(oh >= 1 && ow >= 1, "pool2d \(k)x\(k) of a \(h)x\(w) map")
        return x.withPointer { xp in
            Tensor.make(shape: [n, c, oh, ow]) { out in
                let o = out.baseAddress!
                TrainingKernels.parallelFor(n * c, grain: max(1, 4096 / (oh * ow))) { planes in
                    for pl in planes {
                        let src = xp + pl * h * w, dst = o + pl * oh * ow
                        for oy in 0..<oh {
                            let y0 = max(oy * s - p, 0), y1 = min(oy * s - p + k, h)
                            for ox in 0..<ow {
                                let x0 = max(ox * s - p, 0), x1 = min(ox * s - p + k, w)
                                dst[oy * ow + ox] = reduce(src, w, y0, y1, x0, x1)
                            }
                        }
                    }
                }
            }
        }
    }
}
