import Tensor
/// 2-D convolution on the training path: im2col + OpenBLAS sgemm by bands of output rows (1x1
/// convolutions are a plain GEMM, depthwise ones a direct loop), forward and both backwards.
/// Stride-1 3x3 convolutions with enough channels take Winograd F(4x4, 3x3) instead (Conv2D+Winograd.swift).
///
/// Threads: forward and weight-gradient work items are (sample, group, band) split across
/// `TrainingKernels.threads` with single-threaded BLAS; the input gradient is split by sample (its
/// col2im scatters across bands) or, for one sample, uses OpenBLAS's own threads.
extension TrainingKernels {
    /// Target size, in floats, of one thread's im2col buffer (keeps a band in cache).
    nonisolated(unsafe) public static var im2colBandFloats = 1 << 18

    /// `conv2d(x [N,Cin,H,W], weight [Cout,Cin/groups,kh,kw], bias [Cout]?)` as in PyTorch.
    public static func conv2d(_ x: Tensor, weight: Tensor, bias: Tensor?, stride: Int = 1, padding: Int = 0,
                              paddingMode: PaddingMode = .zeros, groups: Int = 1) -> Tensor {
        conv2d(x, weight: weight, bias: bias, stride: stride, padding: padding, paddingMode: paddingMode, groups: groups,
               winograd: nil)
    }

    /// `conv2d` with the Winograd transforms of `weight` when the caller keeps them (`Ops.conv2d`).
    static func conv2d(_ x: Tensor, weight: Tensor, bias: Tensor?, stride: Int, padding: Int,
                       paddingMode: PaddingMode, groups: Int, winograd: WinogradWeights?) -> Tensor {
        let g = Conv2DGeometry(input: x.shape, weight: weight.shape, stride: stride, padding: padding,
                               groups: groups, paddingMode: paddingMode)
        precondition(bias == nil || bias!.count == g.outChannels, "conv2d bias \(bias!.shape) for \(g.outChannels) channels")
        precondition(winograd?.matches(weight.shape) ?? true, "Winograd transforms for another weight than \(weight.shape)")
        let u = usesWinograd(g) ? winograd?.forward : nil
        var y = Tensor.make(shape: g.outputShape) { _ in }
        x.withPointer { xp in weight.withPointer { wp in y.withMutablePointer { yp in withOptionalPointer(u) { up in
            if let bias {
                bias.withPointer { bp in convForward(xp, wp, yp, g, bias: bp, winogradU: up) }
            } else {
                convForward(xp, wp, yp, g, winogradU: up)
            }
        } } } }
        return y
    }

    /// Gradients of `conv2d` with respect to its input, weight and bias.
    public static func conv2dBackward(_ gradOut: Tensor, input x: Tensor, weight: Tensor, stride: Int = 1,
                                      padding: Int = 0, paddingMode: PaddingMode = .zeros, groups: Int = 1,
                                      needInput: Bool = true, needWeight: Bool = true, needBias: Bool = true)
        -> (input: Tensor?, weight: Tensor?, bias: Tensor?) {
        conv2dBackward(gradOut, input: x, weight: weight, stride: stride, padding: padding, paddingMode: paddingMode,
                       groups: groups, needInput: needInput, needWeight: needWeight, needBias: needBias, winograd: nil)
    }

