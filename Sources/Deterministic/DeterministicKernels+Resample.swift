import Tensor
extension DeterministicKernels {
    /// Average pooling with a square window and no padding, as PyTorch's `avg_pool2d(x, k, stride)`:
    /// `y = (sum over ky, kx in raster order of x, from +0) / Float(k * k)`.
    public static func avgPool2d(_ x: Tensor, kernel k: Int, stride: Int? = nil, threads: Int = defaultThreadCount,
                                 variant: KernelVariant = .simd) -> Tensor {
        precondition(x.rank == 4)
        let c = x.shape[1]
        // A depthwise correlation with unit weights sums in exactly this order (1 * x is exact).
        let ones = Tensor(shape: [c, 1, k, k], repeating: 1)
        let sums = conv2d(x, weight: ones, stride: stride ?? k, groups: c, threads: threads, variant: variant)
        let d = Float(k * k)
        return map(sums, threads: threads, variant: variant, scalar: { $0 / d },
                   vector: { $0 / DetVector(repeating: d) })
    }

    /// Bilinear resize as PyTorch's `interpolate(mode="bilinear", align_corners=False)` to
    /// [outHeight, outWidth]. Source coordinates in Float: `src = max(0, (dst + 0.5) * (in / out) - 0.5)`
    /// with `in / out` a Float division; `i0 = floor(src)`, `i1 = min(i0 + 1, in - 1)`, `l = src - i0`;
    /// `y = (1 - ly) * ((1 - lx) * a + lx * b) + ly * ((1 - lx) * c + lx * d)`.
    public static func resizeBilinear(_ x: Tensor, height oh: Int, width ow: Int, threads: Int = defaultThreadCount,
                                      variant: KernelVariant = .simd) -> Tensor {
        precondition(x.rank == 4 && oh > 0 && ow > 0)
        let nc = x.shape[0] * x.shape[1], h = x.shape[2], w = x.shape[3]
        let ys = sourceCoordinates(out: oh, in: h), xs = sourceCoordinates(out: ow, in: w)
        var out = [Float](repeating: 0, count: nc * oh * ow)
        x.storage.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                forEachTile(nc * oh, threads: threads) { r in
                    for row in r {
                        let oy = row % oh, plane = src.baseAddress! + (row / oh) * h * w
                        let (y0, y1, ly) = ys[oy]
                        let top = plane + y0 * w, bottom = plane + y1 * w
                        let d = dst.baseAddress! + row * ow
                        var ox = 0
                        if variant == .simd {
                            let lyv = DetVector(repeating: ly)
                            while ox + 16 <= ow {
                                var a = DetVector(), b = DetVector(), c = DetVector(), e = DetVector(), lx = DetVector()
                                for l in 0..<16 {
                                    let (x0, x1, f) = xs[ox + l]
                                    a[l] = top[x0]; b[l] = top[x1]; c[l] = bottom[x0]; e[l] = bottom[x1]; lx[l] = f
                                }
                                UnsafeMutableRawPointer(d + ox).storeBytes(of: bilerp(a, b, c, e, lx, lyv), as: DetVector.self)
                                ox += 16
                            }
                        }
                        while ox < ow {
                            let (x0, x1, f) = xs[ox]
                            d[ox] = bilerp(top[x0], top[x1], bottom[x0], bottom[x1], f, ly)
                            ox += 1
                        }
                    }
                }
            }
        }
        return Tensor(shape: [x.shape[0], x.shape[1], oh, ow], storage: out)
    }

    static func sourceCoordinates(out: Int, in n: Int) -> [(Int, Int, Float)] {
        let scale = Float(n) / Float(out)
        return (0..<out).map { o in
            let s = Float.raised((Float(o) + 0.5) * scale - 0.5, atLeast: 0)
            let i0 = min(Int(s.floored()), n - 1)
            return (i0, min(i0 + 1, n - 1), s - Float(i0))
        }
    }

    @inline(__always)
    static func bilerp<V: DetLanes>(_ a: V, _ b: V, _ c: V, _ d: V, _ lx: V, _ ly: V) -> V {
        let one = V(splat: 1)
        let hx = one - lx
        return (one - ly) * (hx * a + lx * b) + ly * (hx * c + lx * d)
    }

    /// Backward warp of `x` [n, c, h, w] by `flow` [n, 2, h, w] (channel 0 horizontal, 1 vertical,
    /// in pixels) as DCVC's `flow_warp` / `torch_warp`: `grid_sample(mode="bilinear",
    /// padding_mode="border", align_corners=True)` at (x + fx, y + fy).
    ///
    /// Coordinates in Float: `sx = min(max(Float(x) + fx, 0), Float(w - 1))` (likewise sy);
    /// `x0 = floor(sx)`, `x1 = min(x0 + 1, w - 1)`, `wx1 = sx - x0`, `wx0 = 1 - wx1`;
    /// corner weights `nw = wx0 * wy0, ne = wx1 * wy0, sw = wx0 * wy1, se = wx1 * wy1`;
    /// `y = ((nw * v00 + ne * v01) + sw * v10) + se * v11` (PyTorch's order). DCVC normalises the
    /// grid to [-1, 1] and back; that round trip is skipped, so values differ from PyTorch by rounding.
    public static func flowWarp(_ x: Tensor, flow: Tensor, threads: Int = defaultThreadCount,
                                variant: KernelVariant = .simd) -> Tensor {
        precondition(x.rank == 4 && flow.shape == [x.shape[0], 2, x.shape[2], x.shape[3]],
                     "flowWarp: input \(x.shape), flow \(flow.shape)")
        let n = x.shape[0], c = x.shape[1], h = x.shape[2], w = x.shape[3], hw = h * w
        var out = [Float](repeating: 0, count: x.count)
        x.storage.withUnsafeBufferPointer { src in
            flow.storage.withUnsafeBufferPointer { fl in
                out.withUnsafeMutableBufferPointer { dst in
                    forEachTile(n * h, threads: threads) { r in
                        var i00 = [Int](repeating: 0, count: w), i01 = i00, i10 = i00, i11 = i00
                        var wnw = [Float](repeating: 0, count: w), wne = wnw, wsw = wnw, wse = wnw
                        for row in r {
                            let b = row / h, y = row % h
                            let fx = fl.baseAddress! + (b * 2) * hw + y * w, fy = fx + hw
                            for xx in 0..<w {
                                // A NaN displacement (only from corrupt weights) samples the pixel itself.
                                let ux = Float(xx) + fx[xx], uy = Float(y) + fy[xx]
                                let sx = Float.lowered(Float.raised(ux.isNaN ? Float(xx) : ux, atLeast: 0), atMost: Float(w - 1))
                                let sy = Float.lowered(Float.raised(uy.isNaN ? Float(y) : uy, atLeast: 0), atMost: Float(h - 1))
                                let x0 = Int(sx.floored()), y0 = Int(sy.floored())
                                let x1 = min(x0 + 1, w - 1), y1 = min(y0 + 1, h - 1)
                                let wx1 = sx - Float(x0), wy1 = sy - Float(y0)
                                let wx0 = 1 - wx1, wy0 = 1 - wy1
                                i00[xx] = y0 * w + x0; i01[xx] = y0 * w + x1; i10[xx] = y1 * w + x0; i11[xx] = y1 * w + x1
                                wnw[xx] = wx0 * wy0; wne[xx] = wx1 * wy0; wsw[xx] = wx0 * wy1; wse[xx] = wx1 * wy1
                            }
                            for ch in 0..<c {
                                let plane = src.baseAddress! + (b * c + ch) * hw
                                let d = dst.baseAddress! + (b * c + ch) * hw + y * w
                                // Both variants run this loop: the four samples of an output are
                                // gathers, which lane-by-lane vector assembly only slows down.
                                var xx = 0
                                while xx < w {
                                    d[xx] = corners(plane[i00[xx]], plane[i01[xx]], plane[i10[xx]], plane[i11[xx]],
                                                    wnw[xx], wne[xx], wsw[xx], wse[xx])
                                    xx += 1
                                }
                            }
                        }
                    }
                }
            }
        }
        return Tensor(shape: x.shape, storage: out)
    }

    @inline(__always)
    static func corners<V: DetLanes>(_ v00: V, _ v01: V, _ v10: V, _ v11: V, _ nw: V, _ ne: V, _ sw: V, _ se: V) -> V {
        ((nw * v00 + ne * v01) + sw * v10) + se * v11
    }
}
