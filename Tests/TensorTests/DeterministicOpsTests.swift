@testable import Deterministic
import Foundation
import XCTest
@testable import Tensor

/// Every non-convolution deterministic op: bit-identical across threads 1/2/8 and scalar/SIMD
/// (sizes with odd tails), and close to a Double reference.
final class DeterministicOpsTests: XCTestCase {
    typealias K = DeterministicKernels

    func testActivations() {
        let x = detRandomTensor([2, 3, 7, 13], seed: 1, -9, 9)
        let cases: [(String, (Tensor, Int, KernelVariant) -> Tensor, (Double) -> Double, Double)] = [
            ("relu", { K.relu($0, threads: $1, variant: $2) }, { max($0, 0) }, 0),
            ("leakyRelu", { K.leakyRelu($0, slope: 0.2, threads: $1, variant: $2) }, { $0 < 0 ? 0.2 * $0 : $0 }, 1e-7),
            ("silu", { K.silu($0, threads: $1, variant: $2) }, { $0 / (1 + Foundation.exp(-$0)) }, 1e-6),
            ("gelu", { K.gelu($0, threads: $1, variant: $2) }, { 0.5 * $0 * (1 + Foundation.erf($0 / 2.0.squareRoot())) }, 1e-6),
            ("sigmoid", { K.sigmoid($0, threads: $1, variant: $2) }, { 1 / (1 + Foundation.exp(-$0)) }, 1e-6),
            ("tanh", { K.tanh($0, threads: $1, variant: $2) }, { Foundation.tanh($0) }, 1e-6),
            ("softplus", { K.softplus($0, threads: $1, variant: $2) }, { Foundation.log1p(Foundation.exp($0)) }, 1e-6),
            ("exp", { K.exp($0, threads: $1, variant: $2) }, { Foundation.exp($0) }, 1e-6),
        ]
        for (name, op, ref, tol) in cases {
            let r = detAssertInvariant(name) { t, v in op(x, t, v) }
            XCTAssertLessThanOrEqual(detMaxRelativeError(r.storage, x.storage.map { ref(Double($0)) }), tol, name)
        }
    }

    func testAddMulConcat() {
        let a = detRandomTensor([1, 3, 5, 7], seed: 2), b = detRandomTensor([1, 3, 5, 7], seed: 3)
        let s = detAssertInvariant("add") { t, v in K.add(a, b, threads: t, variant: v) }
        let p = detAssertInvariant("mul") { t, v in K.mul(a, b, threads: t, variant: v) }
        XCTAssertEqual(s.storage, zip(a.storage, b.storage).map { $0 + $1 })
        XCTAssertEqual(p.storage, zip(a.storage, b.storage).map { $0 * $1 })
        let c = K.concat([a, b.reshaped([1, 3, 5, 7])], axis: 1)
        XCTAssertEqual(c.shape, [1, 6, 5, 7])
        XCTAssertEqual(c[0, 4, 2, 3], b[0, 1, 2, 3])
        XCTAssertEqual(c[0, 2, 4, 6], a[0, 2, 4, 6])
    }

    func testMatmulAndLinear() {
        let a = detRandomTensor([7, 150], seed: 4), b = detRandomTensor([150, 37], seed: 5)
        let c = detAssertInvariant("matmul") { t, v in K.matmul(a, b, threads: t, variant: v) }
        var ref = [Double](repeating: 0, count: 7 * 37)
        for i in 0..<7 { for j in 0..<37 { for p in 0..<150 { ref[i * 37 + j] += Double(a[i, p]) * Double(b[p, j]) } } }
        XCTAssertLessThan(detMaxRelativeError(c.storage, ref), 1e-5)

        let x = detRandomTensor([5, 11], seed: 6), w = detRandomTensor([9, 11], seed: 7), bias = detRandomTensor([9], seed: 8)
        let y = detAssertInvariant("linear") { t, v in K.linear(x, weight: w, bias: bias, threads: t, variant: v) }
        var lref = [Double](repeating: 0, count: 5 * 9)
        for i in 0..<5 { for j in 0..<9 {
            lref[i * 9 + j] = Double(bias.storage[j]) + (0..<11).reduce(0.0) { $0 + Double(x[i, $1]) * Double(w[j, $1]) }
        } }
        XCTAssertEqual(y.shape, [5, 9])
        XCTAssertLessThan(detMaxRelativeError(y.storage, lref), 1e-5)
    }