    /// `conv2dBackward` with the Winograd transforms of `weight` (those of its forward) when the
    /// caller keeps them; the input gradient then reuses their flipped-kernel transform.
    static func conv2dBackward(_ gradOut: Tensor, input x: Tensor, weight: Tensor, stride: Int, padding: Int,
                               paddingMode: PaddingMode, groups: Int, needInput: Bool, needWeight: Bool, needBias: Bool,
                               winograd: WinogradWeights?) -> (input: Tensor?, weight: Tensor?, bias: Tensor?) {
        let g = Conv2DGeometry(input: x.shape, weight: weight.shape, stride: stride, padding: padding,
                               groups: groups, paddingMode: paddingMode)
        precondition(gradOut.shape == g.outputShape, "conv2d grad \(gradOut.shape) for output \(g.outputShape)")
        var dx: Tensor? = nil, dw: Tensor? = nil
        if needInput {
            // The flipped-convolution path overwrites every element; the others accumulate.
            let overwrites = backwardDataOverwrites(g)
            let flippedU = overwrites && usesWinograd(flippedGeometry(g)) ? winograd?.flipped(of: weight) : nil
            var t = overwrites ? Tensor.make(shape: x.shape) { _ in } : Tensor.zeros(x.shape)
            gradOut.withPointer { gp in weight.withPointer { wp in t.withMutablePointer { dp in withOptionalPointer(flippedU) { fu in
                convBackwardData(gp, wp, dp, g, flippedWinogradU: fu)
            } } } }
            dx = t
        }
        if needWeight {
            var t = Tensor.zeros(weight.shape)
            x.withPointer { xp in gradOut.withPointer { gp in t.withMutablePointer { dp in
                convBackwardWeight(xp, gp, dp, g)
            } } }
            dw = t
        }
        return (dx, dw, needBias ? channelSum(gradOut) : nil)
    }

    // MARK: geometry-level kernels (shared with the transposed convolution)

    static func isDepthwise(_ g: Conv2DGeometry) -> Bool {
        g.groups == g.inChannels && g.outChannels == g.inChannels && g.groups > 1
    }

    static func isPointwise(_ g: Conv2DGeometry) -> Bool {
        g.kernelH == 1 && g.kernelW == 1 && g.stride == 1 && g.padding == 0
    }

    /// Rows per band so that a band's columns matrix holds about `im2colBandFloats` floats.
    static func bandRows(_ g: Conv2DGeometry) -> Int {
        let k = (g.inChannels / g.groups) * g.kernelH * g.kernelW
        let cols = max(g.outWidth, im2colBandFloats / max(1, k))
        return max(1, min(g.outHeight, cols / max(1, g.outWidth)))
    }

    /// y = conv(x, w) + bias; `y` is fully overwritten. The bias initialises each band of the
    /// output so the GEMM accumulates onto it (beta = 1) instead of zeroing it first.
    /// `winogradU`, when given, is the Winograd kernel transform of `w` (used if `g` takes that path).
    static func convForward(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>,
                            _ g: Conv2DGeometry, bias: UnsafePointer<Float>? = nil, winogradU: UnsafePointer<Float>? = nil) {
        if isDepthwise(g) {
            depthwiseForward(x, w, y, g)
            if let bias {
                let plane = g.outHeight * g.outWidth
                TrainingKernels.parallelFor(g.batch * g.outChannels, grain: max(1, 8192 / max(1, plane))) { r in
                    for nc in r {
                        let v = bias[nc % g.outChannels], p = y + nc * plane
                        for i in 0..<plane { p[i] += v }
                    }
                }
            }
            return
        }
        if usesWinograd(g) { winogradForward(x, w, y, g, bias: bias, u: winogradU); return }
        let plan = BandPlan(g)
        let opg = plan.opg, k = plan.k, ohw = plan.ohw
        let threads = TrainingKernels.threads
        let parallel = plan.items >= threads
        Gemm.setThreads(parallel ? 1 : threads)
        parallelChunks(plan.items, parts: parallel ? threads : 1) { range in
            var col = plan.scratchColumns()
            col.withUnsafeMutableBufferPointer { colBuf in
                for item in range {
                    let band = plan.columns(item: item, x: x, col: colBuf.baseAddress)
                    let yg = y + (band.n * g.outChannels + band.group * opg) * ohw + band.rows.lowerBound * plan.ow
                    if let bias {
                        for co in 0..<opg {
                            (yg + co * ohw).update(repeating: bias[band.group * opg + co], count: band.count)
                        }
                    }
                    Gemm.sgemm(m: opg, n: band.count, k: k, a: w + band.group * opg * k, lda: k,
                               b: band.b, ldb: band.ldb, beta: bias == nil ? 0 : 1, c: yg, ldc: ohw)
                }
            }
        }
    }

