import Tensor
/// Layout ops: reshape, concat, slice, pad, crop, pixel (un)shuffle, nearest upsampling.
extension TrainingKernels {
    /// Splits `shape` around `axis` into (outer, size, inner) extents.
    static func around(_ shape: [Int], _ axis: Int) -> (Int, Int, Int) {
        (shape[..<axis].reduce(1, *), shape[axis], shape[(axis + 1)...].reduce(1, *))
    }

    /// Concatenation along `axis`.
    public static func concat(_ parts: [Tensor], axis: Int) -> Tensor {
        precondition(!parts.isEmpty)
        var shape = parts[0].shape
        shape[axis] = parts.reduce(0) { $0 + $1.shape[axis] }
        let (outer, total, inner) = around(shape, axis)
        var out = Tensor.make(shape: shape) { _ in }
        out.withMutablePointer { o in
            var start = 0
            for p in parts {
                var check = p.shape; check[axis] = shape[axis]
                precondition(check == shape, "concat of \(p.shape) into \(shape) along \(axis)")
                let n = p.shape[axis]
                p.withPointer { s in
                    for i in 0..<outer {
                        (o + (i * total + start) * inner).update(from: s + i * n * inner, count: n * inner)
                    }
                }
                start += n
            }
        }
        return out
    }

    /// Elements `range` along `axis`.
    public static func slice(_ x: Tensor, axis: Int, _ range: Range<Int>) -> Tensor {
        let (outer, n, inner) = around(x.shape, axis)
        precondition(range.lowerBound >= 0 && range.upperBound <= n, "slice \(range) of axis \(axis) in \(x.shape)")
        var shape = x.shape; shape[axis] = range.count
        return x.withPointer { s in
            Tensor.make(shape: shape) { o in
                for i in 0..<outer {
                    (o.baseAddress! + i * range.count * inner).update(from: s + (i * n + range.lowerBound) * inner,
                                                                      count: range.count * inner)
                }
            }
        }
    }

    /// Writes `g` (shaped like a slice) into a zero tensor of `shape` at `range` along `axis`.
    static func unslice(_ g: Tensor, shape: [Int], axis: Int, _ range: Range<Int>) -> Tensor {
        let (outer, n, inner) = around(shape, axis)
        var out = Tensor.zeros(shape)
        g.withPointer { s in out.withMutablePointer { o in
            for i in 0..<outer {
                (o + (i * n + range.lowerBound) * inner).update(from: s + i * range.count * inner, count: range.count * inner)
            }
        } }
        return out
    }

    /// Spatially pads (or, with negative amounts, crops) an NCHW tensor.
    public static func pad2d(_ x: Tensor, left: Int, right: Int, top: Int, bottom: Int,
                             mode: PaddingMode = .zeros) -> Tensor {
        let (nc, h, w) = (x.shape[0] * x.shape[1], x.shape[2], x.shape[3])
        let oh = h + top + bottom, ow = w + left + right
        precondition(oh > 0 && ow > 0, "pad2d leaves nothing of \(x.shape)")
        return x.withPointer { s in
            Tensor.make(shape: [x.shape[0], x.shape[1], oh, ow]) { o in
                let op = o.baseAddress!
                TrainingKernels.parallelFor(nc, grain: max(1, 4096 / (oh * ow))) { r in
                    for p in r {
                        for oy in 0..<oh {
                            var iy = oy - top
                            let inside = iy >= 0 && iy < h
                            if !inside && mode == .zeros { (op + (p * oh + oy) * ow).update(repeating: 0, count: ow); continue }
                            iy = min(max(iy, 0), h - 1)
                            let src = s + (p * h + iy) * w, dst = op + (p * oh + oy) * ow
                            for ox in 0..<ow {
                                let ix = ox - left
                                if ix >= 0 && ix < w { dst[ox] = src[ix] }
                                else { dst[ox] = mode == .zeros ? 0 : src[min(max(ix, 0), w - 1)] }
                            }
                        }
                    }
                }
            }
        }
    }

