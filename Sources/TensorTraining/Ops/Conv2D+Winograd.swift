import Tensor
/// Stride-1 3x3 convolutions on the training path by Winograd F(4x4, 3x3) (WinogradF43.swift):
/// the forward pass, and through it the input gradient (a convolution with the flipped kernel,
/// `backwardDataAsConvolution`), and the weight gradient as the exact adjoint of the forward.
///
/// Work is cut into blocks of whole tile rows ("strips", each 4 output rows of one sample); per
/// block the input tiles are transformed into V [36][Cin][tiles], 36 GEMMs give M [36][Cout][tiles]
/// = U[ξ] · V[ξ], and the output transform scatters M into y. Blocks run in parallel with
/// single-threaded BLAS; a block's buffers are sized to stay in cache.
private typealias V8 = SIMD8<Float>
@inline(__always) private func load(_ p: UnsafePointer<Float>) -> V8 { WinogradF43.load(p) }
@inline(__always) private func store(_ v: V8, _ p: UnsafeMutablePointer<Float>) { WinogradF43.store(v, p) }

extension TrainingKernels {
    /// Whether 3x3 stride-1 convolutions use Winograd (tests and benchmarks switch it off to
    /// compare against the im2col path).
    nonisolated(unsafe) public static var winogradEnabled = true
    /// Target size in bytes of one block's transformed input (or output) tiles.
    nonisolated(unsafe) public static var winogradBlockBytes = 1 << 21

    /// Whether a convolution of geometry `g` takes the Winograd path: 3x3, stride 1, zero padding
    /// of at most 2, one group, and enough channels on both sides that the tile transforms are cheap
    /// next to the GEMMs.
    public static func usesWinograd(_ g: Conv2DGeometry) -> Bool {
        winogradEnabled && g.kernelH == 3 && g.kernelW == 3 && g.stride == 1 && g.groups == 1
            && g.paddingMode == .zeros && g.padding <= 2 && g.inChannels >= 16 && g.outChannels >= 16
            && g.outHeight > 0 && g.outWidth > 0
    }

    /// Tiles of a convolution and how they are cut into blocks of strips.
    struct WinogradPlan {
        let g: Conv2DGeometry
        let th: Int, tw: Int, strips: Int, stripsPerBlock: Int, blocks: Int

        init(_ g: Conv2DGeometry, threads: Int) {
            self.g = g
            th = (g.outHeight + 3) / 4; tw = (g.outWidth + 3) / 4
            strips = g.batch * th
            let perTile = 36 * max(g.inChannels, g.outChannels) * MemoryLayout<Float>.size
            let target = max(1, TrainingKernels.winogradBlockBytes / (perTile * tw))
            // At least one block per thread when there are enough strips.
            stripsPerBlock = max(1, min(target, (strips + threads - 1) / threads))
            blocks = (strips + stripsPerBlock - 1) / stripsPerBlock
        }

        func block(_ b: Int) -> Range<Int> { b * stripsPerBlock..<min(strips, (b + 1) * stripsPerBlock) }
        var maxTiles: Int { stripsPerBlock * tw }

        /// Tiles of a block rounded up to whole SIMD vectors: the row length of the [36][C][ld] planes.
        func ld(_ tiles: Int) -> Int { (tiles + 7) & ~7 }
        var maxLd: Int { ld(maxTiles) }
        /// Distance between the 36 planes of V (and M): padded so that the planes do not all map
        /// to the same cache sets (36 streams at a multiple of 4 KiB apart thrash L1).
        func vPlane(_ ld: Int) -> Int { g.inChannels * ld + WinogradF43.planePad }
        func mPlane(_ ld: Int) -> Int { g.outChannels * ld + WinogradF43.planePad }
        /// Row length of the gather planes: 8 more than `ld`, as gathers write whole vectors.
        func dld(_ ld: Int) -> Int { ld + 8 }
        /// Floats of scratch a gather needs for one padded row (whole vectors read past the end).
        var rowScratch: Int { 4 * tw + 40 }

