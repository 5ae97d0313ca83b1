import Tensor
/// Stride-1 3x3 convolutions with zero padding 1 and one group, as Winograd F(2x2, 3x3)
/// (Lavin & Gray): 16 multiply-adds per input channel for a 2x2 output tile instead of 36.
///
/// The arithmetic is fixed (spec/deterministic-math.md §3 "conv2d, 3x3, stride 1, zero padding 1, one group"): for output
/// tile (ty, tx) covering outputs (2ty + i, 2tx + j), i, j in {0, 1}, and the 4x4 input patch
/// d[r][c] = xpad[2ty + r][2tx + c] (xpad: the input with one zero row/column around it and zeros
/// beyond), per input channel
///     V = Bt(d) by columns then rows (`winogradInputTile`),
/// per weight U = G(g) by columns then rows (`winogradWeight`), then for each of the 16 positions
///     M[p] = sum over ci ascending, from +0, of U[co][ci][p] * V[ci][p],
/// and the output Y = At(M) by columns then rows (`winogradOutputRow`), then `Y + bias`.
extension DeterministicKernels {
    /// Whether `conv2d` takes the Winograd path for this geometry.
    static func usesWinograd(_ g: Conv2DGeometry, stride: Int, padding: Int, mode: PaddingMode, groups: Int) -> Bool {
        g.kernelH == 3 && g.kernelW == 3 && stride == 1 && padding == 1 && mode == .zeros && groups == 1
    }

