// YUV (8-bit, any supported matrix and range) -> RGB float planes in [0, 1]. Encoder side.

extension ColorConversion {
    /// The matrix and range `toRGB(_:)` uses for `frame`: its own metadata, with unspecified
    /// values filled in by `ColorInfo.resolved(width:height:)` (flagged as guessed).
    public static func resolvedColor(of frame: VideoFrame) -> ResolvedColor {
        frame.color.resolved(width: frame.width, height: frame.height)
    }

    /// Converts a frame to RGB planes in [0, 1] (CHW, clamped), honouring its matrix and range.
    ///
    /// Unspecified metadata is resolved by `resolvedColor(of:)`; pass `color` to override.
    /// 4:2:0 chroma is upsampled with centre-sited bilinear weights (3/4, 1/4), edges replicated
    /// (spec/colour.md, section 2). Float arithmetic: this runs only in the encoder.
    public static func toRGB(_ frame: VideoFrame, color: ResolvedColor? = nil) -> RGBPlanes {
        let resolved = color ?? resolvedColor(of: frame)
        let (kr10k, kb10k) = resolved.matrix.krKb10000!
        let kr = Float(kr10k) / 10000, kb = Float(kb10k) / 10000, kg = 1 - kr - kb
        let full = resolved.range == .full
        let k = Coefficients(
            yOffset: full ? 0 : 16, yScale: full ? 1 / 255 : 1 / 219, cScale: full ? 1 / 255 : 1 / 224,
            rCr: 2 * (1 - kr), gCb: 2 * kb * (1 - kb) / kg, gCr: 2 * kr * (1 - kr) / kg, bCb: 2 * (1 - kb))

        let w = frame.width, h = frame.height, n = w * h
        let cw = frame.chromaWidth, ch = frame.chromaHeight
        let subsampled = frame.format == .yuv420p
        let out = [Float](unsafeUninitializedCapacity: 3 * n) { o, count in
            // Chroma of one luma row, full width: built per row so no full-size chroma planes exist.
            var cbRow = [Float](repeating: 0, count: w), crRow = cbRow
            var cbMix = [Float](repeating: 0, count: cw), crMix = cbMix
            frame.y.withUnsafeBufferPointer { yp in
                frame.u.withUnsafeBufferPointer { up in
                    frame.v.withUnsafeBufferPointer { vp in
                        for row in 0..<h {
                            if subsampled {
                                // Vertical blend of the two nearest chroma rows, then horizontal upsampling.
                                let (a, b) = neighbours(row, count: ch)
                                blendRows(up.baseAddress! + a * cw, up.baseAddress! + b * cw, into: &cbMix, scale: k.cScale)
                                blendRows(vp.baseAddress! + a * cw, vp.baseAddress! + b * cw, into: &crMix, scale: k.cScale)
                                upsampleRow(cbMix, into: &cbRow)
                                upsampleRow(crMix, into: &crRow)
                            } else {
                                for x in 0..<w {
                                    cbRow[x] = (Float(up[row * w + x]) - 128) * k.cScale
                                    crRow[x] = (Float(vp[row * w + x]) - 128) * k.cScale
                                }
                            }
                            cbRow.withUnsafeBufferPointer { cb in
                                crRow.withUnsafeBufferPointer { cr in
                                    let base = row * w
                                    for x in 0..<w {
                                        let yv = (Float(yp[base + x]) - k.yOffset) * k.yScale
                                        let b = cb[x], r = cr[x]
                                        o[base + x] = clamp01(yv + k.rCr * r)
                                        o[n + base + x] = clamp01(yv - k.gCb * b - k.gCr * r)
                                        o[2 * n + base + x] = clamp01(yv + k.bCb * b)
                                    }
                                }
                            }
                        }
                    }
                }
            }
            count = 3 * n
        }
        return RGBPlanes(width: w, height: h, data: out)
    }

    /// The float constants of one matrix/range (spec/colour.md section 2).
    struct Coefficients {
        let yOffset: Float, yScale: Float, cScale: Float
        let rCr: Float, gCb: Float, gCr: Float, bCb: Float
    }

    @inline(__always) static func clamp01(_ x: Float) -> Float { x < 0 ? 0 : (x > 1 ? 1 : x) }

    /// `out[i] = (3/4 (near[i] - 128) + 1/4 (far[i] - 128)) * scale`.
    @inline(__always)
    static func blendRows(_ near: UnsafePointer<UInt8>, _ far: UnsafePointer<UInt8>, into out: inout [Float], scale: Float) {
        out.withUnsafeMutableBufferPointer { o in
            for i in 0..<o.count {
                o[i] = (0.75 * (Float(near[i]) - 128) + 0.25 * (Float(far[i]) - 128)) * scale
            }
        }
    }

    /// Centre-sited horizontal 2x upsampling of one chroma row (edges replicated):
    /// luma 2i takes 3/4 of chroma i and 1/4 of chroma i-1, luma 2i+1 takes 3/4 of i and 1/4 of i+1.
    @inline(__always)
    static func upsampleRow(_ row: [Float], into out: inout [Float]) {
        row.withUnsafeBufferPointer { c in
            out.withUnsafeMutableBufferPointer { o in
                let cw = c.count, w = o.count
                for i in 0..<cw {
                    let left = c[i == 0 ? 0 : i - 1], right = c[i == cw - 1 ? i : i + 1]
                    o[2 * i] = 0.75 * c[i] + 0.25 * left
                    if 2 * i + 1 < w { o[2 * i + 1] = 0.75 * c[i] + 0.25 * right }
                }
            }
        }
    }

    /// For luma position p, the nearer chroma sample (weight 3/4) and the other neighbour
    /// (weight 1/4) under centre siting: chroma sample i sits at luma 2i + 0.5.
    @inline(__always) static func neighbours(_ p: Int, count: Int) -> (Int, Int) {
        let i = p >> 1
        let other = (p & 1) == 0 ? max(i - 1, 0) : min(i + 1, count - 1)
        return (min(i, count - 1), other)
    }
}