    func testGDN() {
        let c = 6
        let x = detRandomTensor([1, c, 5, 19], seed: 9)
        let gamma = detRandomTensor([c, c], seed: 10, 0, 0.2), beta = detRandomTensor([c], seed: 11, 0.5, 1.5)
        for inverse in [false, true] {
            let y = detAssertInvariant("gdn inverse \(inverse)") { t, v in
                K.gdn(x, gamma: gamma, beta: beta, inverse: inverse, threads: t, variant: v)
            }
            var ref = [Double](repeating: 0, count: x.count)
            for i in 0..<c { for p in 0..<95 {
                var norm = Double(beta.storage[i])
                for j in 0..<c { norm += Double(gamma[i, j]) * Double(x.storage[j * 95 + p]) * Double(x.storage[j * 95 + p]) }
                let xv = Double(x.storage[i * 95 + p])
                ref[i * 95 + p] = inverse ? xv * norm.squareRoot() : xv / norm.squareRoot()
            } }
            XCTAssertLessThan(detMaxRelativeError(y.storage, ref), 1e-5)
        }
    }

    func testGroupNormLayerNormL2() {
        let x = detRandomTensor([2, 6, 5, 7], seed: 12, -3, 5)
        let w = detRandomTensor([6], seed: 13), b = detRandomTensor([6], seed: 14)
        let g = detAssertInvariant("groupNorm") { t, v in K.groupNorm(x, groups: 3, weight: w, bias: b, threads: t, variant: v) }
        var ref = [Double](repeating: 0, count: x.count)
        for n in 0..<2 { for grp in 0..<3 {
            let lo = (n * 6 + grp * 2) * 35, vals = (lo..<(lo + 70)).map { Double(x.storage[$0]) }
            let mean = vals.reduce(0, +) / 70, vr = vals.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / 70
            for i in 0..<70 {
                let ch = grp * 2 + i / 35
                ref[lo + i] = (vals[i] - mean) / (vr + 1e-5).squareRoot() * Double(w.storage[ch]) + Double(b.storage[ch])
            }
        } }
        XCTAssertLessThan(detMaxRelativeError(g.storage, ref), 1e-5)

        let rows = detRandomTensor([5, 37], seed: 15, -2, 4)
        let lw = detRandomTensor([37], seed: 16), lb = detRandomTensor([37], seed: 17)
        let l = detAssertInvariant("layerNorm") { t, v in K.layerNorm(rows, weight: lw, bias: lb, threads: t, variant: v) }
        var lref = [Double](repeating: 0, count: rows.count)
        for r in 0..<5 {
            let vals = (0..<37).map { Double(rows[r, $0]) }
            let mean = vals.reduce(0, +) / 37, vr = vals.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / 37
            for j in 0..<37 { lref[r * 37 + j] = (vals[j] - mean) / (vr + 1e-5).squareRoot() * Double(lw.storage[j]) + Double(lb.storage[j]) }
        }
        XCTAssertLessThan(detMaxRelativeError(l.storage, lref), 1e-5)

        let codes = detRandomTensor([2, 8, 3, 7], seed: 18)
        let u = detAssertInvariant("l2Normalize") { t, v in K.l2Normalize(codes, threads: t, variant: v) }
        var uref = [Double](repeating: 0, count: codes.count)
        for n in 0..<2 { for p in 0..<21 {
            let norm = (0..<8).reduce(0.0) { $0 + pow(Double(codes.storage[(n * 8 + $1) * 21 + p]), 2) }.squareRoot()
            for ch in 0..<8 { uref[(n * 8 + ch) * 21 + p] = Double(codes.storage[(n * 8 + ch) * 21 + p]) / norm }
        } }
        XCTAssertLessThan(detMaxRelativeError(u.storage, uref), 1e-6)
    }