        /// Gathers the 6x6 input patches of `strips` from the channel plane at `plane` (sample
        /// stride `sampleStride`) into d [36][ld] (zero past the last tile), through `row`, a
        /// zero-padded copy of each input row (so the strided reads need no bounds checks). `row`
        /// must hold zeros outside [p, p + w) (`zeroRowPadding`); only that part is written here.
        func gatherPatches(_ plane: UnsafePointer<Float>, sampleStride: Int, strips: Range<Int>,
                           _ d: UnsafeMutablePointer<Float>, row: UnsafeMutablePointer<Float>) {
            let h = g.height, w = g.width, p = g.padding, tiles = strips.count * tw, ld = dld(ld(tiles))
            let copy = min(w, rowScratch - p)
            for (si, s) in strips.enumerated() {
                let src = plane + (s / th) * sampleStride, ty = s % th
                for j in 0..<6 {
                    let iy = 4 * ty + j - p
                    let d0 = d + j * 6 * ld + si * tw
                    guard iy >= 0 && iy < h else {
                        for m in 0..<6 { (d0 + m * ld).update(repeating: 0, count: tw) }
                        continue
                    }
                    // row[i] = x[iy][i - p], zero outside the image.
                    (row + p).update(from: src + iy * w, count: copy)
                    let d1 = d0 + ld, d2 = d1 + ld, d3 = d2 + ld, d4 = d3 + ld, d5 = d4 + ld
                    // d_m[tx] = row[4 tx + m], 8 tiles per step; a last partial step writes up to 7
                    // values into the next strip's columns, which that strip then overwrites.
                    var tx = 0
                    while tx < tw {
                        let r = row + 4 * tx
                        let a = load(r), b = load(r + 8), c = load(r + 16), e = load(r + 24), f = load(r + 32)
                        store(V8(a[0], a[4], b[0], b[4], c[0], c[4], e[0], e[4]), d0 + tx)
                        store(V8(a[1], a[5], b[1], b[5], c[1], c[5], e[1], e[5]), d1 + tx)
                        store(V8(a[2], a[6], b[2], b[6], c[2], c[6], e[2], e[6]), d2 + tx)
                        store(V8(a[3], a[7], b[3], b[7], c[3], c[7], e[3], e[7]), d3 + tx)
                        store(V8(a[4], b[0], b[4], c[0], c[4], e[0], e[4], f[0]), d4 + tx)
                        store(V8(a[5], b[1], b[5], c[1], c[5], e[1], e[5], f[1]), d5 + tx)
                        tx += 8
                    }
                }
            }
            for r in 0..<36 { (d + r * ld + tiles).update(repeating: 0, count: ld - tiles) }
        }

        /// Zeros the parts of the row copy `gatherPatches` never writes (the padding either side
        /// of the image row), once for all the rows of all channels it then gathers.
        func zeroRowPadding(_ row: UnsafeMutablePointer<Float>) {
            let p = g.padding, copy = min(g.width, rowScratch - p)
            row.update(repeating: 0, count: p)
            (row + p + copy).update(repeating: 0, count: rowScratch - p - copy)
        }

        /// Gathers the 4x4 output-gradient tiles of `strips` from the plane at `plane` into
        /// e [16][ld] (zero beyond the output and past the last tile), through the row copy `row`.
        func gatherOutputTiles(_ plane: UnsafePointer<Float>, sampleStride: Int, strips: Range<Int>,
                               _ e: UnsafeMutablePointer<Float>, row: UnsafeMutablePointer<Float>) {
            let oh = g.outHeight, ow = g.outWidth, tiles = strips.count * tw, ld = dld(ld(tiles))
            // Zero beyond the output row once: each row below only copies its ow values.
            (row + ow).update(repeating: 0, count: 4 * tw + 32 - ow)
            for (si, s) in strips.enumerated() {
                let src = plane + (s / th) * sampleStride, ty = s % th
                for i in 0..<4 {
                    let oy = 4 * ty + i
                    let e0 = e + i * 4 * ld + si * tw
                    guard oy < oh else {
                        for l in 0..<4 { (e0 + l * ld).update(repeating: 0, count: tw) }
                        continue
                    }
                    row.update(from: src + oy * ow, count: ow)
                    let e1 = e0 + ld, e2 = e1 + ld, e3 = e2 + ld
                    var tx = 0 // as in gatherPatches
                    while tx < tw {
                        let r = row + 4 * tx
                        let a = load(r), b = load(r + 8), c = load(r + 16), f = load(r + 24)
                        store(V8(a[0], a[4], b[0], b[4], c[0], c[4], f[0], f[4]), e0 + tx)
                        store(V8(a[1], a[5], b[1], b[5], c[1], c[5], f[1], f[5]), e1 + tx)
                        store(V8(a[2], a[6], b[2], b[6], c[2], c[6], f[2], f[6]), e2 + tx)
                        store(V8(a[3], a[7], b[3], b[7], c[3], c[7], f[3], f[7]), e3 + tx)
                        tx += 8
                    }
                }
            }
            for r in 0..<16 { (e + r * ld + tiles).update(repeating: 0, count: ld - tiles) }
        }

