import Foundation
import Deterministic
import Tensor

/// The transformer prior on the decoding path: one position at a time in raster order with a
/// key/value cache, written from + - * / only, `DetMath.exp` and sums in a fixed order, so
/// encoder and decoder get bit-identical logits on any IEEE-754 machine.
///
/// Order of every sum (all Float and from +0 unless said otherwise):
/// - embedding: the rows of `IndexTransformerConfig.rows` in slot order;
/// - linear layers: `y_j = (sum over p ascending of x_p * W[j][p]) + b_j` (as `DeterministicKernels.linear`);
/// - LayerNorm: as `DeterministicKernels.layerNorm` (Double mean and variance in memory order);
/// - attention per head: score `s_o = (sum over c ascending of q_c k_c) * (1 / sqrt(dh)) + bias[h][o]`
///   for the offsets inside the grid in `config.offsets` order; `e_o = DetMath.exp(s_o - max s)`;
///   total in Double over the same order; `p_o = e_o / Float(total)`; `out_c = sum over o of p_o v_o,c`.
/// Decoding is serial, so no thread count can change a result.
public final class IndexTransformerDecoder {
    public let config: IndexTransformerConfig

    struct Layer {
        var ln1w: [Float], ln1b: [Float], ln2w: [Float], ln2b: [Float]
        /// Transposed weights [in][out], so one input element scales a contiguous row of outputs.
        var qkvT: [Float], qkvB: [Float], projT: [Float], projB: [Float]
        var fc1T: [Float], fc1B: [Float], fc2T: [Float], fc2B: [Float]
        var bias: [Float]
    }

    let embed: [Float]
    let layers: [Layer]
    let lnfW: [Float], lnfB: [Float], headT: [Float], headB: [Float]
    let offsets: [(dy: Int, dx: Int)]

    /// `weights` holds every tensor of `config.parameterShapes` (checked by the caller).
    /// The decoder for a weights file written by `IndexTransformer.weightsFile` (shapes checked).
    public convenience init(file: SafeTensorsFile, path: String) throws {
        let config = try IndexTransformerConfig.validated(file: file, path: path)
        self.init(config: config, weights: file.tensors.mapValues { $0.tensor() })
    }

    public init(config: IndexTransformerConfig, weights w: [String: Tensor]) {
        self.config = config
        func t(_ name: String) -> Tensor { w[name]! }
        embed = t("embed").storage
        layers = (0..<config.layers).map { b in
            let p = "blocks.\(b)."
            return Layer(ln1w: t(p + "ln1.weight").storage, ln1b: t(p + "ln1.bias").storage,
                         ln2w: t(p + "ln2.weight").storage, ln2b: t(p + "ln2.bias").storage,
                         qkvT: DeterministicKernels.transpose2D(t(p + "qkv.weight")).storage, qkvB: t(p + "qkv.bias").storage,
                         projT: DeterministicKernels.transpose2D(t(p + "proj.weight")).storage, projB: t(p + "proj.bias").storage,
                         fc1T: DeterministicKernels.transpose2D(t(p + "fc1.weight")).storage, fc1B: t(p + "fc1.bias").storage,
                         fc2T: DeterministicKernels.transpose2D(t(p + "fc2.weight")).storage, fc2B: t(p + "fc2.bias").storage,
                         bias: t(p + "attn_bias").storage)
        }
        lnfW = t("ln_f.weight").storage; lnfB = t("ln_f.bias").storage
        headT = DeterministicKernels.transpose2D(t("head.weight")).storage; headB = t("head.bias").storage
        offsets = config.offsets
    }