    /// Backward of `pad2d`: gathers the gradient onto the input (edges accumulate for replicate).
    static func pad2dBackward(_ g: Tensor, inputShape: [Int], left: Int, top: Int, mode: PaddingMode) -> Tensor {
        let (nc, h, w) = (inputShape[0] * inputShape[1], inputShape[2], inputShape[3])
        let oh = g.shape[2], ow = g.shape[3]
        var out = Tensor.zeros(inputShape)
        g.withPointer { s in out.withMutablePointer { d in
            TrainingKernels.parallelFor(nc, grain: max(1, 4096 / (oh * ow))) { r in
                for p in r {
                    for oy in 0..<oh {
                        var iy = oy - top
                        if iy < 0 || iy >= h { if mode == .zeros { continue }; iy = min(max(iy, 0), h - 1) }
                        for ox in 0..<ow {
                            var ix = ox - left
                            if ix < 0 || ix >= w { if mode == .zeros { continue }; ix = min(max(ix, 0), w - 1) }
                            d[(p * h + iy) * w + ix] += s[(p * oh + oy) * ow + ox]
                        }
                    }
                }
            }
        } }
        return out
    }

    /// [N, C*r*r, H, W] -> [N, C, H*r, W*r] (PyTorch `pixel_shuffle`); `inverse` undoes it.
    public static func pixelShuffle(_ x: Tensor, factor r: Int, inverse: Bool = false) -> Tensor {
        let n = x.shape[0]
        let (c, h, w): (Int, Int, Int) = inverse ? (x.shape[1], x.shape[2] / r, x.shape[3] / r)
                                                 : (x.shape[1] / (r * r), x.shape[2], x.shape[3])
        precondition(inverse ? x.shape[2] % r == 0 && x.shape[3] % r == 0 : x.shape[1] % (r * r) == 0,
                     "pixel shuffle by \(r) of \(x.shape)")
        let outShape = inverse ? [n, c * r * r, h, w] : [n, c, h * r, w * r]
        return x.withPointer { s in
            Tensor.make(shape: outShape) { o in
                let op = o.baseAddress!
                TrainingKernels.parallelFor(n * c, grain: 1) { range in
                    for nc in range {
                        for i in 0..<r { for j in 0..<r {
                            let sub = (nc * r * r + i * r + j) * h * w   // packed [n, c*r*r, h, w]
                            for y in 0..<h {
                                let big = (nc * h * r + y * r + i) * w * r + j // spatial [n, c, h*r, w*r]
                                if inverse { for x in 0..<w { op[sub + y * w + x] = s[big + x * r] } }
                                else { for x in 0..<w { op[big + x * r] = s[sub + y * w + x] } }
                            }
                        } }
                    }
                }
            }
        }
    }

    /// Nearest-neighbour upsampling by an integer factor (VQGAN's `Upsample`).
    public static func upsampleNearest(_ x: Tensor, factor r: Int) -> Tensor {
        let (nc, h, w) = (x.shape[0] * x.shape[1], x.shape[2], x.shape[3])
        return x.withPointer { s in
            Tensor.make(shape: [x.shape[0], x.shape[1], h * r, w * r]) { o in
                let op = o.baseAddress!
                TrainingKernels.parallelFor(nc, grain: 1) { range in
                    for p in range { for y in 0..<h {
                        let src = s + (p * h + y) * w, dst = op + (p * h * r + y * r) * w * r
                        if r == 2 {
                            for x in 0..<w { let v = src[x]; dst[2 * x] = v; dst[2 * x + 1] = v }
                        } else {
                            for x in 0..<w { let v = src[x]; for j in 0..<r { dst[x * r + j] = v } }
                        }
                        for i in 1..<r { (dst + i * w * r).update(from: dst, count: w * r) }
                    } }
                }
            }
        }
    }