    func testSoftmaxAndAttention() {
        let s = detRandomTensor([3, 41], seed: 19, -20, 20)
        let p = detAssertInvariant("softmax") { t, v in K.softmax(s, threads: t, variant: v) }
        for r in 0..<3 {
            let m = (0..<41).map { Double(s[r, $0]) }.max()!
            let e = (0..<41).map { Foundation.exp(Double(s[r, $0]) - m) }, z = e.reduce(0, +)
            XCTAssertLessThan(detMaxRelativeError(Array(p.storage[(r * 41)..<((r + 1) * 41)]), e.map { $0 / z }), 1e-6)
        }

        let c = 8
        let x = detRandomTensor([2, c, 3, 6], seed: 20)
        func w(_ seed: UInt64) -> Tensor { detRandomTensor([c, c, 1, 1], seed: seed, -0.4, 0.4) }
        func bvec(_ seed: UInt64) -> Tensor { detRandomTensor([c], seed: seed, -0.1, 0.1) }
        let wts = K.AttentionWeights(normGroups: 4, normWeight: detRandomTensor([c], seed: 21, 0.5, 1.5),
                                     normBias: bvec(22), q: w(23), qBias: bvec(24), k: w(25), kBias: bvec(26),
                                     v: w(27), vBias: bvec(28), proj: w(29), projBias: bvec(30))
        let y = detAssertInvariant("attentionBlock") { t, v in K.attentionBlock(x, wts, threads: t, variant: v) }
        XCTAssertLessThan(detMaxRelativeError(y.storage, referenceAttention(x, wts)), 1e-5)
    }

    func testPoolResizePixelShuffle() {
        let x = detRandomTensor([1, 3, 8, 22], seed: 31)
        let pooled = detAssertInvariant("avgPool2d") { t, v in K.avgPool2d(x, kernel: 2, threads: t, variant: v) }
        XCTAssertEqual(pooled.shape, [1, 3, 4, 11])
        var pref = [Double]()
        for ch in 0..<3 { for y in 0..<4 { for xx in 0..<11 {
            pref.append((Double(x[0, ch, 2 * y, 2 * xx]) + Double(x[0, ch, 2 * y, 2 * xx + 1])
                         + Double(x[0, ch, 2 * y + 1, 2 * xx]) + Double(x[0, ch, 2 * y + 1, 2 * xx + 1])) / 4)
        } } }
        XCTAssertLessThan(detMaxRelativeError(pooled.storage, pref), 1e-6)

        for (oh, ow) in [(13, 37), (4, 9)] {
            let r = detAssertInvariant("resizeBilinear \(oh)x\(ow)") { t, v in
                K.resizeBilinear(x, height: oh, width: ow, threads: t, variant: v)
            }
            XCTAssertLessThan(detMaxRelativeError(r.storage, referenceResize(x, oh, ow)), 1e-5)
        }

        let ps = K.pixelShuffle(detRandomTensor([1, 8, 3, 5], seed: 32), factor: 2)
        let src = detRandomTensor([1, 8, 3, 5], seed: 32)
        XCTAssertEqual(ps.shape, [1, 2, 6, 10])
        for ch in 0..<2 { for y in 0..<6 { for xx in 0..<10 {
            XCTAssertEqual(ps[0, ch, y, xx], src[0, ch * 4 + (y % 2) * 2 + xx % 2, y / 2, xx / 2])
        } } }
        XCTAssertEqual(K.pixelShuffle(src, factor: 2, threads: 8), ps)
    }

    func testFlowWarpMatchesGridSampleBorder() {
        let x = detRandomTensor([2, 3, 6, 21], seed: 33)
        var flow = detRandomTensor([2, 2, 6, 21], seed: 34, -4, 4)
        flow[0, 0, 1, 1] = 50; flow[0, 1, 2, 2] = -50; flow[1, 0, 3, 3] = 0; flow[1, 1, 3, 3] = 0
        let y = detAssertInvariant("flowWarp") { t, v in K.flowWarp(x, flow: flow, threads: t, variant: v) }
        // grid_sample(bilinear, border, align_corners=True) with DCVC's normalised grid, in Double.
        var ref = [Double]()
        let h = 6, w = 21
        for n in 0..<2 { for ch in 0..<3 { for yy in 0..<h { for xx in 0..<w {
            let gx = -1 + 2 * Double(xx) / Double(w - 1) + Double(flow[n, 0, yy, xx]) / (Double(w - 1) / 2)
            let gy = -1 + 2 * Double(yy) / Double(h - 1) + Double(flow[n, 1, yy, xx]) / (Double(h - 1) / 2)
            let ix = min(max((gx + 1) / 2 * Double(w - 1), 0), Double(w - 1))
            let iy = min(max((gy + 1) / 2 * Double(h - 1), 0), Double(h - 1))
            let x0 = Int(ix.rounded(.down)), y0 = Int(iy.rounded(.down)), fx = ix - Double(x0), fy = iy - Double(y0)
            func at(_ r: Int, _ c: Int) -> Double { r < h && c < w ? Double(x[n, ch, r, c]) : 0 }
            ref.append(at(y0, x0) * (1 - fx) * (1 - fy) + at(y0, x0 + 1) * fx * (1 - fy)
                       + at(y0 + 1, x0) * (1 - fx) * fy + at(y0 + 1, x0 + 1) * fx * fy)
        } } } }
        XCTAssertLessThan(detMaxRelativeError(y.storage, ref), 1e-5)
        XCTAssertEqual(y[1, 2, 3, 3], x[1, 2, 3, 3], "zero flow copies")
    }

