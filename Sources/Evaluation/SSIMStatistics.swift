import Tensor

/// The two means SSIM and MS-SSIM are built from, for one channel pair at one scale.
struct SSIMStatistics {
    /// Mean of the SSIM map (luminance x contrast-structure).
    var ssim: Double
    /// Mean of the contrast-structure map (cs).
    var cs: Double

    /// SSIM constants for data range 255: C1 = (0.01 L)², C2 = (0.03 L)².
    static let c1 = (0.01 * 255.0) * (0.01 * 255.0)
    static let c2 = (0.03 * 255.0) * (0.03 * 255.0)

    /// Statistics of `x` against `y` (same size, both sides >= the window) with separable "valid"
    /// Gaussian filtering: the maps cover only the positions where the whole window fits.
    ///
    /// Local moments are E[x], E[y], E[x²], E[y²], E[xy] under the window; σ² = E[x²] - μ², as in
    /// pytorch-msssim. Rows of output are split across threads; each row's sum is kept and the rows
    /// are added in order, so the result does not depend on the thread count.
    init(_ x: MetricPlane, _ y: MetricPlane, window: GaussianWindow = .standard) {
        precondition(x.width == y.width && x.height == y.height)
        let w = x.width, h = x.height, k = window.size
        precondition(w >= k && h >= k, "SSIM statistics need both sides >= the window")
        let ow = w - k + 1, oh = h - k + 1
        let taps = window.taps
        // Horizontal pass: five moment images of ow x h.
        var moments = [Double](repeating: 0, count: 5 * ow * h)
        let plane = ow * h
        moments.withUnsafeMutableBufferPointer { m in
            let mp = m.baseAddress!
            x.values.withUnsafeBufferPointer { xs in y.values.withUnsafeBufferPointer { ys in
                let xp = xs.baseAddress!, yp = ys.baseAddress!
                parallelChunks(h, parts: defaultThreadCount) { rows in
                    var xx = [Double](repeating: 0, count: w), yy = xx, xy = xx
                    for r in rows {
                        let xr = xp + r * w, yr = yp + r * w
                        for i in 0..<w {
                            xx[i] = xr[i] * xr[i]; yy[i] = yr[i] * yr[i]; xy[i] = xr[i] * yr[i]
                        }
                        let o0 = mp + r * ow, o1 = o0 + plane, o2 = o1 + plane, o3 = o2 + plane, o4 = o3 + plane
                        xx.withUnsafeBufferPointer { xxp in yy.withUnsafeBufferPointer { yyp in
                            xy.withUnsafeBufferPointer { xyp in
                                taps.withUnsafeBufferPointer { tp in
                                    for i in 0..<ow {
                                        var s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0, s4 = 0.0
                                        for t in 0..<k {
                                            let g = tp[t]
                                            s0 += g * xr[i + t]; s1 += g * yr[i + t]
                                            s2 += g * xxp[i + t]; s3 += g * yyp[i + t]; s4 += g * xyp[i + t]
                                        }
                                        o0[i] = s0; o1[i] = s1; o2[i] = s2; o3[i] = s3; o4[i] = s4
                                    }
                                }
                            }
                        } }
                    }
                }
            } }
        }
        // Vertical pass and the maps, one output row at a time.
        var rowSSIM = [Double](repeating: 0, count: oh), rowCS = rowSSIM
        let c1 = SSIMStatistics.c1, c2 = SSIMStatistics.c2
        moments.withUnsafeBufferPointer { m in
            let mp = m.baseAddress!
            rowSSIM.withUnsafeMutableBufferPointer { rs in rowCS.withUnsafeMutableBufferPointer { rc in
                let rsp = rs.baseAddress!, rcp = rc.baseAddress!
                parallelChunks(oh, parts: defaultThreadCount) { rows in
                    var acc = [Double](repeating: 0, count: 5 * ow)
                    acc.withUnsafeMutableBufferPointer { a in
                        let a0 = a.baseAddress!, a1 = a0 + ow, a2 = a1 + ow, a3 = a2 + ow, a4 = a3 + ow
                        for r in rows {
                            for i in 0..<(5 * ow) { a0[i] = 0 }
                            for t in 0..<k {
                                let g = taps[t]
                                let s0 = mp + (r + t) * ow, s1 = s0 + plane, s2 = s1 + plane,
                                    s3 = s2 + plane, s4 = s3 + plane
                                for i in 0..<ow {
                                    a0[i] += g * s0[i]; a1[i] += g * s1[i]; a2[i] += g * s2[i]
                                    a3[i] += g * s3[i]; a4[i] += g * s4[i]
                                }
                            }
                            var sumS = 0.0, sumC = 0.0
                            for i in 0..<ow {
                                let mx = a0[i], my = a1[i]
                                let vx = a2[i] - mx * mx, vy = a3[i] - my * my, cov = a4[i] - mx * my
                                let cs = (2 * cov + c2) / (vx + vy + c2)
                                sumC += cs
                                sumS += (2 * mx * my + c1) / (mx * mx + my * my + c1) * cs
                            }
                            rsp[r] = sumS
                            rcp[r] = sumC
                        }
                    }
                }
            } }
        }
        let n = Double(ow * oh)
        ssim = rowSSIM.reduce(0, +) / n
        cs = rowCS.reduce(0, +) / n
    }
}