    /// Backward of `upsampleNearest`: sums each r x r block.
    static func upsampleNearestBackward(_ g: Tensor, factor r: Int) -> Tensor {
        let (nc, h, w) = (g.shape[0] * g.shape[1], g.shape[2] / r, g.shape[3] / r)
        return g.withPointer { s in
            Tensor.make(shape: [g.shape[0], g.shape[1], h, w]) { o in
                let op = o.baseAddress!
                TrainingKernels.parallelFor(nc, grain: 1) { range in
                    for p in range { for y in 0..<h {
                        let dst = op + (p * h + y) * w
                        for x in 0..<w { dst[x] = 0 }
                        for i in 0..<r {
                            let src = s + (p * h * r + y * r + i) * w * r
                            if r == 2 {
                                for x in 0..<w { dst[x] += src[2 * x] + src[2 * x + 1] }
                            } else {
                                for x in 0..<w { var acc: Float = 0; for j in 0..<r { acc += src[x * r + j] }; dst[x] += acc }
                            }
                        }
                    } }
                }
            }
        }
    }
}

extension Ops {
    /// The same elements with another shape.
    public static func reshape(_ x: Variable, _ shape: [Int]) -> Variable {
        let old = x.shape
        return Variable(op: x.value.reshaped(shape), parents: [x]) { g in x.accumulate(g.reshaped(old)) }
    }

    /// Concatenation along `axis`.
    public static func concat(_ xs: [Variable], axis: Int) -> Variable {
        let y = TrainingKernels.concat(xs.map(\.value), axis: axis)
        let sizes = xs.map { $0.shape[axis] }
        return Variable(op: y, parents: xs) { g in
            var start = 0
            for (x, n) in zip(xs, sizes) {
                if x.requiresGrad { x.accumulate(TrainingKernels.slice(g, axis: axis, start..<start + n)) }
                start += n
            }
        }
    }

    /// Elements `range` along `axis`.
    public static func slice(_ x: Variable, axis: Int, _ range: Range<Int>) -> Variable {
        let shape = x.shape
        return Variable(op: TrainingKernels.slice(x.value, axis: axis, range), parents: [x]) { g in
            x.accumulate(TrainingKernels.unslice(g, shape: shape, axis: axis, range))
        }
    }

    /// Spatial padding of an NCHW tensor (zeros or replicate); negative amounts crop.
    public static func pad2d(_ x: Variable, left: Int, right: Int, top: Int, bottom: Int,
                             mode: PaddingMode = .zeros) -> Variable {
        let shape = x.shape
        let y = TrainingKernels.pad2d(x.value, left: left, right: right, top: top, bottom: bottom, mode: mode)
        return Variable(op: y, parents: [x]) { g in
            x.accumulate(TrainingKernels.pad2dBackward(g, inputShape: shape, left: left, top: top, mode: mode))
        }
    }

    /// The window [top, top+height) x [left, left+width) of an NCHW tensor.
    public static func crop(_ x: Variable, top: Int, left: Int, height: Int, width: Int) -> Variable {
        slice(slice(x, axis: 2, top..<top + height), axis: 3, left..<left + width)
    }

    /// Sub-pixel upsampling [N, C*r*r, H, W] -> [N, C, H*r, W*r].
    public static func pixelShuffle(_ x: Variable, factor r: Int) -> Variable {
        Variable(op: TrainingKernels.pixelShuffle(x.value, factor: r), parents: [x]) { g in
            x.accumulate(TrainingKernels.pixelShuffle(g, factor: r, inverse: true))
        }
    }

    /// Space-to-depth [N, C, H*r, W*r] -> [N, C*r*r, H, W].
    public static func pixelUnshuffle(_ x: Variable, factor r: Int) -> Variable {
        Variable(op: TrainingKernels.pixelShuffle(x.value, factor: r, inverse: true), parents: [x]) { g in
            x.accumulate(TrainingKernels.pixelShuffle(g, factor: r))
        }
    }

    /// Nearest-neighbour upsampling by an integer factor.
    public static func upsampleNearest(_ x: Variable, factor r: Int) -> Variable {
        Variable(op: TrainingKernels.upsampleNearest(x.value, factor: r), parents: [x]) { g in
            x.accumulate(TrainingKernels.upsampleNearestBackward(g, factor: r))
        }
    }
}
