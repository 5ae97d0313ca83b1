import Tensor
import Foundation

/// Average pooling, bilinear resizing and bilinear backward warping by a flow field.
extension TrainingKernels {
    /// Average pooling with a k x k window and the given stride, no padding.
    public static func avgPool2d(_ x: Tensor, kernel k: Int, stride s: Int) -> Tensor {
        let (nc, h, w) = (x.shape[0] * x.shape[1], x.shape[2], x.shape[3])
        let oh = (h - k) / s + 1, ow = (w - k) / s + 1
        let inv = 1 / Float(k * k)
        return x.withPointer { xp in
            Tensor.make(shape: [x.shape[0], x.shape[1], oh, ow]) { out in
                let op = out.baseAddress!
                TrainingKernels.parallelFor(nc, grain: max(1, 4096 / max(1, oh * ow))) { r in
                    for p in r { for oy in 0..<oh { for ox in 0..<ow {
                        var sum: Float = 0
                        for ky in 0..<k { for kx in 0..<k { sum += xp[(p * h + oy * s + ky) * w + ox * s + kx] } }
                        op[(p * oh + oy) * ow + ox] = sum * inv
                    } } }
                }
            }
        }
    }

    static func avgPool2dBackward(_ g: Tensor, inputShape: [Int], kernel k: Int, stride s: Int) -> Tensor {
        let (nc, h, w) = (inputShape[0] * inputShape[1], inputShape[2], inputShape[3])
        let oh = g.shape[2], ow = g.shape[3], inv = 1 / Float(k * k)
        var dx = Tensor.zeros(inputShape)
        g.withPointer { gp in dx.withMutablePointer { dp in
            TrainingKernels.parallelFor(nc, grain: max(1, 4096 / max(1, oh * ow))) { r in
                for p in r { for oy in 0..<oh { for ox in 0..<ow {
                    let v = gp[(p * oh + oy) * ow + ox] * inv
                    for ky in 0..<k { for kx in 0..<k { dp[(p * h + oy * s + ky) * w + ox * s + kx] += v } }
                } } }
            }
        } }
        return dx
    }

    /// Source taps (i0, i1, weight of i1) per output index, as PyTorch's bilinear `interpolate`.
    static func linearTaps(out: Int, in n: Int, alignCorners: Bool) -> [(Int, Int, Float)] {
        (0..<out).map { o in
            var src: Float
            if alignCorners {
                src = out > 1 ? Float(o) * Float(n - 1) / Float(out - 1) : 0
            } else {
                src = max((Float(o) + 0.5) * Float(n) / Float(out) - 0.5, 0)
            }
            let i0 = min(Int(src), n - 1), i1 = min(i0 + 1, n - 1)
            return (i0, i1, src - Float(i0))
        }
    }

    /// Bilinear resize of x [N, C, H, W] to outH x outW (`F.interpolate(mode="bilinear")`).
    public static func resizeBilinear(_ x: Tensor, height oh: Int, width ow: Int, alignCorners: Bool = false) -> Tensor {
        let (nc, h, w) = (x.shape[0] * x.shape[1], x.shape[2], x.shape[3])
        let ty = linearTaps(out: oh, in: h, alignCorners: alignCorners), tx = linearTaps(out: ow, in: w, alignCorners: alignCorners)
        return x.withPointer { xp in
            Tensor.make(shape: [x.shape[0], x.shape[1], oh, ow]) { out in
                let op = out.baseAddress!
                TrainingKernels.parallelFor(nc, grain: max(1, 4096 / max(1, oh * ow))) { r in
                    for p in r { for oy in 0..<oh {
                        let (y0, y1, ly) = ty[oy]
                        let r0 = xp + (p * h + y0) * w, r1 = xp + (p * h + y1) * w
                        for ox in 0..<ow {
                            let (x0, x1, lx) = tx[ox]
                            let top = r0[x0] + (r0[x1] - r0[x0]) * lx, bot = r1[x0] + (r1[x1] - r1[x0]) * lx
                            op[(p * oh + oy) * ow + ox] = top + (bot - top) * ly
                        }
                    } }
                }
            }
        }
    }