    static func winogradConv3x3(_ x: Tensor, weight: Tensor, bias: Tensor?, geometry g: Conv2DGeometry,
                                threads: Int, variant: KernelVariant) -> Tensor {
        let cin = g.inChannels, cout = g.outChannels, oh = g.outHeight, ow = g.outWidth
        let tilesH = (oh + 1) / 2, tilesW = (ow + 1) / 2
        // Tiles per work item: a multiple of 16 (whole vectors), about 80, spread evenly.
        let chunks = (tilesW + 79) / 80
        let tw = detRoundUp((tilesW + chunks - 1) / chunks, 16)
        // Each work item pads the 4 input rows of its tiles, split by column parity (phase ph,
        // column j holds padded column 2 (tx0 + j) + ph), one channel at a time in a small scratch.
        let pw = tw + 1
        let u = weight.storage.withUnsafeBufferPointer { w in winogradWeights(w.baseAddress!, cout: cout, cin: cin) }
        var out = detUninitializedFloats(g.batch * cout * oh * ow)  // every output is written
        x.storage.withUnsafeBufferPointer { xs in
            u.data.withUnsafeBufferPointer { up in
                u.blocks.withUnsafeBufferPointer { blocks in
                    detWithOptionalPointer(bias?.storage) { bp in
                        out.withUnsafeMutableBufferPointer { op in
                            let items = g.batch * tilesH * chunks
                            forEachTile(items, threads: threads) { range in
                                guard !range.isEmpty else { return }
                                let v = UnsafeMutablePointer<Float>.allocate(capacity: 16 * cin * tw)
                                let m = UnsafeMutablePointer<Float>.allocate(capacity: 16 * 6 * tw)
                                let pad = UnsafeMutablePointer<Float>.allocate(capacity: 8 * pw)
                                defer { v.deallocate(); m.deallocate(); pad.deallocate() }
                                for item in range {
                                    let c = item % chunks, ty = (item / chunks) % tilesH, n = item / (chunks * tilesH)
                                    let tx0 = c * tw
                                    // 1. V[p][ci][t] for the tiles of this item.
                                    for ci in 0..<cin {
                                        winogradPadRows(xs.baseAddress! + (n * cin + ci) * g.height * g.width,
                                                        height: g.height, width: g.width, firstRow: 2 * ty - 1,
                                                        firstColumn: 2 * tx0 - 1, into: pad, columns: pw)
                                        winogradInputRow(pad, rowStride: pw, phaseStride: 4 * pw,
                                                         into: v + ci * tw, positionStride: cin * tw,
                                                         tiles: tw, variant: variant)
                                    }
                                    // 2-3. Per block of up to 6 output channels (so that M stays in L1):
                                    // M[p][c][t] = U[p] V[p] for the block's rows, one product per
                                    // position, then Y = At(M) + bias into output rows 2ty, 2ty + 1.
                                    let rows = min(2, oh - 2 * ty), cols = min(2 * tw, ow - 2 * tx0)
                                    for blk in blocks {
                                        withUnsafePointer(to: (start: 0, width: blk.width, offset: blk.offset)) { one in
                                            for p in 0..<16 {
                                                let ops = GemmOperands(
                                                    a: up.baseAddress! + p * cout * cin,
                                                    blocks: UnsafeBufferPointer(start: one, count: 1), depth: cin,
                                                    b: v + p * cin * tw, ldb: tw, c: m + p * 6 * tw, ldc: tw,
                                                    columns: tw, bias: nil)
                                                gemm(ops, variant: variant)
                                            }
                                        }
                                        for c in 0..<blk.width {
                                            let co = blk.start + c
                                            let dst = op.baseAddress! + ((n * cout + co) * oh + 2 * ty) * ow + 2 * tx0
                                            winogradOutputRow(m + c * tw, positionStride: 6 * tw, tiles: tw,
                                                              bias: bp?[co], into: dst, rowStride: ow, rows: rows,
                                                              columns: cols, variant: variant)
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return Tensor(shape: g.outputShape, storage: out)
    }

    /// Rows `firstRow ..< firstRow + 4` of one `height` x `width` plane, zero outside it, split by
    /// column parity: `dst[(ph * 4 + r) * columns + j]` = plane[firstRow + r][firstColumn + 2 j + ph].
    static func winogradPadRows(_ src: UnsafePointer<Float>, height h: Int, width w: Int, firstRow: Int,
                                firstColumn: Int, into dst: UnsafeMutablePointer<Float>, columns: Int) {
        for r in 0..<4 {
            let iy = firstRow + r
            for ph in 0..<2 {
                let row = dst + (ph * 4 + r) * columns
                guard iy >= 0 && iy < h else { row.initialize(repeating: 0, count: columns); continue }
                let s = src + iy * w
                // Columns j with 0 <= firstColumn + 2 j + ph < w are inside the plane.
                let c0 = firstColumn + ph
                let j0 = min(columns, max(0, (1 - c0) / 2))
                let j1 = min(columns, max(j0, (w - c0 + 1) / 2))
                row.initialize(repeating: 0, count: j0)
                var j = j0, ix = c0 + 2 * j0
                while j < j1 { row[j] = s[ix]; j += 1; ix += 2 }
                (row + j1).initialize(repeating: 0, count: columns - j1)
            }
        }
    }

    /// U[p][co][ci] packed per position p for `gemm` (rows co, depth ci) from OIHW weights.
    static func winogradWeights(_ w: UnsafePointer<Float>, cout: Int, cin: Int) -> (data: [Float], blocks: [(start: Int, width: Int, offset: Int)]) {
        var u = [Float](repeating: 0, count: 16 * cout * cin)  // [co][ci][p]
        for k in 0..<(cout * cin) {
            let g = w + k * 9
            let t = winogradWeight(g)
            for p in 0..<16 { u[k * 16 + p] = t[p] }
        }
        var data: [Float] = []
        data.reserveCapacity(16 * cout * cin)
        var blocks: [(start: Int, width: Int, offset: Int)] = []
        for p in 0..<16 {
            let packed = PackedGemmA(rows: cout, depth: cin) { co, ci in u[(co * cin + ci) * 16 + p] }
            if p == 0 { blocks = packed.blocks }
            data += packed.data
        }
        return (data, blocks)
    }

    /// U = G g Gt for one 3x3 kernel g (raster order), as 16 values U[r][c] at r * 4 + c.
    /// G's rows: (1, 0, 0), (1/2, 1/2, 1/2), (1/2, -1/2, 1/2), (0, 0, 1); each column of g first,
    /// then each row of the 4x3 result, with `((a + b) + c) * 0.5` and `((a - b) + c) * 0.5`.
    static func winogradWeight(_ g: UnsafePointer<Float>) -> [Float] {
        @inline(__always) func gt(_ a: Float, _ b: Float, _ c: Float) -> (Float, Float, Float, Float) {
            (a, ((a + b) + c) * 0.5, ((a - b) + c) * 0.5, c)
        }
        var t = [Float](repeating: 0, count: 12)  // [r][c], 4 x 3
        for c in 0..<3 {
            let (r0, r1, r2, r3) = gt(g[c], g[3 + c], g[6 + c])
            t[c] = r0; t[3 + c] = r1; t[6 + c] = r2; t[9 + c] = r3
        }
        var u = [Float](repeating: 0, count: 16)
        for r in 0..<4 {
            let (c0, c1, c2, c3) = gt(t[r * 3], t[r * 3 + 1], t[r * 3 + 2])
            u[r * 4] = c0; u[r * 4 + 1] = c1; u[r * 4 + 2] = c2; u[r * 4 + 3] = c3
        }
        return u
    }

    /// V = Bt d B for `tiles` neighbouring tiles of one channel; writes V[p] at `into + p * positionStride`.
    /// `src` is the channel's phase-0 plane at the tile row's first padded row and first tile;
    /// d[r][c] is phase (c & 1) at row r, column t + (c >> 1).
    @inline(__always)
    static func winogradInputRow(_ src: UnsafePointer<Float>, rowStride: Int, phaseStride: Int,
                                 into v: UnsafeMutablePointer<Float>, positionStride: Int, tiles: Int,
                                 variant: KernelVariant) {
        if variant == .simd {
            var t = 0
            while t < tiles {  // tiles is a multiple of 16
                winogradInputTile(src + t, rowStride: rowStride, phaseStride: phaseStride,
                                  into: v + t, positionStride: positionStride) { p in
                    UnsafeRawPointer(p).loadUnaligned(as: DetVector.self)
                } store: { p, x in UnsafeMutableRawPointer(p).storeBytes(of: x, as: DetVector.self) }
                t += 16
            }
        } else {
            for t in 0..<tiles {
                winogradInputTile(src + t, rowStride: rowStride, phaseStride: phaseStride,
                                  into: v + t, positionStride: positionStride) { $0.pointee } store: { $0.pointee = $1 }
            }
        }
    }

    /// Bt's rows: (1, 0, -1, 0), (0, 1, 1, 0), (0, -1, 1, 0), (0, 1, 0, -1): for a column
    /// (d0, d1, d2, d3) -> (d0 - d2, d1 + d2, d2 - d1, d1 - d3); columns first, then rows.
    /// Computed one row r of V at a time (each t[r][c] needs two samples of column c), which keeps
    /// few vectors live; the operations are the same.
    @inline(__always)
    static func winogradInputTile<L: DetLanes>(_ src: UnsafePointer<Float>, rowStride: Int, phaseStride: Int,
                                               into v: UnsafeMutablePointer<Float>, positionStride: Int,
                                               load: (UnsafePointer<Float>) -> L,
                                               store: (UnsafeMutablePointer<Float>, L) -> Void) {
        @inline(__always) func d(_ r: Int, _ c: Int) -> L { load(src + (c & 1) * phaseStride + (c >> 1) + r * rowStride) }
        @inline(__always) func t(_ r: Int, _ c: Int) -> L {
            switch r {
            case 0: return d(0, c) - d(2, c)
            case 1: return d(1, c) + d(2, c)
            case 2: return d(2, c) - d(1, c)
            default: return d(1, c) - d(3, c)
            }
        }
        for r in 0..<4 {
            let t0 = t(r, 0), t1 = t(r, 1), t2 = t(r, 2), t3 = t(r, 3)
            store(v + (r * 4) * positionStride, t0 - t2)
            store(v + (r * 4 + 1) * positionStride, t1 + t2)
            store(v + (r * 4 + 2) * positionStride, t2 - t1)
            store(v + (r * 4 + 3) * positionStride, t1 - t3)
        }
    }

    /// Y = At M A (+ bias) for `tiles` tiles of one output channel; M[p] at `m + p * positionStride`.
    /// At's rows: (1, 1, 1, 0), (0, 1, -1, -1): (m0, m1, m2, m3) -> ((m0 + m1) + m2, (m1 - m2) - m3),
    /// columns first, then rows; then `+ bias`. Writes `rows` x `columns` outputs at `dst`.
    @inline(__always)
    static func winogradOutputRow(_ m: UnsafePointer<Float>, positionStride ps: Int, tiles: Int, bias: Float?,
                                  into dst: UnsafeMutablePointer<Float>, rowStride: Int, rows: Int, columns: Int,
                                  variant: KernelVariant) {
        @inline(__always) func at<L: DetLanes>(_ a: L, _ b: L, _ c: L, _ d: L) -> (L, L) { ((a + b) + c, (b - c) - d) }
        // One output row i at a time: q[i][c] from column c of M, then the row pass, then the bias.
        @inline(__always) func row<L: DetLanes>(_ i: Int, _ load: (Int) -> L) -> (L, L) {
            @inline(__always) func q(_ c: Int) -> L {
                i == 0 ? (load(c) + load(4 + c)) + load(8 + c) : (load(4 + c) - load(8 + c)) - load(12 + c)
            }
            let (y0, y1) = at(q(0), q(1), q(2), q(3))
            guard let bias else { return (y0, y1) }
            return (y0 + L(splat: bias), y1 + L(splat: bias))
        }
        @inline(__always) func tile<L: DetLanes>(_ load: (Int) -> L) -> (L, L, L, L) {
            let (y00, y01) = row(0, load), (y10, y11) = row(1, load)
            return (y00, y01, y10, y11)
        }
        var t = 0
        if variant == .simd {
            while t < tiles && 2 * t < columns {
                let n = min(16, (columns - 2 * t + 1) / 2)
                for i in 0..<rows {
                    let (y0, y1) = row(i) { p in UnsafeRawPointer(m + p * ps + t).loadUnaligned(as: DetVector.self) }
                    let d = dst + i * rowStride + 2 * t
                    if n == 16 && columns - 2 * t >= 32 {
                        var z = SIMD32<Float>()
                        z.evenHalf = y0; z.oddHalf = y1
                        UnsafeMutableRawPointer(d).storeBytes(of: z, as: SIMD32<Float>.self)
                    } else {
                        for l in 0..<n where 2 * l < columns - 2 * t {
                            d[2 * l] = y0[l]
                            if 2 * l + 1 < columns - 2 * t { d[2 * l + 1] = y1[l] }
                        }
                    }
                }
                t += 16
            }
        } else {
            while t < tiles && 2 * t < columns {
                var y = tile { p in m[p * ps + t] }
                withUnsafeBytes(of: &y) { raw in
                    winogradScatter(raw.bindMemory(to: Float.self).baseAddress!, stride: 1, count: 1,
                                    dst: dst + 2 * t, rowStride: rowStride, rows: rows, columns: columns - 2 * t)
                }
                t += 1
            }
        }
    }

    /// Writes `count` tiles' (y00, y01, y10, y11), stored as four runs `stride` apart, as 2x2
    /// blocks at `dst`, clipped to `rows` and `columns`.
    @inline(__always)
    static func winogradScatter(_ y: UnsafePointer<Float>, stride: Int, count: Int, dst: UnsafeMutablePointer<Float>,
                                rowStride: Int, rows: Int, columns: Int) {
        let full = min(count, columns / 2)
        for l in 0..<full {
            dst[2 * l] = y[l]; dst[2 * l + 1] = y[stride + l]
        }
        if full < count { dst[2 * full] = y[full] }
        guard rows > 1 else { return }
        let d1 = dst + rowStride
        for l in 0..<full {
            d1[2 * l] = y[2 * stride + l]; d1[2 * l + 1] = y[3 * stride + l]
        }
        if full < count { d1[2 * full] = y[2 * stride + full] }
    }
}
