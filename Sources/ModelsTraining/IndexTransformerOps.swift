import Foundation
import Models
import Tensor
import TensorTraining

/// The two differentiable operations of the transformer prior that the generic `Ops` lack:
/// a sum of embedding rows per position, and attention over a fixed causal 2-D neighbourhood.
enum IndexTransformerOps {
    /// `out[n] = sum over s of table[rows[n * slots + s]]` (slots holding -1 are skipped).
    static func embeddingSum(_ table: Variable, rows: [Int32], slots: Int) -> Variable {
        let d = table.shape[1], n = rows.count / slots
        var out = [Float](repeating: 0, count: n * d)
        table.value.storage.withUnsafeBufferPointer { t in
            out.withUnsafeMutableBufferPointer { o in
                for i in 0..<n {
                    let dst = o.baseAddress! + i * d
                    for s in 0..<slots {
                        let r = Int(rows[i * slots + s])
                        if r < 0 { continue }
                        let src = t.baseAddress! + r * d
                        for c in 0..<d { dst[c] += src[c] }
                    }
                }
            }
        }
        return Variable.node(Tensor(shape: [n, d], storage: out), parents: [table]) { g in
            guard table.requiresGrad else { return }
            var dt = [Float](repeating: 0, count: table.value.count)
            g.storage.withUnsafeBufferPointer { gs in
                dt.withUnsafeMutableBufferPointer { o in
                    for i in 0..<n {
                        let src = gs.baseAddress! + i * d
                        for s in 0..<slots {
                            let r = Int(rows[i * slots + s])
                            if r < 0 { continue }
                            let dst = o.baseAddress! + r * d
                            for c in 0..<d { dst[c] += src[c] }
                        }
                    }
                }
            }
            table.accumulate(Tensor(shape: table.shape, storage: dt))
        }
    }

    /// Multi-head attention of `qkv` [count·height·width, 3·d] (q | k | v, heads side by side in
    /// each) over `offsets` of each position inside its own `height x width` grid (keys outside
    /// the grid are left out), with `bias` [heads, offsets] added to the scaled scores.
    /// Returns [n, d].
    static func localAttention(_ qkv: Variable, bias: Variable, heads: Int, offsets: [(dy: Int, dx: Int)],
                               count: Int, height: Int, width: Int) -> Variable {
        let n = count * height * width, d3 = qkv.shape[1], d = d3 / 3, dh = d / heads, no = offsets.count
        precondition(qkv.shape[0] == n && bias.shape == [heads, no], "localAttention shapes")
        let scale = 1 / Float(dh).squareRoot()
        let keyOf = neighbourTable(offsets: offsets, height: height, width: width)   // [hw][no], -1 outside
        let hw = height * width
        var probs = [Float](repeating: 0, count: n * heads * no)
        var out = [Float](repeating: 0, count: n * d)
        qkv.value.storage.withUnsafeBufferPointer { a in
            bias.value.storage.withUnsafeBufferPointer { bs in
                probs.withUnsafeMutableBufferPointer { pr in
                    out.withUnsafeMutableBufferPointer { o in
                        let base = a.baseAddress!
                        for i in 0..<n {
                            let img = i / hw, p = i % hw
                            for h in 0..<heads {
                                let q = base + i * d3 + h * dh
                                let pp = pr.baseAddress! + (i * heads + h) * no
                                var m = -Float.infinity
                                for o2 in 0..<no {
                                    let kp = keyOf[p * no + o2]
                                    if kp < 0 { continue }
                                    let k = base + (img * hw + kp) * d3 + d + h * dh
                                    var s: Float = 0
                                    for c in 0..<dh { s += q[c] * k[c] }
                                    s = s * scale + bs[h * no + o2]
                                    pp[o2] = s
                                    m = max(m, s)
                                }
                                var sum: Float = 0
                                for o2 in 0..<no where keyOf[p * no + o2] >= 0 {
                                    let e = Foundation.exp(pp[o2] - m); pp[o2] = e; sum += e
                                }
                                let inv = 1 / sum
                                let dst = o.baseAddress! + i * d + h * dh
                                for o2 in 0..<no {
                                    let kp = keyOf[p * no + o2]
                                    if kp < 0 { continue }
                                    pp[o2] *= inv
                                    let v = base + (img * hw + kp) * d3 + 2 * d + h * dh
                                    let w = pp[o2]
                                    for c in 0..<dh { dst[c] += w * v[c] }
                                }
                            }
                        }
                    }
                }
            }
        }
        let qv = qkv.value
        return Variable.node(Tensor(shape: [n, d], storage: out), parents: [qkv, bias]) { g in
            var dq = [Float](repeating: 0, count: n * d3)
            var db = [Float](repeating: 0, count: heads * no)
            var dp = [Float](repeating: 0, count: no)
            qv.storage.withUnsafeBufferPointer { a in
                g.storage.withUnsafeBufferPointer { gs in
                    dq.withUnsafeMutableBufferPointer { dqs in
                        let base = a.baseAddress!, dbase = dqs.baseAddress!
                        for i in 0..<n {
                            let img = i / hw, p = i % hw
                            for h in 0..<heads {
                                let gi = gs.baseAddress! + i * d + h * dh
                                let pp = (i * heads + h) * no
                                var dot: Float = 0
                                for o2 in 0..<no {
                                    let kp = keyOf[p * no + o2]
                                    if kp < 0 { dp[o2] = 0; continue }
                                    let row = (img * hw + kp) * d3
                                    let v = base + row + 2 * d + h * dh, dv = dbase + row + 2 * d + h * dh
                                    let w = probs[pp + o2]
                                    var s: Float = 0
                                    for c in 0..<dh { s += gi[c] * v[c]; dv[c] += w * gi[c] }
                                    dp[o2] = s
                                    dot += w * s
                                }
                                let q = base + i * d3 + h * dh, dqi = dbase + i * d3 + h * dh
                                for o2 in 0..<no {
                                    let kp = keyOf[p * no + o2]
                                    if kp < 0 { continue }
                                    let ds = probs[pp + o2] * (dp[o2] - dot)
                                    db[h * no + o2] += ds
                                    let row = (img * hw + kp) * d3
                                    let k = base + row + d + h * dh, dk = dbase + row + d + h * dh
                                    let dss = ds * scale
                                    for c in 0..<dh { dqi[c] += dss * k[c]; dk[c] += dss * q[c] }
                                }
                            }
                        }
                    }
                }
            }
            qkv.accumulate(Tensor(shape: [n, d3], storage: dq))
            if bias.requiresGrad { bias.accumulate(Tensor(shape: [heads, no], storage: db)) }
        }
    }

    /// For each position `p` of a `height x width` grid and each offset, the key's raster index or -1.
    static func neighbourTable(offsets: [(dy: Int, dx: Int)], height: Int, width: Int) -> [Int] {
        var t = [Int](repeating: -1, count: height * width * offsets.count)
        for y in 0..<height {
            for x in 0..<width {
                for (j, o) in offsets.enumerated() {
                    let yy = y - o.dy, xx = x + o.dx
                    if yy >= 0, xx >= 0, xx < width { t[(y * width + x) * offsets.count + j] = yy * width + xx }
                }
            }
        }
        return t
    }
}