    /// dx = conv-transpose(dy, w): the input gradient. `dx` must start zeroed unless
    /// `backwardDataOverwrites(g)`. `flippedWinogradU`, when given, is the Winograd transform of
    /// the flipped kernel (`WinogradWeights.flipped`).
    static func convBackwardData(_ dy: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>,
                                 _ g: Conv2DGeometry, flippedWinogradU: UnsafePointer<Float>? = nil) {
        if isDepthwise(g) { depthwiseBackwardData(dy, w, dx, g); return }
        if backwardDataOverwrites(g) {
            backwardDataAsConvolution(dy, w, dx, g, flippedWinogradU: flippedWinogradU)
            return
        }
        let cpg = g.inChannels / g.groups, opg = g.outChannels / g.groups
        let k = cpg * g.kernelH * g.kernelW
        let hw = g.height * g.width, ohw = g.outHeight * g.outWidth, ow = g.outWidth
        let pointwise = isPointwise(g)
        let rowsPerBand = pointwise ? g.outHeight : TrainingKernels.bandRows(g)
        let bands = (g.outHeight + rowsPerBand - 1) / rowsPerBand
        let threads = TrainingKernels.threads
        let parallel = g.batch >= threads
        Gemm.setThreads(parallel ? 1 : threads)
        parallelChunks(g.batch, parts: parallel ? threads : 1) { range in
            var col = pointwise ? [] : scratch(k * rowsPerBand * ow)
            col.withUnsafeMutableBufferPointer { colBuf in
                for n in range {
                    for gi in 0..<g.groups {
                        let xg = dx + (n * g.inChannels + gi * cpg) * hw
                        for band in 0..<bands {
                            let r0 = band * rowsPerBand, r1 = min(g.outHeight, r0 + rowsPerBand)
                            let yg = dy + (n * g.outChannels + gi * opg) * ohw + r0 * ow
                            if pointwise {
                                Gemm.sgemm(transA: true, m: k, n: (r1 - r0) * ow, k: opg, a: w + gi * opg * k, lda: k,
                                           b: yg, ldb: ohw, beta: 1, c: xg + r0 * ow, ldc: hw)
                            } else {
                                let cp = colBuf.baseAddress!
                                Gemm.sgemm(transA: true, m: k, n: (r1 - r0) * ow, k: opg, a: w + gi * opg * k, lda: k,
                                           b: yg, ldb: ohw, beta: 0, c: cp, ldc: (r1 - r0) * ow)
                                Im2Col.col2im(cp, channels: cpg, g: g, rows: r0..<r1, dx: xg)
                            }
                        }
                    }
                }
            }
        }
    }

    /// Whether `convBackwardData` takes the flipped-convolution path (which overwrites `dx`).
    static func backwardDataOverwrites(_ g: Conv2DGeometry) -> Bool {
        !isDepthwise(g) && g.stride == 1 && g.groups == 1 && g.paddingMode == .zeros && g.kernelH == g.kernelW
            && g.kernelH > 1 && g.padding <= g.kernelH - 1
    }

    /// For stride 1 and zero padding the input gradient is itself a convolution of dy with the
    /// kernel flipped and transposed (padding k-1-p): im2col + GEMM with no col2im scatter.
    /// With `flippedWinogradU` (the flipped kernel's Winograd transform) and a Winograd-eligible
    /// flipped geometry, the flipped kernel itself is not needed.
    static func backwardDataAsConvolution(_ dy: UnsafePointer<Float>, _ w: UnsafePointer<Float>,
                                          _ dx: UnsafeMutablePointer<Float>, _ g: Conv2DGeometry,
                                          flippedWinogradU: UnsafePointer<Float>? = nil) {
        let gt = flippedGeometry(g)
        if let flippedWinogradU, usesWinograd(gt) {
            winogradForward(dy, u: flippedWinogradU, dx, gt, bias: nil)
            return
        }
        flippedKernel(w, cout: g.outChannels, cin: g.inChannels, k: g.kernelH).withUnsafeBufferPointer {
            convForward(dy, $0.baseAddress!, dx, gt)
        }
    }

