import Tensor

extension TrainingKernels {
    /// The gradient of `maxPool2d(x, kernel:stride:padding:)`: each output's gradient goes to the
    /// first sample of its window (in scan order) that equals the window's maximum, as PyTorch
    /// routes it to its argmax. Windows may overlap (kernel > stride), so one plane is one task.
    public static func maxPool2dBackward(_ g: Tensor, input x: Tensor, output y: Tensor,
                                         kernel k: Int, stride s: Int, padding p: Int) -> Tensor {
        let n = x.shape[0], c = x.shape[1], h = x.shape[2], w = x.shape[3]
        let oh = y.shape[2], ow = y.shape[3]
        precondition(g.shape == y.shape, "max-pool gradient \(g.shape) for output \(y.shape)")
        return x.withPointer { xp in y.withPointer { yp in g.withPointer { gp in
            Tensor.make(shape: x.shape) { out in
                let o = out.baseAddress!
                o.initialize(repeating: 0, count: out.count)
                TrainingKernels.parallelFor(n * c, grain: max(1, 4096 / (oh * ow))) { planes in
                    for pl in planes {
                        let src = xp + pl * h * w, dst = o + pl * h * w, yo = yp + pl * oh * ow, go = gp + pl * oh * ow
                        for oy in 0..<oh {
                            let y0 = max(oy * s - p, 0), y1 = min(oy * s - p + k, h)
                            for ox in 0..<ow {
                                let x0 = max(ox * s - p, 0), x1 = min(ox * s - p + k, w)
                                let m = yo[oy * ow + ox]
                                search: for yy in y0..<y1 {
                                    for xx in x0..<x1 where src[yy * w + xx] == m {
                                        dst[yy * w + xx] += go[oy * ow + ox]
                                        break search
                                    }
                                }
                            }
                        }
                    }
                }
            }
        } } }
    }
}

extension Ops {
    /// PyTorch `max_pool2d(x, kernel, stride, padding)` (floor rounding; padding never wins),
    /// differentiable: the gradient flows to each window's maximum.
    public static func maxPool2d(_ x: Variable, kernel: Int, stride: Int, padding: Int = 0) -> Variable {
        let xv = x.value
        let y = TrainingKernels.maxPool2d(xv, kernel: kernel, stride: stride, padding: padding)
        return Variable(op: y, parents: [x]) { g in
            x.accumulate(TrainingKernels.maxPool2dBackward(g, input: xv, output: y, kernel: kernel, stride: stride,
                                                           padding: padding))
        }
    }
}