    static func resizeBilinearBackward(_ g: Tensor, inputShape: [Int], alignCorners: Bool) -> Tensor {
        let (nc, h, w) = (inputShape[0] * inputShape[1], inputShape[2], inputShape[3])
        let oh = g.shape[2], ow = g.shape[3]
        let ty = linearTaps(out: oh, in: h, alignCorners: alignCorners), tx = linearTaps(out: ow, in: w, alignCorners: alignCorners)
        var dx = Tensor.zeros(inputShape)
        g.withPointer { gp in dx.withMutablePointer { dp in
            TrainingKernels.parallelFor(nc, grain: max(1, 4096 / max(1, oh * ow))) { r in
                for p in r { for oy in 0..<oh {
                    let (y0, y1, ly) = ty[oy]
                    for ox in 0..<ow {
                        let (x0, x1, lx) = tx[ox]
                        let v = gp[(p * oh + oy) * ow + ox]
                        dp[(p * h + y0) * w + x0] += v * (1 - ly) * (1 - lx)
                        dp[(p * h + y0) * w + x1] += v * (1 - ly) * lx
                        dp[(p * h + y1) * w + x0] += v * ly * (1 - lx)
                        dp[(p * h + y1) * w + x1] += v * ly * lx
                    }
                } }
            }
        } }
        return dx
    }

    /// Backward warp of x [N, C, H, W] by flow [N, 2, H, W] (channel 0 horizontal, 1 vertical, in
    /// pixels) as DCVC's `flow_warp`: `grid_sample(bilinear, padding_mode="border",
    /// align_corners=True)`, i.e. sample at (x + u, y + v) with coordinates clamped to the image.
    public static func flowWarp(_ x: Tensor, flow: Tensor) -> Tensor {
        let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        precondition(flow.shape == [n, 2, h, w], "flow \(flow.shape) for image \(x.shape)")
        return x.withPointer { xp in flow.withPointer { fp in
            Tensor.make(shape: x.shape) { out in
                let op = out.baseAddress!
                TrainingKernels.parallelFor(n * h, grain: 1) { r in
                    for ny in r {
                        let b = ny / h, y = ny % h
                        for xx in 0..<w {
                            let t = warpTap(fp, b: b, y: y, x: xx, h: h, w: w)
                            for ch in 0..<c {
                                let plane = xp + (b * c + ch) * h * w
                                op[((b * c + ch) * h + y) * w + xx] = t.sample(plane, w: w)
                            }
                        }
                    }
                }
            }
        } }
    }

    /// Gradients of `flowWarp` with respect to the image and the flow.
    public static func flowWarpBackward(_ g: Tensor, x: Tensor, flow: Tensor) -> (Tensor, Tensor) {
        let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        var dx = Tensor.zeros(x.shape), dflow = Tensor.zeros(flow.shape)
        g.withPointer { gp in x.withPointer { xp in flow.withPointer { fp in
            dx.withMutablePointer { dxp in dflow.withMutablePointer { dfp in
                // Samples scatter anywhere in their image, so split by sample only.
                TrainingKernels.parallelFor(n, grain: 1) { r in
                    for b in r { for y in 0..<h { for xx in 0..<w {
                        let t = warpTap(fp, b: b, y: y, x: xx, h: h, w: w)
                        var gu: Float = 0, gv: Float = 0
                        for ch in 0..<c {
                            let plane = xp + (b * c + ch) * h * w, dplane = dxp + (b * c + ch) * h * w
                            let gv0 = gp[((b * c + ch) * h + y) * w + xx]
                            let v00 = plane[t.y0 * w + t.x0], v01 = plane[t.y0 * w + t.x1]
                            let v10 = plane[t.y1 * w + t.x0], v11 = plane[t.y1 * w + t.x1]
                            dplane[t.y0 * w + t.x0] += gv0 * (1 - t.ly) * (1 - t.lx)
                            dplane[t.y0 * w + t.x1] += gv0 * (1 - t.ly) * t.lx
                            dplane[t.y1 * w + t.x0] += gv0 * t.ly * (1 - t.lx)
                            dplane[t.y1 * w + t.x1] += gv0 * t.ly * t.lx
                            gu += gv0 * ((v01 - v00) * (1 - t.ly) + (v11 - v10) * t.ly)
                            gv += gv0 * ((v10 - v00) * (1 - t.lx) + (v11 - v01) * t.lx)
                        }
                        // A clamped coordinate does not move with the flow (PyTorch's border grad).
                        dfp[((b * 2) * h + y) * w + xx] = t.insideX ? gu : 0
                        dfp[((b * 2 + 1) * h + y) * w + xx] = t.insideY ? gv : 0
                    } } }
                }
            } }
        } } }
        return (dx, dflow)
    }

