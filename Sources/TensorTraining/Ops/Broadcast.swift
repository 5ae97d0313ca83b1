import Tensor
/// NumPy-style broadcasting: `expand` copies a tensor up to a larger shape, `sumTo` is its
/// backward (sums the broadcast axes away).
extension TrainingKernels {
    /// The broadcast shape of `a` and `b` (aligned at the last axis; 1 stretches).
    public static func broadcastShape(_ a: [Int], _ b: [Int]) -> [Int] {
        let r = max(a.count, b.count)
        let pa = [Int](repeating: 1, count: r - a.count) + a, pb = [Int](repeating: 1, count: r - b.count) + b
        return zip(pa, pb).map { x, y in
            precondition(x == y || x == 1 || y == 1, "cannot broadcast \(a) with \(b)")
            return max(x, y)
        }
    }

    /// Strides of `shape` aligned to `target`'s rank, zero along broadcast axes.
    static func broadcastStrides(_ shape: [Int], to target: [Int]) -> [Int] {
        let padded = [Int](repeating: 1, count: target.count - shape.count) + shape
        var strides = [Int](repeating: 0, count: target.count)
        var s = 1
        for i in stride(from: target.count - 1, through: 0, by: -1) {
            strides[i] = padded[i] == 1 && target[i] != 1 ? 0 : s
            s *= padded[i]
        }
        return strides
    }

    /// Visits every element of `target` in order with the matching source offset.
    @inline(__always)
    static func forEachBroadcast(_ target: [Int], _ strides: [Int], _ body: (Int, Int) -> Void) {
        let r = target.count
        if r == 0 { body(0, 0); return }
        let inner = target[r - 1], innerStride = strides[r - 1]
        let outer = target.dropLast().reduce(1, *)
        var idx = [Int](repeating: 0, count: max(0, r - 1))
        var src = 0
        for o in 0..<outer {
            let dstBase = o * inner
            for i in 0..<inner { body(dstBase + i, src + i * innerStride) }
            // Advance the multi-index over the outer axes.
            var d = r - 2
            while d >= 0 {
                idx[d] += 1; src += strides[d]
                if idx[d] < target[d] { break }
                src -= strides[d] * target[d]; idx[d] = 0; d -= 1
            }
        }
    }

    /// `t` broadcast to `shape`.
    public static func expand(_ t: Tensor, to shape: [Int]) -> Tensor {
        if t.shape == shape { return t }
        let strides = broadcastStrides(t.shape, to: shape)
        return t.withPointer { s in
            Tensor.make(shape: shape) { d in forEachBroadcast(shape, strides) { o, i in d[o] = s[i] } }
        }
    }

    /// Sums `t` over the axes along which `shape` was broadcast to `t.shape`.
    public static func sumTo(_ t: Tensor, shape: [Int]) -> Tensor {
        if t.shape == shape { return t }
        let strides = broadcastStrides(shape, to: t.shape)
        var out = Tensor.zeros(shape)
        t.withPointer { s in out.withMutablePointer { d in forEachBroadcast(t.shape, strides) { o, i in d[i] += s[o] } } }
        return out
    }
}
