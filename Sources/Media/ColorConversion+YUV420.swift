// RGB float planes -> 8-bit YUV 4:2:0: the decoder's output conversion. Integer, bit-exact,
// specified in spec/colour.md section 3; any change here is a change of the spec.

extension ColorConversion {
    /// Quantises one RGB sample to 0...255 exactly: `v = x * 255` in binary32, NaN and
    /// values below 0 give 0, values at or above 255 give 255, otherwise round half to even.
    @inline(__always) public static func quantize8(_ x: Float) -> Int {
        let v = x * 255
        if !(v > 0) { return 0 }
        if v >= 255 { return 255 }
        return Int(v.rounded(.toNearestOrEven))
    }

    /// Converts RGB planes (values in [0, 1]; out-of-range values are clamped) to an 8-bit
    /// YUV 4:2:0 frame with integer arithmetic only, so every machine produces the same bytes.
    ///
    /// 1. each sample is quantised by `quantize8`;
    /// 2. Y = clamp((yR r + yG g + yB b + (yOffset << 16) + 2^15) >> 16, 0, 255) per pixel;
    /// 3. for each 2x2 block (the last column/row replicated when the size is odd) the four
    ///    quantised r, g, b are summed, and Cb = clamp((cbR Σr + cbG Σg + cbB Σb + (128 << 18) + 2^17) >> 18, 0, 255),
    ///    Cr likewise; `>>` is an arithmetic (flooring) shift.
    /// The coefficients are `FixedPointMatrix(matrix:range:)`.
    ///
    /// - Precondition: `matrix` and `range` are not `.unspecified` (the caller chooses them).
    public static func toYUV420(_ rgb: RGBPlanes, matrix: ColorMatrix = .bt709, range: ColorRange = .limited,
                                frameRate: FrameRate = FrameRate(25), index: Int = 0,
                                primaries: Int? = nil, transfer: Int? = nil) -> VideoFrame {
        guard let m = FixedPointMatrix(matrix: matrix, range: range) else {
            preconditionFailure("toYUV420 needs a concrete matrix and range, got \(matrix)/\(range)")
        }
        let w = rgb.width, h = rgb.height, n = w * h
        let cw = (w + 1) / 2, ch = (h + 1) / 2
        var q = [UInt8](repeating: 0, count: 3 * n)
        for i in 0..<(3 * n) { q[i] = UInt8(quantize8(rgb.data[i])) }

        var yPlane = [UInt8](repeating: 0, count: n)
        let yAdd = (m.yOffset << 16) + (1 << 15)
        for i in 0..<n {
            let v = (m.yR * Int(q[i]) + m.yG * Int(q[n + i]) + m.yB * Int(q[2 * n + i]) + yAdd) >> 16
            yPlane[i] = UInt8(min(max(v, 0), 255))
        }

        var uPlane = [UInt8](repeating: 0, count: cw * ch)
        var vPlane = [UInt8](repeating: 0, count: cw * ch)
        let cAdd = (m.chromaOffset << 18) + (1 << 17)
        for j in 0..<ch {
            let r0 = 2 * j * w, r1 = min(2 * j + 1, h - 1) * w
            for i in 0..<cw {
                let c0 = 2 * i, c1 = min(2 * i + 1, w - 1)
                let p0 = r0 + c0, p1 = r0 + c1, p2 = r1 + c0, p3 = r1 + c1
                let rs = Int(q[p0]) + Int(q[p1]) + Int(q[p2]) + Int(q[p3])
                let gs = Int(q[n + p0]) + Int(q[n + p1]) + Int(q[n + p2]) + Int(q[n + p3])
                let bs = Int(q[2 * n + p0]) + Int(q[2 * n + p1]) + Int(q[2 * n + p2]) + Int(q[2 * n + p3])
                let u = (m.cbR * rs + m.cbG * gs + m.cbB * bs + cAdd) >> 18
                let v = (m.crR * rs + m.crG * gs + m.crB * bs + cAdd) >> 18
                uPlane[j * cw + i] = UInt8(min(max(u, 0), 255))
                vPlane[j * cw + i] = UInt8(min(max(v, 0), 255))
            }
        }
        let defaultCode = matrix == .bt709 ? 1 : 2
        let color = ColorInfo(matrix: matrix, range: range,
                              primaries: primaries ?? defaultCode, transfer: transfer ?? defaultCode)
        return VideoFrame(width: w, height: h, format: .yuv420p, y: yPlane, u: uPlane, v: vPlane,
                          frameRate: frameRate, color: color, index: index)
    }
}
