import Tensor
/// Reductions: whole-tensor sum/mean and sums along one axis (Double accumulation for accuracy).
extension TrainingKernels {
    /// Sum of all elements, accumulated in Double over fixed chunks.
    public static func sumAll(_ x: Tensor) -> Float {
        let n = x.count
        let parts = max(1, min(TrainingKernels.threads, n / (1 << 16)))
        var partial = [Double](repeating: 0, count: parts)
        x.withPointer { xp in
            partial.withUnsafeMutableBufferPointer { pb in
                TrainingKernels.parallelParts(n, parts: parts) { part, r in
                    var s: Double = 0
                    for i in r { s += Double(xp[i]) }
                    pb[part] = s
                }
            }
        }
        return Float(partial.reduce(0, +))
    }

    /// Sums along `axis`, keeping it as size 1.
    public static func sum(_ x: Tensor, axis: Int) -> Tensor {
        let outer = x.shape[..<axis].reduce(1, *), n = x.shape[axis], inner = x.shape[(axis + 1)...].reduce(1, *)
        var shape = x.shape; shape[axis] = 1
        return x.withPointer { xp in
            Tensor.make(shape: shape) { out in
                for o in 0..<outer {
                    let d = out.baseAddress! + o * inner
                    for i in 0..<inner { d[i] = 0 }
                    for k in 0..<n {
                        let s = xp + (o * n + k) * inner
                        for i in 0..<inner { d[i] += s[i] }
                    }
                }
            }
        }
    }
}

extension Ops {
    /// Sum of all elements (a rank-0 result).
    public static func sum(_ x: Variable) -> Variable {
        let shape = x.shape
        return Variable(op: .scalar(TrainingKernels.sumAll(x.value)), parents: [x]) { g in
            x.accumulate(Tensor(shape: shape, repeating: g.item))
        }
    }

    /// Mean of all elements (a rank-0 result).
    public static func mean(_ x: Variable) -> Variable {
        let shape = x.shape, n = Float(max(1, x.value.count))
        return Variable(op: .scalar(TrainingKernels.sumAll(x.value) / n), parents: [x]) { g in
            x.accumulate(Tensor(shape: shape, repeating: g.item / n))
        }
    }

    /// Sum along one axis, kept with size 1 (`keepdim=True`).
    public static func sum(_ x: Variable, axis: Int) -> Variable {
        let shape = x.shape
        return Variable(op: TrainingKernels.sum(x.value, axis: axis), parents: [x]) { g in
            x.accumulate(TrainingKernels.expand(g, to: shape))
        }
    }

    /// Mean along one axis, kept with size 1.
    public static func mean(_ x: Variable, axis: Int) -> Variable {
        sum(x, axis: axis) * (1 / Float(x.shape[axis]))
    }
}