    /// Visits every position of level `level` of a `width x height` grid in raster order, handing
    /// `body` the position and its logits; `body` returns the index there (known to an encoder,
    /// decoded by a decoder). `lower[m]` is level `m`'s plane for `m < level`. Returns the plane.
    public func run(level: Int, width: Int, height: Int, lower: [[Int32]],
                    _ body: (_ position: Int, _ logits: UnsafeBufferPointer<Float>) throws -> Int32) rethrows -> [Int32] {
        let c = config, d = c.dModel, hw = width * height, K = c.codebookSize
        precondition(level >= 0 && level < c.levels && lower.count >= level, "level \(level) of \(c.levels)")
        for m in 0..<level { precondition(lower[m].count == hw, "lower plane \(m) size") }
        var plane = [Int32](repeating: 0, count: hw)
        // Keys and values of every coded position, per block: [layers][hw][d].
        var kCache = [Float](repeating: 0, count: c.layers * hw * d)
        var vCache = kCache
        var x = [Float](repeating: 0, count: d), h = x, att = x, tmp = x
        var qkv = [Float](repeating: 0, count: 3 * d), hid = [Float](repeating: 0, count: c.hidden)
        var logits = [Float](repeating: 0, count: K)
        var rows = [Int32](repeating: -1, count: c.slots)
        var probs = [Float](repeating: 0, count: offsets.count)
        // The keys inside the grid for the current position, in offset order: raster index and offset number.
        var keyAt = [Int](repeating: 0, count: offsets.count), keyOffset = keyAt
        let scale = 1 / Float(c.headDim).squareRoot()
        for y in 0..<height {
            for xx in 0..<width {
                let i = y * width + xx
                rows.withUnsafeMutableBufferPointer { r in
                    plane.withUnsafeBufferPointer { pl in
                        c.rows(level: level, x: xx, y: y, width: width, into: r.baseAddress!) { m, j in m == level ? pl[j] : lower[m][j] }
                    }
                }
                var keys = 0
                for (j, o) in offsets.enumerated() {
                    let yy = y - o.dy, kx = xx + o.dx
                    if yy >= 0, kx >= 0, kx < width { keyAt[keys] = yy * width + kx; keyOffset[keys] = j; keys += 1 }
                }
                // Embedding sum.
                x.withUnsafeMutableBufferPointer { xs in
                    embed.withUnsafeBufferPointer { es in
                        for k in 0..<d { xs[k] = 0 }
                        for r in rows where r >= 0 {
                            let e = es.baseAddress! + Int(r) * d
                            for k in 0..<d { xs[k] = xs[k] + e[k] }
                        }
                    }
                }
                for (li, L) in layers.enumerated() {
                    Self.layerNorm(x, L.ln1w, L.ln1b, into: &h)
                    Self.linear(h, L.qkvT, L.qkvB, into: &qkv)
                    let base = li * hw * d
                    for k in 0..<d { kCache[base + i * d + k] = qkv[d + k]; vCache[base + i * d + k] = qkv[2 * d + k] }
                    qkv.withUnsafeBufferPointer { qs in kCache.withUnsafeBufferPointer { ks in vCache.withUnsafeBufferPointer { vs in
                    L.bias.withUnsafeBufferPointer { bs in keyAt.withUnsafeBufferPointer { ka in keyOffset.withUnsafeBufferPointer { ko in
                    probs.withUnsafeMutableBufferPointer { ps in att.withUnsafeMutableBufferPointer { os in
                        attend(q: qs.baseAddress!, keys: ks.baseAddress! + base, values: vs.baseAddress! + base, bias: bs.baseAddress!,
                               keyAt: ka.baseAddress!, keyOffset: ko.baseAddress!, count: keys, scale: scale,
                               probs: ps.baseAddress!, out: os.baseAddress!)
                    } } } } } } } }
                    Self.linear(att, L.projT, L.projB, into: &tmp)
                    for k in 0..<d { x[k] = x[k] + tmp[k] }
                    Self.layerNorm(x, L.ln2w, L.ln2b, into: &h)
                    Self.linear(h, L.fc1T, L.fc1B, into: &hid)
                    for k in 0..<hid.count { hid[k] = hid[k] > 0 ? hid[k] : 0 }
                    Self.linear(hid, L.fc2T, L.fc2B, into: &tmp)
                    for k in 0..<d { x[k] = x[k] + tmp[k] }
                }
                Self.layerNorm(x, lnfW, lnfB, into: &h)
                Self.linear(h, headT, headB, into: &logits)
                let v = try logits.withUnsafeBufferPointer { try body(i, $0) }
                precondition(v >= 0 && Int(v) < K, "index \(v) outside the codebook")
                plane[i] = v
            }
        }
        return plane
    }

    /// Logits of every position of `planes[level]` (teacher forcing), [hw * K].
    public func logits(level: Int, width: Int, height: Int, planes: [[Int32]]) -> [Float] {
        let K = config.codebookSize
        var out = [Float](repeating: 0, count: width * height * K)
        _ = run(level: level, width: width, height: height, lower: Array(planes[0..<level])) { i, l in
            for k in 0..<K { out[i * K + k] = l[k] }
            return planes[level][i]
        }
        return out
    }