    /// The convolution of dy whose output is the input gradient of `g` (stride 1, zero padding):
    /// Cout -> Cin channels, padding k-1-p, with the `flippedKernel`.
    static func flippedGeometry(_ g: Conv2DGeometry) -> Conv2DGeometry {
        let k = g.kernelH
        return Conv2DGeometry(input: [g.batch, g.outChannels, g.outHeight, g.outWidth], weight: [g.inChannels, g.outChannels, k, k],
                              stride: 1, padding: k - 1 - g.padding)
    }

    /// The kernel w [cout, cin, k, k] flipped in both spatial axes and transposed: [cin, cout, k, k].
    static func flippedKernel(_ w: UnsafePointer<Float>, cout: Int, cin: Int, k: Int) -> [Float] {
        [Float](unsafeUninitializedCapacity: cin * cout * k * k) { flipped, c in
            for co in 0..<cout { for ci in 0..<cin { for ky in 0..<k { for kx in 0..<k {
                flipped[((ci * cout + co) * k + (k - 1 - ky)) * k + (k - 1 - kx)] = w[((co * cin + ci) * k + ky) * k + kx]
            } } } }
            c = cin * cout * k * k
        }
    }

    /// Runs `body` with a pointer to `a`'s elements, or nil.
    static func withOptionalPointer<R>(_ a: [Float]?, _ body: (UnsafePointer<Float>?) -> R) -> R {
        guard let a else { return body(nil) }
        return a.withUnsafeBufferPointer { body($0.baseAddress) }
    }

    /// dw = dy · im2col(x)ᵀ summed over samples and bands; `dw` must start zeroed.
    static func convBackwardWeight(_ x: UnsafePointer<Float>, _ dy: UnsafePointer<Float>, _ dw: UnsafeMutablePointer<Float>,
                                   _ g: Conv2DGeometry) {
        if isDepthwise(g) { depthwiseBackwardWeight(x, dy, dw, g); return }
        if usesWinograd(g) { winogradBackwardWeight(x, dy, dw, g); return }
        let plan = BandPlan(g)
        let opg = plan.opg, k = plan.k, ohw = plan.ohw, items = plan.items
        let threads = TrainingKernels.threads
        let parts = items >= threads ? threads : 1
        Gemm.setThreads(parts > 1 ? 1 : threads)
        let wCount = g.outChannels * k
        // One partial weight gradient per thread, summed in a fixed order afterwards.
        var partials = [Float](repeating: 0, count: wCount * parts)
        partials.withUnsafeMutableBufferPointer { pb in
            let pbase = pb.baseAddress!
            TrainingKernels.parallelParts(items, parts: parts) { part, range in
                let acc = parts == 1 ? dw : pbase + part * wCount
                var col = plan.scratchColumns()
                col.withUnsafeMutableBufferPointer { colBuf in
                    for item in range {
                        let band = plan.columns(item: item, x: x, col: colBuf.baseAddress)
                        let yg = dy + (band.n * g.outChannels + band.group * opg) * ohw + band.rows.lowerBound * plan.ow
                        Gemm.sgemm(transB: true, m: opg, n: k, k: band.count, a: yg, lda: ohw,
                                   b: band.b, ldb: band.ldb, beta: 1, c: acc + band.group * opg * k, ldc: k)
                    }
                }
            }
            if parts > 1 {
                for part in 0..<parts {
                    let src = pbase + part * wCount
                    for i in 0..<wCount { dw[i] += src[i] }
                }
            }
        }
    }

