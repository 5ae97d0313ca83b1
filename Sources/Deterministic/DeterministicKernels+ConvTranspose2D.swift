import Tensor
extension DeterministicKernels {
    /// Transposed 2-D convolution as PyTorch's `conv_transpose2d`: `weight` is
    /// [cin, cout/groups, kh, kw]; output size (h - 1) * stride - 2 * padding + k + outputPadding.
    ///
    /// Computed as a gather, one output phase (oy mod stride, ox mod stride) at a time, so no
    /// multiply touches an inserted zero. Each output is `sum over ci (ascending), then the taps
    /// (ky, kx) that reach it in raster order, of w * x`, from +0, then `+ bias`. Input samples
    /// outside the image are zeros of the prepared input.
    public static func convTranspose2d(_ x: Tensor, weight: Tensor, bias: Tensor? = nil, stride s: Int = 1,
                                       padding p: Int = 0, outputPadding: Int = 0, groups: Int = 1,
                                       threads: Int = defaultThreadCount,
                                       variant: KernelVariant = .simd) -> Tensor {
        precondition(x.rank == 4 && weight.rank == 4 && s >= 1 && p >= 0 && outputPadding >= 0)
        let n = x.shape[0], cin = x.shape[1], h = x.shape[2], w = x.shape[3]
        precondition(weight.shape[0] == cin && cin % groups == 0,
                     "convTranspose2d: input \(x.shape), weight \(weight.shape), groups \(groups)")
        let opg = weight.shape[1], kh = weight.shape[2], kw = weight.shape[3], ipg = cin / groups
        let cout = opg * groups
        let oh = (h - 1) * s - 2 * p + kh + outputPadding
        let ow = (w - 1) * s - 2 * p + kw + outputPadding
        precondition(oh > 0 && ow > 0, "convTranspose2d output is empty")
        if let b = bias { precondition(b.count == cout) }

        // Zero-padded input planes wide and tall enough for every phase's taps and vector tails.
        let padT = max(0, (kh - 1 - p + s - 1) / s), padL = max(0, (kw - 1 - p + s - 1) / s)
        let hq = padT + max(h, (oh - 1 + p) / s + 1)
        let wq = padL + max(w, (ow - 1 + p) / s + 1) + 32
        let planes = preparePhasePlanesOffset(x, top: padT, left: padL, height: hq, width: wq, threads: threads)
        let plane = hq * wq

        var out = detUninitializedFloats(n * cout * oh * ow)  // every output lies in exactly one phase
        for phy in 0..<min(s, oh) {
            for phx in 0..<min(s, ow) {
                // Taps reaching this phase, raster order, and where they read in the padded input.
                var taps: [Int] = [], kidx: [Int] = []
                for ky in 0..<kh where ((phy + p - ky) % s + s) % s == 0 {
                    for kx in 0..<kw where ((phx + p - kx) % s + s) % s == 0 {
                        taps.append(((phy + p - ky) / s + padT) * wq + (phx + p - kx) / s + padL)
                        kidx.append(ky * kw + kx)
                    }
                }
                let rows = (oh - phy + s - 1) / s, cols = (ow - phx + s - 1) / s
                let packed = weight.storage.withUnsafeBufferPointer { wt in
                    PackedCorrelationWeights(outPerGroup: opg, inPerGroup: ipg, taps: taps.count,
                                             groups: groups, blockWidth: 4) { gi, co, ci, t in
                        wt[((gi * ipg + ci) * opg + co) * kh * kw + kidx[t]]
                    }
                }
                withCorrelationBuffers(input: planes, taps: taps, packed: packed, bias: bias?.storage,
                                       out: &out) { buf in
                    forEachTile(n * rows * groups, threads: threads) { range in
                        for item in range {
                            let gi = item % groups, jy = (item / groups) % rows, b0 = item / (groups * rows)
                            let job = CorrelationJob(input: buf.input + (b0 * cin + gi * ipg) * plane,
                                                     channelStride: plane, channels: ipg, taps: buf.taps,
                                                     tapCount: taps.count, weights: buf.weights + gi * packed.groupStride)
                            let co0 = gi * opg, oy = phy + s * jy
                            let target = CorrelationRowTarget(
                                out: buf.out + ((b0 * cout + co0) * oh + oy) * ow + phx, count: cols, laneStride: s,
                                channelStride: oh * ow, bias: buf.bias, firstChannel: co0)
                            correlateRow(job, rowOrigin: jy * wq, blocks: buf.blocks, target: target, variant: variant)
                        }
                    }
                }
            }
        }
        return Tensor(shape: [n, cout, oh, ow], storage: out)
    }

    /// Copies NCHW `x` into zero planes of `height` x `width` at offset (`top`, `left`).
    static func preparePhasePlanesOffset(_ x: Tensor, top: Int, left: Int, height: Int, width: Int,
                                         threads: Int) -> [Float] {
        let nc = x.shape[0] * x.shape[1], h = x.shape[2], w = x.shape[3]
        var out = [Float](repeating: 0, count: nc * height * width)
        x.storage.withUnsafeBufferPointer { xs in
            out.withUnsafeMutableBufferPointer { os in
                forEachTile(nc, threads: threads) { r in
                    for i in r {
                        for y in 0..<h {
                            let src = xs.baseAddress! + (i * h + y) * w
                            let dst = os.baseAddress! + (i * height + y + top) * width + left
                            dst.update(from: src, count: w)
                        }
                    }
                }
            }
        }
        return out
    }
}
