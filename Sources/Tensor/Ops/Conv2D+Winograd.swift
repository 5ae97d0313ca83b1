/// Stride-1 3x3 convolutions on the training path by Winograd F(4x4, 3x3) (WinogradF43.swift):
/// the forward pass, and through it the input gradient (a convolution with the flipped kernel,
/// `backwardDataAsConvolution`), and the weight gradient as the exact adjoint of the forward.
///
/// Work is cut into blocks of whole tile rows ("strips", each 4 output rows of one sample); per
/// block the input tiles are transformed into V [36][Cin][tiles], 36 GEMMs give M [36][Cout][tiles]
/// = U[ξ] · V[ξ], and the output transform scatters M into y. Blocks run in parallel with
/// single-threaded BLAS; a block's buffers are sized to stay in cache.
extension TrainingKernels {
    /// Whether 3x3 stride-1 convolutions use Winograd (tests and benchmarks switch it off to
    /// compare against the im2col path).
    nonisolated(unsafe) public static var winogradEnabled = true
    /// Target size in bytes of one block's transformed input (or output) tiles.
    nonisolated(unsafe) public static var winogradBlockBytes = 1 << 20

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

        /// Gathers the 6x6 input patches of `strips` from channel planes starting at `x` (channel
        /// stride `channelStride`, sample stride `sampleStride`) into d [36][tiles].
        func gatherPatches(_ plane: UnsafePointer<Float>, sampleStride: Int, strips: Range<Int>,
                           _ d: UnsafeMutablePointer<Float>) {
            let h = g.height, w = g.width, p = g.padding, tiles = strips.count * tw
            for (si, s) in strips.enumerated() {
                let src = plane + (s / th) * sampleStride, ty = s % th
                for j in 0..<6 {
                    let iy = 4 * ty + j - p
                    for m in 0..<6 {
                        let dst = d + (j * 6 + m) * tiles + si * tw
                        guard iy >= 0 && iy < h else { dst.update(repeating: 0, count: tw); continue }
                        let row = src + iy * w
                        // Tiles whose column 4 tx + m - p lies inside the row.
                        let off = m - p
                        let lo = off >= 0 ? 0 : (-off + 3) / 4
                        let hi = min(tw, w - 1 - off < 0 ? 0 : (w - 1 - off) / 4 + 1)
                        for tx in 0..<min(lo, tw) { dst[tx] = 0 }
                        if hi > lo { for tx in lo..<hi { dst[tx] = row[4 * tx + off] } }
                        for tx in max(lo, hi)..<tw { dst[tx] = 0 }
                    }
                }
            }
        }
    }

    /// y = conv3x3(x, w) + bias by Winograd; `y` is fully overwritten.
    static func winogradForward(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>,
                                _ g: Conv2DGeometry, bias: UnsafePointer<Float>?) {
        let cin = g.inChannels, cout = g.outChannels
        var u = scratch(36 * cout * cin)
        u.withUnsafeMutableBufferPointer { WinogradF43.kernelTransform(w, cout: cout, cin: cin, $0.baseAddress!) }
        let plan = WinogradPlan(g, threads: TrainingKernels.threads)
        let parts = min(TrainingKernels.threads, plan.blocks)
        Gemm.setThreads(parts > 1 ? 1 : TrainingKernels.threads)
        let bt = WinogradF43.bt, at = WinogradF43.at
        let oh = g.outHeight, ow = g.outWidth, ohw = oh * ow, hw = g.height * g.width, tw = plan.tw
        u.withUnsafeBufferPointer { ub in
            let up = ub.baseAddress!
            parallelChunks(plan.blocks, parts: parts) { blocks in
                let maxT = plan.maxTiles
                var v = scratch(36 * cin * maxT), m = scratch(36 * cout * maxT), work = scratch(2 * 36 * maxT)
                v.withUnsafeMutableBufferPointer { vb in m.withUnsafeMutableBufferPointer { mb in
                    work.withUnsafeMutableBufferPointer { wb in
                        let vp = vb.baseAddress!, mp = mb.baseAddress!, d = wb.baseAddress!, t = d + 36 * maxT
                        for b in blocks {
                            let strips = plan.block(b), tiles = strips.count * tw
                            // V[k*6+l][ci] = Σ_j Σ_m Bᵀ[k][j] d[j][m] Bᵀ[l][m]
                            for ci in 0..<cin {
                                plan.gatherPatches(x + ci * hw, sampleStride: cin * hw, strips: strips, d)
                                for k in 0..<6 { for mm in 0..<6 {
                                    WinogradF43.combine(t + (k * 6 + mm) * tiles, tiles, bt[k], d + mm * tiles, 6 * tiles)
                                } }
                                for k in 0..<6 { for l in 0..<6 {
                                    WinogradF43.combine(vp + ((k * 6 + l) * cin + ci) * tiles, tiles, bt[l], t + k * 6 * tiles, tiles)
                                } }
                            }
                            for xi in 0..<36 {
                                Gemm.sgemm(m: cout, n: tiles, k: cin, a: up + xi * cout * cin, lda: cin,
                                           b: vp + xi * cin * tiles, ldb: tiles, c: mp + xi * cout * tiles, ldc: tiles)
                            }
                            // y[i][l] = Σ_k Σ_m Aᵀ[i][k] M[k][m] Aᵀ[l][m]
                            let z = d, o = t
                            for co in 0..<cout {
                                for k in 0..<6 { for l in 0..<4 {
                                    WinogradF43.combine(z + (k * 4 + l) * tiles, tiles, at[l], mp + (k * 6 * cout + co) * tiles, cout * tiles)
                                } }
                                for i in 0..<4 { for l in 0..<4 {
                                    WinogradF43.combine(o + (i * 4 + l) * tiles, tiles, at[i], z + l * tiles, 4 * tiles)
                                } }
                                let beta = bias?[co] ?? 0
                                for (si, s) in strips.enumerated() {
                                    let plane = y + ((s / plan.th) * cout + co) * ohw, ty = s % plan.th
                                    for i in 0..<4 where 4 * ty + i < oh {
                                        let row = plane + (4 * ty + i) * ow, src = o + i * 4 * tiles + si * tw
                                        let full = ow / 4
                                        for tx in 0..<full {
                                            for l in 0..<4 { row[4 * tx + l] = src[l * tiles + tx] + beta }
                                        }
                                        if full < tw { for l in 0..<(ow - 4 * full) { row[4 * full + l] = src[l * tiles + full] + beta } }
                                    }
                                }
                            }
                        }
                    }
                } }
            }
        }
    }

    /// dw += ∂L/∂w of a Winograd-eligible convolution: per ξ, dU[ξ] += Mg[ξ] · V[ξ]ᵀ with
    /// Mg = A dY Aᵀ tile by tile, then dw += Gᵀ dU G. Per-thread dU partials are summed in order.
    static func winogradBackwardWeight(_ x: UnsafePointer<Float>, _ dy: UnsafePointer<Float>, _ dw: UnsafeMutablePointer<Float>,
                                       _ g: Conv2DGeometry) {
        let cin = g.inChannels, cout = g.outChannels
        let plan = WinogradPlan(g, threads: TrainingKernels.threads)
        let parts = min(TrainingKernels.threads, plan.blocks)
        Gemm.setThreads(parts > 1 ? 1 : TrainingKernels.threads)
        let bt = WinogradF43.bt, a = WinogradF43.a
        let oh = g.outHeight, ow = g.outWidth, ohw = oh * ow, hw = g.height * g.width, tw = plan.tw
        let uCount = 36 * cout * cin
        var partials = [Float](repeating: 0, count: uCount * parts)
        partials.withUnsafeMutableBufferPointer { pb in
            let pbase = pb.baseAddress!
            TrainingKernels.parallelParts(plan.blocks, parts: parts) { part, blocks in
                let du = pbase + part * uCount, maxT = plan.maxTiles
                var v = scratch(36 * cin * maxT), m = scratch(36 * cout * maxT), work = scratch(2 * 36 * maxT)
                v.withUnsafeMutableBufferPointer { vb in m.withUnsafeMutableBufferPointer { mb in
                    work.withUnsafeMutableBufferPointer { wb in
                        let vp = vb.baseAddress!, mp = mb.baseAddress!, d = wb.baseAddress!, t = d + 36 * maxT
                        for b in blocks {
                            let strips = plan.block(b), tiles = strips.count * tw
                            for ci in 0..<cin {
                                plan.gatherPatches(x + ci * hw, sampleStride: cin * hw, strips: strips, d)
                                for k in 0..<6 { for mm in 0..<6 {
                                    WinogradF43.combine(t + (k * 6 + mm) * tiles, tiles, bt[k], d + mm * tiles, 6 * tiles)
                                } }
                                for k in 0..<6 { for l in 0..<6 {
                                    WinogradF43.combine(vp + ((k * 6 + l) * cin + ci) * tiles, tiles, bt[l], t + k * 6 * tiles, tiles)
                                } }
                            }
                            // Mg[k*6+m][co] = Σ_i Σ_l A[k][i] dY[i][l] A[m][l]
                            let e = d, r = t
                            for co in 0..<cout {
                                for (si, s) in strips.enumerated() {
                                    let plane = dy + ((s / plan.th) * cout + co) * ohw, ty = s % plan.th
                                    for i in 0..<4 {
                                        let oy = 4 * ty + i
                                        for l in 0..<4 {
                                            let dst = e + (i * 4 + l) * tiles + si * tw
                                            guard oy < oh else { dst.update(repeating: 0, count: tw); continue }
                                            let row = plane + oy * ow
                                            for tx in 0..<tw { let ox = 4 * tx + l; dst[tx] = ox < ow ? row[ox] : 0 }
                                        }
                                    }
                                }
                                for k in 0..<6 { for l in 0..<4 {
                                    WinogradF43.combine(r + (k * 4 + l) * tiles, tiles, a[k], e + l * tiles, 4 * tiles)
                                } }
                                for k in 0..<6 { for mm in 0..<6 {
                                    WinogradF43.combine(mp + ((k * 6 + mm) * cout + co) * tiles, tiles, a[mm], r + k * 4 * tiles, tiles)
                                } }
                            }
                            for xi in 0..<36 {
                                Gemm.sgemm(transB: true, m: cout, n: cin, k: tiles, a: mp + xi * cout * tiles, lda: tiles,
                                           b: vp + xi * cin * tiles, ldb: tiles, beta: 1, c: du + xi * cout * cin, ldc: cin)
                            }
                        }
                    }
                } }
            }
            for part in 1..<max(1, parts) {
                let src = pbase + part * uCount
                for i in 0..<uCount { pbase[i] += src[i] }
            }
            WinogradF43.kernelTransformAdjoint(pbase, cout: cout, cin: cin, dw)
        }
    }
}
