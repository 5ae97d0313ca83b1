import Tensor
/// im2col / col2im for a band of output rows of one sample and one channel group.
///
/// The column matrix has one row per (channel, ky, kx) — the weight's OIHW order — and one column
/// per output pixel of the band. Zero padding writes zeros; replicate padding clamps coordinates.
enum Im2Col {
    /// Output columns `lo..<hi` whose input column `ox * stride - pad + kx` lies inside `0..<w`.
    @inline(__always)
    static func validRange(outCount: Int, inCount: Int, stride: Int, pad: Int, k: Int) -> (Int, Int) {
        let a = pad - k
        let lo = a > 0 ? (a + stride - 1) / stride : 0
        let b = inCount - 1 + pad - k
        let hi = b < 0 ? 0 : b / stride + 1
        return (min(lo, outCount), max(min(hi, outCount), min(lo, outCount)))
    }

    /// Fills `col` ([channels*kh*kw, rows.count*ow]) from `x` (the group's first channel of a sample).
    static func im2col(_ x: UnsafePointer<Float>, channels: Int, g: Conv2DGeometry, rows: Range<Int>,
                       col: UnsafeMutablePointer<Float>) {
        let h = g.height, w = g.width, ow = g.outWidth, s = g.stride, p = g.padding
        let cols = rows.count * ow
        let replicate = g.paddingMode == .replicate
        for c in 0..<channels {
            let plane = x + c * h * w
            for ky in 0..<g.kernelH {
                for kx in 0..<g.kernelW {
                    let rowBase = col + ((c * g.kernelH + ky) * g.kernelW + kx) * cols
                    let (lo, hi) = validRange(outCount: ow, inCount: w, stride: s, pad: p, k: kx)
                    for oy in rows {
                        let dst = rowBase + (oy - rows.lowerBound) * ow
                        var iy = oy * s - p + ky
                        if iy < 0 || iy >= h {
                            if !replicate { dst.update(repeating: 0, count: ow); continue }
                            iy = min(max(iy, 0), h - 1)
                        }
                        let src = plane + iy * w
                        let left: Float = replicate ? src[0] : 0
                        let right: Float = replicate ? src[w - 1] : 0
                        for ox in 0..<lo { dst[ox] = left }
                        let off = kx - p
                        if s == 1 {
                            if hi > lo { (dst + lo).update(from: src + lo + off, count: hi - lo) }
                        } else {
                            for ox in lo..<hi { dst[ox] = src[ox * s + off] }
                        }
                        for ox in hi..<ow { dst[ox] = right }
                    }
                }
            }
        }
    }

    /// Accumulates `col` back into `dx` (the inverse scatter of `im2col`).
    static func col2im(_ col: UnsafePointer<Float>, channels: Int, g: Conv2DGeometry, rows: Range<Int>,
                       dx: UnsafeMutablePointer<Float>) {
        let h = g.height, w = g.width, ow = g.outWidth, s = g.stride, p = g.padding
        let cols = rows.count * ow
        let replicate = g.paddingMode == .replicate
        for c in 0..<channels {
            let plane = dx + c * h * w
            for ky in 0..<g.kernelH {
                for kx in 0..<g.kernelW {
                    let rowBase = col + ((c * g.kernelH + ky) * g.kernelW + kx) * cols
                    let (lo, hi) = validRange(outCount: ow, inCount: w, stride: s, pad: p, k: kx)
                    for oy in rows {
                        let src = rowBase + (oy - rows.lowerBound) * ow
                        var iy = oy * s - p + ky
                        if iy < 0 || iy >= h {
                            if !replicate { continue }
                            iy = min(max(iy, 0), h - 1)
                        }
                        let dst = plane + iy * w
                        if replicate {
                            var l: Float = 0, r: Float = 0
                            for ox in 0..<lo { l += src[ox] }
                            for ox in hi..<ow { r += src[ox] }
                            dst[0] += l
                            dst[w - 1] += r
                        }
                        let off = kx - p
                        if s == 1 {
                            for ox in lo..<hi { dst[ox + off] += src[ox] }
                        } else {
                            for ox in lo..<hi { dst[ox * s + off] += src[ox] }
                        }
                    }
                }
            }
        }
    }
}