        /// V [36][cin][ld] of the input tiles of `strips`. `d` holds 36 x maxLd floats, `row`
        /// `rowScratch`, `t` 36 vectors.
        func inputTransform(_ x: UnsafePointer<Float>, strips: Range<Int>, _ v: UnsafeMutablePointer<Float>,
                            d: UnsafeMutablePointer<Float>, row: UnsafeMutablePointer<Float>, t: UnsafeMutablePointer<SIMD8<Float>>) {
            let cin = g.inChannels, hw = g.height * g.width, ld = ld(strips.count * tw)
            zeroRowPadding(row)
            for ci in 0..<cin {
                gatherPatches(x + ci * hw, sampleStride: cin * hw, strips: strips, d, row: row)
                for q in stride(from: 0, to: ld, by: 8) {
                    WinogradF43.inputTiles(d + q, ld: dld(ld), v + ci * ld + q, vStride: vPlane(ld), t: t)
                }
            }
        }

        /// Per-thread buffers: V and M planes, patch gather, padded row, transform registers.
        struct Buffers {
            var v: [Float], m: [Float], d: [Float], row: [Float]
            var t = [SIMD8<Float>](repeating: .zero, count: 36)
            init(_ plan: WinogradPlan) {
                let ld = plan.maxLd
                v = scratch(36 * plan.vPlane(ld)); m = scratch(36 * plan.mPlane(ld))
                d = scratch(36 * plan.dld(ld)); row = scratch(plan.rowScratch)
            }

            mutating func with<R>(_ body: (UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>,
                                            UnsafeMutablePointer<Float>, UnsafeMutablePointer<SIMD8<Float>>) -> R) -> R {
                v.withUnsafeMutableBufferPointer { v in m.withUnsafeMutableBufferPointer { m in
                    d.withUnsafeMutableBufferPointer { d in row.withUnsafeMutableBufferPointer { row in
                        t.withUnsafeMutableBufferPointer { t in
                            body(v.baseAddress!, m.baseAddress!, d.baseAddress!, row.baseAddress!, t.baseAddress!)
                        }
                    } }
                } }
            }
        }
    }

    /// y = conv3x3(x, w) + bias by Winograd; `y` is fully overwritten. `u`, when given, is the
    /// kernel transform of `w` (`WinogradWeights.forward`), else it is computed here.
    static func winogradForward(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>,
                                _ g: Conv2DGeometry, bias: UnsafePointer<Float>?, u given: UnsafePointer<Float>? = nil) {
        if let given { winogradForward(x, u: given, y, g, bias: bias); return }
        let cin = g.inChannels, cout = g.outChannels
        var u = scratch(36 * WinogradF43.uPlane(cout: cout, cin: cin))
        u.withUnsafeMutableBufferPointer { WinogradF43.kernelTransform(w, cout: cout, cin: cin, $0.baseAddress!) }
        u.withUnsafeBufferPointer { winogradForward(x, u: $0.baseAddress!, y, g, bias: bias) }
    }

    /// y = conv3x3(x, w) + bias by Winograd from the kernel transform `u` of w (36 [cout][cin] planes).
    static func winogradForward(_ x: UnsafePointer<Float>, u up: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>,
                                        _ g: Conv2DGeometry, bias: UnsafePointer<Float>?) {
        let cin = g.inChannels, cout = g.outChannels
        let uPlane = WinogradF43.uPlane(cout: cout, cin: cin)
        let plan = WinogradPlan(g, threads: TrainingKernels.threads)
        let parts = min(TrainingKernels.threads, plan.blocks)
        Gemm.setThreads(parts > 1 ? 1 : TrainingKernels.threads)
        let oh = g.outHeight, ow = g.outWidth, ohw = oh * ow, tw = plan.tw, th = plan.th
        parallelChunks(plan.blocks, parts: parts) { blocks in
            var buffers = WinogradPlan.Buffers(plan)
            buffers.with { vp, mp, d, rowBuf, t in
                for b in blocks {
                    let strips = plan.block(b), ld = plan.ld(strips.count * tw)
                    plan.inputTransform(x, strips: strips, vp, d: d, row: rowBuf, t: t)
                    for xi in 0..<36 {
                        Gemm.sgemm(m: cout, n: ld, k: cin, a: up + xi * uPlane, lda: cin,
                                   b: vp + xi * plan.vPlane(ld), ldb: ld, c: mp + xi * plan.mPlane(ld), ldc: ld)
                    }
                    let o = d // 16 output planes of one channel
                    for co in 0..<cout {
                        let beta = bias?[co] ?? 0
                        for q in stride(from: 0, to: ld, by: 8) {
                            WinogradF43.outputTiles(mp + co * ld + q, mStride: plan.mPlane(ld), o + q, ld: ld, bias: beta, t: t)
                        }
                        for (si, s) in strips.enumerated() {
                            let plane = y + ((s / th) * cout + co) * ohw, ty = s % th
                            for i in 0..<4 where 4 * ty + i < oh {
                                let row = plane + (4 * ty + i) * ow, src = o + i * 4 * ld + si * tw
                                // row[4 tx + l] = o_l[tx]: interleave 8 tiles at a time, then singly.
                                let full = ow / 4
                                var tx = 0
                                while tx + 8 <= full {
                                    let a = load(src + tx), b = load(src + ld + tx)
                                    let c = load(src + 2 * ld + tx), e = load(src + 3 * ld + tx)
                                    let r = row + 4 * tx
                                    store(V8(a[0], b[0], c[0], e[0], a[1], b[1], c[1], e[1]), r)
                                    store(V8(a[2], b[2], c[2], e[2], a[3], b[3], c[3], e[3]), r + 8)
                                    store(V8(a[4], b[4], c[4], e[4], a[5], b[5], c[5], e[5]), r + 16)
                                    store(V8(a[6], b[6], c[6], e[6], a[7], b[7], c[7], e[7]), r + 24)
                                    tx += 8
                                }
                                while tx < full {
                                    for l in 0..<4 { row[4 * tx + l] = src[l * ld + tx] }
                                    tx += 1
                                }
                                if full < tw { for l in 0..<(ow - 4 * full) { row[4 * full + l] = src[l * ld + full] } }
                            }
                        }
                    }
                }
            }
        }
    }