    /// How a convolution's GEMMs are cut: one work item per (sample, group, band of output rows),
    /// each multiplying against that band's im2col columns (or the input itself for a 1x1 conv).
    struct BandPlan {
        let g: Conv2DGeometry
        let cpg: Int, opg: Int, k: Int, hw: Int, ohw: Int, ow: Int
        let pointwise: Bool
        let rowsPerBand: Int, bands: Int, items: Int

        init(_ g: Conv2DGeometry) {
            self.g = g
            cpg = g.inChannels / g.groups; opg = g.outChannels / g.groups
            k = cpg * g.kernelH * g.kernelW
            hw = g.height * g.width; ohw = g.outHeight * g.outWidth; ow = g.outWidth
            pointwise = TrainingKernels.isPointwise(g)
            rowsPerBand = pointwise ? max(1, min(g.outHeight, (4096 + ow - 1) / ow)) : TrainingKernels.bandRows(g)
            bands = (g.outHeight + rowsPerBand - 1) / rowsPerBand
            items = g.batch * g.groups * bands
        }

        /// A per-thread column buffer (empty for 1x1 convs, which read the input directly).
        func scratchColumns() -> [Float] { pointwise ? [] : TrainingKernels.scratch(k * rowsPerBand * ow) }

        /// Work item `item`: its sample, group and output rows, and the GEMM's right-hand matrix
        /// (`b`, leading dimension `ldb`, `count` columns), written into `col` when im2col is needed.
        func columns(item: Int, x: UnsafePointer<Float>, col: UnsafeMutablePointer<Float>?)
            -> (n: Int, group: Int, rows: Range<Int>, count: Int, b: UnsafePointer<Float>, ldb: Int) {
            let band = item % bands, gi = (item / bands) % g.groups, n = item / (bands * g.groups)
            let r0 = band * rowsPerBand, r1 = min(g.outHeight, r0 + rowsPerBand)
            let xg = x + (n * g.inChannels + gi * cpg) * hw
            let count = (r1 - r0) * ow
            if pointwise { return (n, gi, r0..<r1, count, xg + r0 * ow, hw) }
            Im2Col.im2col(xg, channels: cpg, g: g, rows: r0..<r1, col: col!)
            return (n, gi, r0..<r1, count, UnsafePointer(col!), count)
        }
    }

    /// An uninitialised buffer for im2col columns (every element used is written before it is read).
    static func scratch(_ n: Int) -> [Float] {
        [Float](unsafeUninitializedCapacity: n) { _, c in c = n }
    }

    // MARK: bias helpers

    /// Adds `bias[c]` to every element of channel `c` of an NC... tensor.
    static func addChannelBias(_ y: inout Tensor, _ bias: Tensor) {
        let n = y.shape[0], c = y.shape[1], inner = y.count / max(1, n * c)
        precondition(bias.count == c, "bias \(bias.shape) for \(c) channels")
        bias.withPointer { bp in y.withMutablePointer { yp in
            TrainingKernels.parallelFor(n * c, grain: max(1, 8192 / max(1, inner))) { r in
                for nc in r {
                    let v = bp[nc % c], p = yp + nc * inner
                    for i in 0..<inner { p[i] += v }
                }
            }
        } }
    }

    /// Sums an NC... tensor over every axis but the channel axis.
    static func channelSum(_ t: Tensor) -> Tensor {
        let n = t.shape[0], c = t.shape[1], inner = t.count / max(1, n * c)
        var out = [Float](repeating: 0, count: c)
        t.withPointer { tp in
            var perNC = [Float](repeating: 0, count: n * c)
            perNC.withUnsafeMutableBufferPointer { pb in
                TrainingKernels.parallelFor(n * c, grain: max(1, 8192 / max(1, inner))) { r in
                    for nc in r { pb[nc] = laneSum(tp + nc * inner, inner) }
                }
            }
            for i in 0..<n * c { out[i % c] += perNC[i] }
        }
        return Tensor(shape: [c], storage: out)
    }
}