    /// Attention of one query over `count` keys (raster indices `keyAt`, offset numbers
    /// `keyOffset`, in offset order). Four keys' scores are summed side by side (independent
    /// chains, each over channels ascending), which changes no result.
    private func attend(q: UnsafePointer<Float>, keys: UnsafePointer<Float>, values: UnsafePointer<Float>,
                        bias: UnsafePointer<Float>, keyAt: UnsafePointer<Int>, keyOffset: UnsafePointer<Int>, count: Int,
                        scale: Float, probs pr: UnsafeMutablePointer<Float>, out o: UnsafeMutablePointer<Float>) {
        let d = config.dModel, dh = config.headDim, no = offsets.count
        for k in 0..<d { o[k] = 0 }
        for h in 0..<config.heads {
            let qh = q + h * dh, bh = bias + h * no
            var t = 0
            while t + 4 <= count {
                let k0 = keys + keyAt[t] * d + h * dh, k1 = keys + keyAt[t + 1] * d + h * dh
                let k2 = keys + keyAt[t + 2] * d + h * dh, k3 = keys + keyAt[t + 3] * d + h * dh
                var s0: Float = 0, s1: Float = 0, s2: Float = 0, s3: Float = 0
                for c in 0..<dh {
                    let qc = qh[c]
                    s0 = s0 + qc * k0[c]; s1 = s1 + qc * k1[c]; s2 = s2 + qc * k2[c]; s3 = s3 + qc * k3[c]
                }
                pr[t] = s0 * scale + bh[keyOffset[t]]; pr[t + 1] = s1 * scale + bh[keyOffset[t + 1]]
                pr[t + 2] = s2 * scale + bh[keyOffset[t + 2]]; pr[t + 3] = s3 * scale + bh[keyOffset[t + 3]]
                t += 4
            }
            while t < count {
                let k0 = keys + keyAt[t] * d + h * dh
                var s0: Float = 0
                for c in 0..<dh { s0 = s0 + qh[c] * k0[c] }
                pr[t] = s0 * scale + bh[keyOffset[t]]
                t += 1
            }
            var m = -Float.infinity
            for t in 0..<count where pr[t] > m { m = pr[t] }
            var total = 0.0
            for t in 0..<count {
                pr[t] = DetMath.exp(pr[t] - m)
                total += Double(pr[t])
            }
            let tf = Float(total)
            let oh = o + h * dh
            for t in 0..<count {
                let p = pr[t] / tf
                let vp = values + keyAt[t] * d + h * dh
                for c in 0..<dh { oh[c] = oh[c] + p * vp[c] }
            }
        }
    }

    /// y = ((x - mean) * rstd) * w + b with Double statistics in memory order, eps 1e-5.
    static func layerNorm(_ x: [Float], _ w: [Float], _ b: [Float], into y: inout [Float]) {
        let n = x.count
        var sum = 0.0
        for i in 0..<n { sum += Double(x[i]) }
        let mean = sum / Double(n)
        var sq = 0.0
        for i in 0..<n { let t = Double(x[i]) - mean; sq += t * t }
        let rstd = Float(1 / (sq / Double(n) + Double(Float(1e-5))).squareRoot())
        let mf = Float(mean)
        for i in 0..<n { y[i] = ((x[i] - mf) * rstd) * w[i] + b[i] }
    }

    /// y_j = (sum over p ascending of x_p * wt[p][j]) + b_j, 16 outputs per vector lane group.
    static func linear(_ x: [Float], _ wt: [Float], _ b: [Float], into y: inout [Float]) {
        let k = x.count, n = b.count
        x.withUnsafeBufferPointer { xs in
            wt.withUnsafeBufferPointer { ws in
                b.withUnsafeBufferPointer { bs in
                    y.withUnsafeMutableBufferPointer { ys in
                        let xp = xs.baseAddress!, wp = ws.baseAddress!, bp = bs.baseAddress!, yp = ys.baseAddress!
                        typealias V = SIMD16<Float>
                        var j = 0
                        while j + 64 <= n {
                            var a0 = V(), a1 = V(), a2 = V(), a3 = V()
                            for p in 0..<k {
                                let s = V(repeating: xp[p]), r = UnsafeRawPointer(wp + p * n + j)
                                a0 = a0 + s * r.loadUnaligned(as: V.self)
                                a1 = a1 + s * r.loadUnaligned(fromByteOffset: 64, as: V.self)
                                a2 = a2 + s * r.loadUnaligned(fromByteOffset: 128, as: V.self)
                                a3 = a3 + s * r.loadUnaligned(fromByteOffset: 192, as: V.self)
                            }
                            let br = UnsafeRawPointer(bp + j), yr = UnsafeMutableRawPointer(yp + j)
                            yr.storeBytes(of: a0 + br.loadUnaligned(as: V.self), as: V.self)
                            yr.storeBytes(of: a1 + br.loadUnaligned(fromByteOffset: 64, as: V.self), toByteOffset: 64, as: V.self)
                            yr.storeBytes(of: a2 + br.loadUnaligned(fromByteOffset: 128, as: V.self), toByteOffset: 128, as: V.self)
                            yr.storeBytes(of: a3 + br.loadUnaligned(fromByteOffset: 192, as: V.self), toByteOffset: 192, as: V.self)
                            j += 64
                        }
                        while j + 16 <= n {
                            var a0 = V()
                            for p in 0..<k { a0 = a0 + V(repeating: xp[p]) * UnsafeRawPointer(wp + p * n + j).loadUnaligned(as: V.self) }
                            UnsafeMutableRawPointer(yp + j).storeBytes(of: a0 + UnsafeRawPointer(bp + j).loadUnaligned(as: V.self), as: V.self)
                            j += 16
                        }
                        while j < n {
                            var a: Float = 0
                            for p in 0..<k { a = a + xp[p] * wp[p * n + j] }
                            yp[j] = a + bp[j]
                            j += 1
                        }
                    }
                }
            }
        }
    }
}
