// RGB float planes -> 8-bit YUV 4:2:0: the decoder's output conversion. Integer, bit-exact,
// specified in spec/colour.md section 3; any change here is a change of the spec.

extension ColorConversion {
    /// Quantises one RGB sample to 0...255 exactly: `v = x * 255` in binary32, NaN and
    /// values below 0 give 0, values at or above 255 give 255, otherwise round half to even.
    @inline(__always) public static func quantize8(_ x: Float) -> Int {
        Int(quantizeByte(x))
    }

    /// `quantize8` as a byte, branch-free so the loop vectorises.
    @inline(__always) static func quantizeByte(_ x: Float) -> UInt8 {
        let v = x * 255
        let low = v > 0 ? v : 0          // NaN compares false: 0
        let c = low < 255 ? low : 255
        // 1.5 * 2^23 + c rounds c to an integer, ties to even (roundToIntegralTiesToEven for
        // 0 <= c <= 255), and that integer is then the low bits of the sum's significand.
        return UInt8(truncatingIfNeeded: (c + 12_582_912).bitPattern)
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
        var yPlane = [UInt8](repeating: 0, count: n)
        var uPlane = [UInt8](repeating: 0, count: cw * ch)
        var vPlane = [UInt8](repeating: 0, count: cw * ch)
        // Step 1: quantise all samples (CHW, like the input).
        let q = [UInt8](unsafeUninitializedCapacity: 3 * n) { out, count in
            rgb.data.withUnsafeBufferPointer { src in
                for i in 0..<(3 * n) { out[i] = quantizeByte(src[i]) }
            }
            count = 3 * n
        }
        q.withUnsafeBufferPointer { q in
            let qr = q.baseAddress!, qg = qr + n, qb = qr + 2 * n
            // Step 3: luma per pixel.
            yPlane.withUnsafeMutableBufferPointer { yp in
                let yAdd = (m.yOffset << 16) + (1 << 15)
                for i in 0..<n {
                    let v = (m.yR * Int(qr[i]) + m.yG * Int(qg[i]) + m.yB * Int(qb[i]) + yAdd) >> 16
                    yp[i] = UInt8(truncatingIfNeeded: min(max(v, 0), 255))
                }
            }
            // Step 4: chroma from 2x2 sums, the last column/row replicated on odd edges.
            uPlane.withUnsafeMutableBufferPointer { up in
                vPlane.withUnsafeMutableBufferPointer { vp in
                    let cAdd = (m.chromaOffset << 18) + (1 << 17)
                    for j in 0..<ch {
                        let r0 = 2 * j * w, r1 = min(2 * j + 1, h - 1) * w
                        for i in 0..<cw {
                            let c0 = 2 * i, c1 = min(2 * i + 1, w - 1)
                            let p0 = r0 + c0, p1 = r0 + c1, p2 = r1 + c0, p3 = r1 + c1
                            let rs = Int(qr[p0]) + Int(qr[p1]) + Int(qr[p2]) + Int(qr[p3])
                            let gs = Int(qg[p0]) + Int(qg[p1]) + Int(qg[p2]) + Int(qg[p3])
                            let bs = Int(qb[p0]) + Int(qb[p1]) + Int(qb[p2]) + Int(qb[p3])
                            let u = (m.cbR * rs + m.cbG * gs + m.cbB * bs + cAdd) >> 18
                            let v = (m.crR * rs + m.crG * gs + m.crB * bs + cAdd) >> 18
                            up[j * cw + i] = UInt8(truncatingIfNeeded: min(max(u, 0), 255))
                            vp[j * cw + i] = UInt8(truncatingIfNeeded: min(max(v, 0), 255))
                        }
                    }
                }
            }
        }
        let defaultCode = matrix == .bt709 ? 1 : 2
        let color = ColorInfo(matrix: matrix, range: range,
                              primaries: primaries ?? defaultCode, transfer: transfer ?? defaultCode)
        return VideoFrame(width: w, height: h, format: .yuv420p, y: yPlane, u: uPlane, v: vPlane,
                          frameRate: frameRate, color: color, index: index)
    }
}