    struct WarpTap {
        var x0: Int, x1: Int, y0: Int, y1: Int, lx: Float, ly: Float, insideX: Bool, insideY: Bool
        @inline(__always) func sample(_ p: UnsafePointer<Float>, w: Int) -> Float {
            let top = p[y0 * w + x0] * (1 - lx) + p[y0 * w + x1] * lx
            let bot = p[y1 * w + x0] * (1 - lx) + p[y1 * w + x1] * lx
            return top * (1 - ly) + bot * ly
        }
    }

    @inline(__always)
    static func warpTap(_ fp: UnsafePointer<Float>, b: Int, y: Int, x: Int, h: Int, w: Int) -> WarpTap {
        let sx = Float(x) + fp[((b * 2) * h + y) * w + x]
        let sy = Float(y) + fp[((b * 2 + 1) * h + y) * w + x]
        let cx = min(max(sx, 0), Float(w - 1)), cy = min(max(sy, 0), Float(h - 1))
        let x0 = Int(cx), y0 = Int(cy)
        return WarpTap(x0: x0, x1: min(x0 + 1, w - 1), y0: y0, y1: min(y0 + 1, h - 1),
                       lx: cx - Float(x0), ly: cy - Float(y0),
                       insideX: sx > 0 && sx < Float(w - 1), insideY: sy > 0 && sy < Float(h - 1))
    }
}

extension Ops {
    /// Average pooling (k x k window, given stride, no padding).
    public static func avgPool2d(_ x: Variable, kernel k: Int, stride s: Int? = nil) -> Variable {
        let shape = x.shape, st = s ?? k
        return Variable(op: TrainingKernels.avgPool2d(x.value, kernel: k, stride: st), parents: [x]) { g in
            x.accumulate(TrainingKernels.avgPool2dBackward(g, inputShape: shape, kernel: k, stride: st))
        }
    }

    /// Bilinear resize to height x width.
    public static func resizeBilinear(_ x: Variable, height: Int, width: Int, alignCorners: Bool = false) -> Variable {
        let shape = x.shape
        let y = TrainingKernels.resizeBilinear(x.value, height: height, width: width, alignCorners: alignCorners)
        return Variable(op: y, parents: [x]) { g in
            x.accumulate(TrainingKernels.resizeBilinearBackward(g, inputShape: shape, alignCorners: alignCorners))
        }
    }

    /// DCVC's `flow_warp`: bilinear backward warp with border clamping.
    public static func flowWarp(_ x: Variable, flow: Variable) -> Variable {
        let xv = x.value, fv = flow.value
        return Variable(op: TrainingKernels.flowWarp(xv, flow: fv), parents: [x, flow]) { g in
            let (dx, df) = TrainingKernels.flowWarpBackward(g, x: xv, flow: fv)
            x.accumulate(dx); flow.accumulate(df)
        }
    }
}
