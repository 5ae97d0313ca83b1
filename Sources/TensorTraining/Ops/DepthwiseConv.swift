import Tensor
/// Depthwise 3x3-style convolution (groups == channels, one filter per channel) as direct loops,
/// parallel over (sample, channel) planes. Called by the conv2d kernels when the geometry matches.
extension TrainingKernels {
    static func depthwiseForward(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>,
                                 _ g: Conv2DGeometry) {
        let h = g.height, wd = g.width, oh = g.outHeight, ow = g.outWidth, s = g.stride, p = g.padding
        let kk = g.kernelH * g.kernelW, rep = g.paddingMode == .replicate
        TrainingKernels.parallelFor(g.batch * g.inChannels, grain: 1) { r in
            for plane in r {
                let c = plane % g.inChannels
                let src = x + plane * h * wd, dst = y + plane * oh * ow, wc = w + c * kk
                for oy in 0..<oh {
                    let out = dst + oy * ow
                    out.update(repeating: 0, count: ow)
                    for ky in 0..<g.kernelH {
                        var iy = oy * s - p + ky
                        if iy < 0 || iy >= h { if !rep { continue }; iy = min(max(iy, 0), h - 1) }
                        let row = src + iy * wd
                        for kx in 0..<g.kernelW {
                            let wv = wc[ky * g.kernelW + kx], off = kx - p
                            let (lo, hi) = Im2Col.validRange(outCount: ow, inCount: wd, stride: s, pad: p, k: kx)
                            if rep {
                                for ox in 0..<lo { out[ox] += wv * row[0] }
                                for ox in hi..<ow { out[ox] += wv * row[wd - 1] }
                            }
                            if s == 1 {
                                for ox in lo..<hi { out[ox] += wv * row[ox + off] }
                            } else {
                                for ox in lo..<hi { out[ox] += wv * row[ox * s + off] }
                            }
                        }
                    }
                }
            }
        }
    }

    static func depthwiseBackwardData(_ dy: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>,
                                      _ g: Conv2DGeometry) {
        let h = g.height, wd = g.width, oh = g.outHeight, ow = g.outWidth, s = g.stride, p = g.padding
        let kk = g.kernelH * g.kernelW, rep = g.paddingMode == .replicate
        TrainingKernels.parallelFor(g.batch * g.inChannels, grain: 1) { r in
            for plane in r {
                let c = plane % g.inChannels
                let dst = dx + plane * h * wd, src = dy + plane * oh * ow, wc = w + c * kk
                for oy in 0..<oh {
                    let go = src + oy * ow
                    for ky in 0..<g.kernelH {
                        var iy = oy * s - p + ky
                        if iy < 0 || iy >= h { if !rep { continue }; iy = min(max(iy, 0), h - 1) }
                        let row = dst + iy * wd
                        for kx in 0..<g.kernelW {
                            let wv = wc[ky * g.kernelW + kx], off = kx - p
                            let (lo, hi) = Im2Col.validRange(outCount: ow, inCount: wd, stride: s, pad: p, k: kx)
                            if rep {
                                var l: Float = 0, rr: Float = 0
                                for ox in 0..<lo { l += go[ox] }
                                for ox in hi..<ow { rr += go[ox] }
                                row[0] += wv * l
                                row[wd - 1] += wv * rr
                            }
                            for ox in lo..<hi { row[ox * s + off] += wv * go[ox] }
                        }
                    }
                }
            }
        }
    }

    static func depthwiseBackwardWeight(_ x: UnsafePointer<Float>, _ dy: UnsafePointer<Float>, _ dw: UnsafeMutablePointer<Float>,
                                        _ g: Conv2DGeometry) {
        let h = g.height, wd = g.width, oh = g.outHeight, ow = g.outWidth, s = g.stride, p = g.padding
        let kk = g.kernelH * g.kernelW, rep = g.paddingMode == .replicate
        let planes = g.batch * g.inChannels
        var partial = [Float](repeating: 0, count: planes * kk)
        partial.withUnsafeMutableBufferPointer { pb in
            TrainingKernels.parallelFor(planes, grain: 1) { r in
                for plane in r {
                    let src = x + plane * h * wd, go = dy + plane * oh * ow, acc = pb.baseAddress! + plane * kk
                    for ky in 0..<g.kernelH {
                        for kx in 0..<g.kernelW {
                            let off = kx - p
                            let (lo, hi) = Im2Col.validRange(outCount: ow, inCount: wd, stride: s, pad: p, k: kx)
                            var sum: Float = 0
                            for oy in 0..<oh {
                                var iy = oy * s - p + ky
                                if iy < 0 || iy >= h { if !rep { continue }; iy = min(max(iy, 0), h - 1) }
                                let row = src + iy * wd, gr = go + oy * ow
                                if rep {
                                    for ox in 0..<lo { sum += gr[ox] * row[0] }
                                    for ox in hi..<ow { sum += gr[ox] * row[wd - 1] }
                                }
                                for ox in lo..<hi { sum += gr[ox] * row[ox * s + off] }
                            }
                            acc[ky * g.kernelW + kx] = sum
                        }
                    }
                }
            }
            for plane in 0..<planes {
                let c = plane % g.inChannels
                for i in 0..<kk { dw[c * kk + i] += pb[plane * kk + i] }
            }
        }
    }
}