    /// dw += ∂L/∂w for output gradient `gradOut` and input `x` of the Winograd convolution `g`.
    static func winogradAddWeightGradient(_ gradOut: Tensor, input x: Tensor, geometry g: Conv2DGeometry,
                                          into dw: UnsafeMutablePointer<Float>) {
        precondition(g.kernelH == 3 && g.kernelW == 3 && g.stride == 1 && g.groups == 1 && x.shape == [g.batch, g.inChannels, g.height, g.width] && gradOut.shape == g.outputShape,
                     "Winograd weight gradient for \(x.shape) -> \(gradOut.shape)")
        x.withPointer { xp in gradOut.withPointer { gp in winogradBackwardWeight(xp, gp, dw, g) } }
    }

    /// dw += ∂L/∂w of a Winograd-eligible convolution: per ξ, dU[ξ] += Mg[ξ] · V[ξ]ᵀ with
    /// Mg = A dY Aᵀ tile by tile, then dw += Gᵀ dU G. Per-thread dU partials are summed in order.
    static func winogradBackwardWeight(_ x: UnsafePointer<Float>, _ dy: UnsafePointer<Float>, _ dw: UnsafeMutablePointer<Float>,
                                       _ g: Conv2DGeometry) {
        let cin = g.inChannels, cout = g.outChannels
        let plan = WinogradPlan(g, threads: TrainingKernels.threads)
        let parts = min(TrainingKernels.threads, plan.blocks)
        Gemm.setThreads(parts > 1 ? 1 : TrainingKernels.threads)
        let ohw = g.outHeight * g.outWidth, tw = plan.tw
        let uPlane = WinogradF43.uPlane(cout: cout, cin: cin), uCount = 36 * uPlane
        // Each part's first GEMM overwrites its partial (beta 0), so none needs zeroing first.
        var partials = scratch(uCount * parts)
        partials.withUnsafeMutableBufferPointer { pb in
            let pbase = pb.baseAddress!
            TrainingKernels.parallelParts(plan.blocks, parts: parts) { part, blocks in
                let du = pbase + part * uCount
                var buffers = WinogradPlan.Buffers(plan)
                buffers.with { vp, mp, d, rowBuf, t in
                    for b in blocks {
                        let strips = plan.block(b), tiles = strips.count * tw, ld = plan.ld(tiles)
                        plan.inputTransform(x, strips: strips, vp, d: d, row: rowBuf, t: t)
                        let e = d // 16 output-gradient planes of one channel
                        for co in 0..<cout {
                            plan.gatherOutputTiles(dy + co * ohw, sampleStride: cout * ohw, strips: strips, e, row: rowBuf)
                            for q in stride(from: 0, to: ld, by: 8) {
                                WinogradF43.outputGradientTiles(e + q, ld: plan.dld(ld), mp + co * ld + q, mStride: plan.mPlane(ld), t: t)
                            }
                        }
                        for xi in 0..<36 {
                            Gemm.sgemm(transB: true, m: cout, n: cin, k: tiles, a: mp + xi * plan.mPlane(ld), lda: ld,
                                       b: vp + xi * plan.vPlane(ld), ldb: ld, beta: b == blocks.lowerBound ? 0 : 1,
                                       c: du + xi * uPlane, ldc: cin)
                        }
                    }
                }
            }
            for part in 1..<max(1, parts) {
                let src = pbase + part * uCount
                for i in 0..<uCount { pbase[i] += src[i] }
            }
            WinogradF43.kernelTransformAdjoint(pbase, cout: cout, cin: cin, dw)
        }
    }
}
