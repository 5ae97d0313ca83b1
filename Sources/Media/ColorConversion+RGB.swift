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
        let yOffset: Float = full ? 0 : 16
        let yScale: Float = full ? 1 / 255 : 1 / 219
        let cScale: Float = full ? 1 / 255 : 1 / 224
        let rCr = 2 * (1 - kr), bCb = 2 * (1 - kb)
        let gCb = 2 * kb * (1 - kb) / kg, gCr = 2 * kr * (1 - kr) / kg

        let w = frame.width, h = frame.height, n = w * h
        let cb = upsampledChroma(frame.u, frame: frame, scale: cScale)
        let cr = upsampledChroma(frame.v, frame: frame, scale: cScale)
        var out = [Float](repeating: 0, count: 3 * n)
        out.withUnsafeMutableBufferPointer { o in
            frame.y.withUnsafeBufferPointer { yp in
                for i in 0..<n {
                    let yv = (Float(yp[i]) - yOffset) * yScale
                    let b = cb[i], r = cr[i]
                    o[i] = clamp01(yv + rCr * r)
                    o[n + i] = clamp01(yv - gCb * b - gCr * r)
                    o[2 * n + i] = clamp01(yv + bCb * b)
                }
            }
        }
        return RGBPlanes(width: w, height: h, data: out)
    }

    @inline(__always) static func clamp01(_ x: Float) -> Float { min(max(x, 0), 1) }

    /// A chroma plane as full-size floats `(c - 128) * scale`, upsampled for 4:2:0.
    static func upsampledChroma(_ plane: [UInt8], frame: VideoFrame, scale: Float) -> [Float] {
        let cw = frame.chromaWidth, ch = frame.chromaHeight
        let centred = plane.map { (Float($0) - 128) * scale }
        if frame.format == .yuv444p { return centred }
        let w = frame.width, h = frame.height
        // Horizontal pass: chroma rows -> full width.
        var wide = [Float](repeating: 0, count: w * ch)
        for r in 0..<ch {
            let src = r * cw, dst = r * w
            for x in 0..<w {
                let (a, b) = neighbours(x, count: cw)
                wide[dst + x] = 0.75 * centred[src + a] + 0.25 * centred[src + b]
            }
        }
        // Vertical pass: chroma rows -> full height.
        var out = [Float](repeating: 0, count: w * h)
        for yRow in 0..<h {
            let (a, b) = neighbours(yRow, count: ch)
            let ra = a * w, rb = b * w, dst = yRow * w
            for x in 0..<w { out[dst + x] = 0.75 * wide[ra + x] + 0.25 * wide[rb + x] }
        }
        return out
    }

    /// For luma position p, the nearer chroma sample (weight 3/4) and the other neighbour
    /// (weight 1/4) under centre siting: chroma sample i sits at luma 2i + 0.5.
    @inline(__always) static func neighbours(_ p: Int, count: Int) -> (Int, Int) {
        let i = p >> 1
        let other = (p & 1) == 0 ? max(i - 1, 0) : min(i + 1, count - 1)
        return (min(i, count - 1), other)
    }
}
