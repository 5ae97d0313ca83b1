import Tensor
extension DeterministicKernels {
    /// 2-D convolution (cross-correlation, as PyTorch's `conv2d`) of NCHW `x` with OIHW `weight`.
    ///
    /// Supports any stride, symmetric zero or replicate padding, and groups (depthwise included).
    /// Each output is `sum over ci (ascending), ky, kx (raster) of w * x`, from +0, then `+ bias`.
    /// The input is first copied into padded planes split by column phase (`kx mod stride`), so
    /// every tap of 16 neighbouring outputs is one contiguous vector load. (The copy also keeps
    /// channel planes off power-of-two strides, which would alias in the L1 cache.)
    public static func conv2d(_ x: Tensor, weight: Tensor, bias: Tensor? = nil, stride: Int = 1,
                              padding: Int = 0, paddingMode: PaddingMode = .zeros, groups: Int = 1,
                              threads: Int = defaultThreadCount,
                              variant: KernelVariant = .simd) -> Tensor {
        let g = Conv2DGeometry(input: x.shape, weight: weight.shape, stride: stride, padding: padding,
                               groups: groups, paddingMode: paddingMode)
        precondition(g.outHeight > 0 && g.outWidth > 0, "conv2d output is empty for \(x.shape)")
        if let b = bias { precondition(b.count == g.outChannels, "conv2d bias \(b.shape) for \(g.outChannels) channels") }
        if usesWinograd(g, stride: stride, padding: padding, mode: paddingMode, groups: groups) {
            return winogradConv3x3(x, weight: weight, bias: bias, geometry: g, threads: threads, variant: variant)
        }
        if g.kernelH == 1 && g.kernelW == 1 && stride == 1 && padding == 0 && groups == 1 {
            return pointwiseConv(x, weight: weight, bias: bias, geometry: g, threads: threads, variant: variant)
        }
        let s = stride, kh = g.kernelH, kw = g.kernelW
        let oh = g.outHeight, ow = g.outWidth
        let hp = g.height + 2 * padding
        let wq = detRoundUp(ow, 32) + (kw - 1) / s + 1
        let plane = s * hp * wq
        let ipg = g.inChannels / groups, opg = g.outChannels / groups
        // With one input channel per group (depthwise), each thread pads one plane at a time into
        // a scratch buffer that stays in cache; otherwise all planes are padded up front.
        let perPlane = ipg == 1
        let prepared = perPlane ? [] : preparePhasePlanes(x, padding: padding, mode: paddingMode, stride: s,
                                                          paddedHeight: hp, phaseWidth: wq, threads: threads)
        var taps: [Int] = []
        for ky in 0..<kh { for kx in 0..<kw { taps.append((kx % s) * hp * wq + ky * wq + kx / s) } }
        let packed = weight.storage.withUnsafeBufferPointer { w in
            PackedCorrelationWeights(outPerGroup: opg, inPerGroup: ipg, taps: kh * kw, groups: groups,
                                     blockWidth: 4) { gi, co, ci, t in
                w[((gi * opg + co) * ipg + ci) * kh * kw + t]
            }
        }
        var out = detUninitializedFloats(g.outputShape.reduce(1, *))  // every output is written
        withCorrelationBuffers(input: prepared, taps: taps, packed: packed, bias: bias?.storage, out: &out) { buf in
            func row(_ n: Int, _ gi: Int, _ oy: Int, input: UnsafePointer<Float>) {
                let job = CorrelationJob(input: input, channelStride: plane, channels: ipg, taps: buf.taps,
                                         tapCount: taps.count, weights: buf.weights + gi * packed.groupStride)
                let co0 = gi * opg
                let target = CorrelationRowTarget(out: buf.out + ((n * g.outChannels + co0) * oh + oy) * ow,
                                                  count: ow, laneStride: 1, channelStride: oh * ow,
                                                  bias: buf.bias, firstChannel: co0)
                correlateRow(job, rowOrigin: oy * s * wq, blocks: buf.blocks, target: target, variant: variant)
            }
            if perPlane {
                x.storage.withUnsafeBufferPointer { xs in
                    forEachTile(g.batch * groups, threads: threads) { range in
                        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: plane)
                        defer { scratch.deallocate() }
                        for item in range {
                            fillPhasePlane(xs.baseAddress! + item * g.height * g.width, into: scratch, height: g.height,
                                           width: g.width, padding: padding, replicate: paddingMode == .replicate,
                                           stride: s, paddedHeight: hp, phaseWidth: wq)
                            for oy in 0..<oh { row(item / groups, item % groups, oy, input: scratch) }
                        }
                    }
                }
            } else {
                forEachTile(g.batch * oh * groups, threads: threads) { range in
                    for item in range {
                        let gi = item % groups, oy = (item / groups) % oh, n = item / (groups * oh)
                        row(n, gi, oy, input: buf.input + (n * g.inChannels + gi * ipg) * plane)
                    }
                }
            }
        }
        return Tensor(shape: g.outputShape, storage: out)
    }

    /// 1x1 convolution, stride 1, no padding, one group: per image the product W x (rows co,
    /// depth ci) over the pixels, `acc = acc + w[co][ci] * x[ci][p]` for ci ascending from +0, then
    /// `+ bias` -- the general order of §3 with one tap.
    static func pointwiseConv(_ x: Tensor, weight: Tensor, bias: Tensor?, geometry g: Conv2DGeometry,
                              threads: Int, variant: KernelVariant) -> Tensor {
        let cin = g.inChannels, cout = g.outChannels, hw = g.height * g.width
        let a = weight.storage.withUnsafeBufferPointer { w in PackedGemmA(rows: cout, depth: cin) { w[$0 * cin + $1] } }
        var out = detUninitializedFloats(g.batch * cout * hw)  // every output is written
        let span = 256, chunks = (hw + span - 1) / span
        x.storage.withUnsafeBufferPointer { xs in
            a.data.withUnsafeBufferPointer { ap in
                a.blocks.withUnsafeBufferPointer { blocks in
                    detWithOptionalPointer(bias?.storage) { bp in
                        out.withUnsafeMutableBufferPointer { op in
                            forEachTile(g.batch * chunks, threads: threads) { range in
                                for item in range {
                                    let n = item / chunks, j0 = (item % chunks) * span
                                    let ops = GemmOperands(a: ap.baseAddress!, blocks: blocks, depth: cin,
                                                           b: xs.baseAddress! + n * cin * hw + j0, ldb: hw,
                                                           c: op.baseAddress! + n * cout * hw + j0, ldc: hw,
                                                           columns: min(span, hw - j0), bias: bp)
                                    gemm(ops, variant: variant)
                                }
                            }
                        }
                    }
                }
            }
        }
        return Tensor(shape: g.outputShape, storage: out)
    }

    /// Copies NCHW `x` into padded planes [n][c][phase][paddedHeight][phaseWidth] where phase
    /// `ph` column `j` holds padded column `j * stride + ph`. Columns past the padded width are 0.
    static func preparePhasePlanes(_ x: Tensor, padding p: Int, mode: PaddingMode, stride s: Int,
                                   paddedHeight hp: Int, phaseWidth wq: Int, threads: Int) -> [Float] {
        let nc = x.shape[0] * x.shape[1], h = x.shape[2], w = x.shape[3]
        // Every element is written by fillPhasePlane, so the buffer starts uninitialised.
        return [Float](unsafeUninitializedCapacity: nc * s * hp * wq) { os, initialized in
            x.storage.withUnsafeBufferPointer { xs in
                forEachTile(nc, threads: threads) { r in
                    for i in r {
                        fillPhasePlane(xs.baseAddress! + i * h * w, into: os.baseAddress! + i * s * hp * wq,
                                       height: h, width: w, padding: p, replicate: mode == .replicate, stride: s,
                                       paddedHeight: hp, phaseWidth: wq)
                    }
                }
            }
            initialized = nc * s * hp * wq
        }
    }

    /// Writes every element of one padded, phase-split plane ([phase][paddedHeight][phaseWidth])
    /// from the `height` x `width` plane at `src`.
    static func fillPhasePlane(_ src: UnsafePointer<Float>, into dst: UnsafeMutablePointer<Float>, height h: Int,
                               width w: Int, padding p: Int, replicate: Bool, stride s: Int,
                               paddedHeight hp: Int, phaseWidth wq: Int) {
        for ph in 0..<s {
            // Phase columns j whose padded column j * s + ph lies inside the image, and those in
            // the left and right padding; the rest are 0.
            let jIn0 = min(wq, max(0, (p - ph + s - 1) / s))
            let jIn1 = min(wq, max(jIn0, (p + w - ph + s - 1) / s))
            let jPadEnd = min(wq, max(jIn1, (2 * p + w - ph + s - 1) / s))
            for yy in 0..<hp {
                let row = dst + (ph * hp + yy) * wq
                var iy = yy - p
                if iy < 0 || iy >= h {
                    if !replicate { row.initialize(repeating: 0, count: wq); continue }
                    iy = min(max(iy, 0), h - 1)
                }
                let srow = src + iy * w
                if s == 1 {
                    (row + jIn0).initialize(from: srow + (jIn0 - p), count: jIn1 - jIn0)
                } else {
                    var j = jIn0, sx = jIn0 * s + ph - p
                    while j < jIn1 { (row + j).initialize(to: srow[sx]); j += 1; sx += s }
                }
                row.initialize(repeating: replicate ? srow[0] : 0, count: jIn0)
                (row + jIn1).initialize(repeating: replicate ? srow[w - 1] : 0, count: jPadEnd - jIn1)
                (row + jPadEnd).initialize(repeating: 0, count: wq - jPadEnd)
            }
        }
    }
}

@inline(__always) func detRoundUp(_ v: Int, _ m: Int) -> Int { (v + m - 1) / m * m }

/// A Float array whose elements the caller promises to write before reading.
@inline(__always) func detUninitializedFloats(_ count: Int) -> [Float] {
    [Float](unsafeUninitializedCapacity: count) { _, n in n = count }
}