    func testGatherCodewords() {
        let book = detRandomTensor([5, 3], seed: 35)
        let idx: [Int32] = [4, 0, 2, 2, 1, 3]
        let g = K.gatherCodewords(book, indices: idx, shape: [1, 2, 3])
        XCTAssertEqual(g.shape, [1, 3, 2, 3])
        for p in 0..<6 { for c in 0..<3 { XCTAssertEqual(g[0, c, p / 3, p % 3], book[Int(idx[p]), c]) } }
    }

    // MARK: references

    func referenceResize(_ x: Tensor, _ oh: Int, _ ow: Int) -> [Double] {
        let h = x.shape[2], w = x.shape[3]
        func coord(_ o: Int, _ n: Int, _ out: Int) -> (Int, Int, Double) {
            let s = max(0, (Double(o) + 0.5) * Double(n) / Double(out) - 0.5)
            let i0 = min(Int(s), n - 1)
            return (i0, min(i0 + 1, n - 1), s - Double(i0))
        }
        var out = [Double]()
        for ch in 0..<x.shape[1] { for y in 0..<oh { for xx in 0..<ow {
            let (y0, y1, ly) = coord(y, h, oh), (x0, x1, lx) = coord(xx, w, ow)
            func v(_ r: Int, _ c: Int) -> Double { Double(x[0, ch, r, c]) }
            out.append((1 - ly) * ((1 - lx) * v(y0, x0) + lx * v(y0, x1)) + ly * ((1 - lx) * v(y1, x0) + lx * v(y1, x1)))
        } } }
        return out
    }

    func referenceAttention(_ x: Tensor, _ w: K.AttentionWeights) -> [Double] {
        let n = x.shape[0], c = x.shape[1], hw = x.shape[2] * x.shape[3], cpg = c / w.normGroups
        var out = [Double]()
        for b in 0..<n {
            func xv(_ ch: Int, _ p: Int) -> Double { Double(x.storage[(b * c + ch) * hw + p]) }
            var h = [[Double]](repeating: [Double](repeating: 0, count: hw), count: c)
            for g in 0..<w.normGroups {
                let vals = (g * cpg..<(g + 1) * cpg).flatMap { ch in (0..<hw).map { xv(ch, $0) } }
                let mean = vals.reduce(0, +) / Double(vals.count)
                let vr = vals.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(vals.count)
                for ch in g * cpg..<(g + 1) * cpg { for p in 0..<hw {
                    h[ch][p] = (xv(ch, p) - mean) / (vr + Double(w.eps)).squareRoot() * Double(w.normWeight.storage[ch])
                        + Double(w.normBias.storage[ch])
                } }
            }
            func proj(_ m: Tensor, _ bias: Tensor, _ src: [[Double]]) -> [[Double]] {
                (0..<c).map { o in (0..<hw).map { p in
                    Double(bias.storage[o]) + (0..<c).reduce(0.0) { $0 + Double(m.storage[o * c + $1]) * src[$1][p] }
                } }
            }
            let q = proj(w.q, w.qBias, h), k = proj(w.k, w.kBias, h), v = proj(w.v, w.vBias, h)
            var o = [[Double]](repeating: [Double](repeating: 0, count: hw), count: c)
            for i in 0..<hw {
                let s = (0..<hw).map { j in (0..<c).reduce(0.0) { $0 + q[$1][i] * k[$1][j] } / Double(c).squareRoot() }
                let m = s.max()!, e = s.map { Foundation.exp($0 - m) }, z = e.reduce(0, +)
                for ch in 0..<c { o[ch][i] = (0..<hw).reduce(0.0) { $0 + v[ch][$1] * e[$1] / z } }
            }
            let y = proj(w.proj, w.projBias, o)
            for ch in 0..<c { for p in 0..<hw { out.append(xv(ch, p) + y[ch][p]) } }
        }
        return out
    }
}
