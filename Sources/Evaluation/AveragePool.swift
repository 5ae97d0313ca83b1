/// 2x2 average pooling between MS-SSIM scales, as pytorch-msssim calls `avg_pool2d`: kernel 2,
/// stride 2, padding `side % 2` on each side of each axis, padded samples counted as zeros in the
/// divisor of 4 (`count_include_pad`). An odd side `s` gives `(s + 1) / 2` outputs whose first one
/// averages the zero pad with sample 0.
func averagePool2x2(_ p: MetricPlane) -> MetricPlane {
    let padX = p.width % 2, padY = p.height % 2
    let ow = (p.width + padX) / 2, oh = (p.height + padY) / 2
    var out = [Double](repeating: 0, count: ow * oh)
    p.values.withUnsafeBufferPointer { src in
        func at(_ x: Int, _ y: Int) -> Double {
            (x < 0 || y < 0 || x >= p.width || y >= p.height) ? 0 : src[y * p.width + x]
        }
        for oy in 0..<oh {
            let y0 = 2 * oy - padY
            for ox in 0..<ow {
                let x0 = 2 * ox - padX
                out[oy * ow + ox] = (at(x0, y0) + at(x0 + 1, y0) + at(x0, y0 + 1) + at(x0 + 1, y0 + 1)) / 4
            }
        }
    }
    return MetricPlane(width: ow, height: oh, values: out)
}

/// The side pooled by `averagePool2x2`.
func pooledSide(_ s: Int) -> Int { (s + s % 2) / 2 }
