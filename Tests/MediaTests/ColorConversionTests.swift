import Foundation
import XCTest
import Media
import ToolTesting

final class ColorConversionTests: XCTestCase {
    /// Published 8-bit YCbCr of the primaries and white/black/grey (ITU-R BT.601 / BT.709 tables
    /// for limited range, JFIF-style for full range), with the RGB they stand for.
    static let references: [(ColorMatrix, ColorRange, String, (Float, Float, Float), (Int, Int, Int))] = [
        (.bt601, .limited, "white", (1, 1, 1), (235, 128, 128)),
        (.bt601, .limited, "black", (0, 0, 0), (16, 128, 128)),
        (.bt601, .limited, "grey", (0.5, 0.5, 0.5), (126, 128, 128)),
        (.bt601, .limited, "red", (1, 0, 0), (81, 90, 240)),
        (.bt601, .limited, "green", (0, 1, 0), (145, 54, 34)),
        (.bt601, .limited, "blue", (0, 0, 1), (41, 240, 110)),
        (.bt601, .limited, "yellow", (1, 1, 0), (210, 16, 146)),
        (.bt601, .limited, "cyan", (0, 1, 1), (170, 166, 16)),
        (.bt601, .limited, "magenta", (1, 0, 1), (106, 202, 222)),
        (.bt709, .limited, "white", (1, 1, 1), (235, 128, 128)),
        (.bt709, .limited, "black", (0, 0, 0), (16, 128, 128)),
        (.bt709, .limited, "red", (1, 0, 0), (63, 102, 240)),
        (.bt709, .limited, "green", (0, 1, 0), (173, 42, 26)),
        (.bt709, .limited, "blue", (0, 0, 1), (32, 240, 118)),
        (.bt709, .limited, "yellow", (1, 1, 0), (219, 16, 138)),
        (.bt709, .limited, "cyan", (0, 1, 1), (188, 154, 16)),
        (.bt709, .limited, "magenta", (1, 0, 1), (78, 214, 230)),
        (.bt601, .full, "white", (1, 1, 1), (255, 128, 128)),
        (.bt601, .full, "black", (0, 0, 0), (0, 128, 128)),
        (.bt601, .full, "grey", (0.5, 0.5, 0.5), (128, 128, 128)),
        (.bt601, .full, "red", (1, 0, 0), (76, 85, 255)),
        (.bt601, .full, "green", (0, 1, 0), (150, 44, 21)),
        (.bt601, .full, "blue", (0, 0, 1), (29, 255, 107)),
        (.bt709, .full, "white", (1, 1, 1), (255, 128, 128)),
        (.bt709, .full, "black", (0, 0, 0), (0, 128, 128)),
        (.bt709, .full, "red", (1, 0, 0), (54, 99, 255)),
        (.bt709, .full, "green", (0, 1, 0), (182, 30, 12)),
        (.bt709, .full, "blue", (0, 0, 1), (18, 255, 116)),
    ]

    func testToRGBKnownValues() {
        for (matrix, range, name, rgb, yuv) in Self.references {
            for format in [PixelFormat.yuv420p, .yuv444p] {
                let frame = VideoFrame(width: 5, height: 3, format: format,
                                       fill: (UInt8(yuv.0), UInt8(yuv.1), UInt8(yuv.2)),
                                       color: ColorInfo(matrix: matrix, range: range))
                let out = ColorConversion.toRGB(frame)
                XCTAssertEqual(ColorConversion.resolvedColor(of: frame),
                               ResolvedColor(matrix: matrix, range: range, matrixWasGuessed: false, rangeWasGuessed: false))
                // Cr = 255 in full range is 0.5 + 0.5/255 of headroom short: allow 1 code of slack.
                let tolerance: Float = 1.5 / 219 * 1.9
                for (x, y) in [(0, 0), (4, 2), (2, 1)] {
                    let p = out.pixel(x: x, y: y)
                    XCTAssertEqual(p.r, rgb.0, accuracy: tolerance, "\(matrix) \(range) \(name) R")
                    XCTAssertEqual(p.g, rgb.1, accuracy: tolerance, "\(matrix) \(range) \(name) G")
                    XCTAssertEqual(p.b, rgb.2, accuracy: tolerance, "\(matrix) \(range) \(name) B")
                }
            }
        }
    }

    func testToYUV420KnownValues() {
        for (matrix, range, name, rgb, yuv) in Self.references {
            let planes = RGBPlanes(width: 3, height: 3, fill: (rgb.0, rgb.1, rgb.2))
            let frame = ColorConversion.toYUV420(planes, matrix: matrix, range: range)
            XCTAssertEqual(frame.format, .yuv420p)
            XCTAssertEqual(frame.u.count, 4, "odd sizes round the chroma size up")
            XCTAssertEqual(frame.color.matrix, matrix)
            XCTAssertEqual(frame.color.range, range)
            XCTAssertEqual(Set(frame.y), [UInt8(yuv.0)], "\(matrix) \(range) \(name) Y")
            XCTAssertEqual(Set(frame.u), [UInt8(yuv.1)], "\(matrix) \(range) \(name) Cb")
            XCTAssertEqual(Set(frame.v), [UInt8(yuv.2)], "\(matrix) \(range) \(name) Cr")
        }
    }

    func testMatricesAndRangesActuallyDiffer() {
        // The same red decodes differently under each interpretation: nothing is ignored.
        let red = VideoFrame(width: 2, height: 2, format: .yuv420p, fill: (81, 90, 240))
        var outputs: [[Float]] = []
        for m in [ColorMatrix.bt601, .bt709] {
            for r in [ColorRange.limited, .full] {
                var f = red
                f.color = ColorInfo(matrix: m, range: r)
                outputs.append(ColorConversion.toRGB(f).data)
            }
        }
        XCTAssertEqual(Set(outputs.map { $0.map { Int($0 * 1000) } }).count, 4)
    }

    func testChromaUpsamplingIsCentreSitedBilinear() {
        // 4x4 luma, 2x2 chroma: Cr columns 100 | 180 on the top chroma row, 140 | 140 below.
        let frame = VideoFrame(width: 4, height: 4, format: .yuv420p, y: [UInt8](repeating: 128, count: 16),
                               u: [128, 128, 128, 128], v: [100, 180, 140, 140],
                               color: ColorInfo(matrix: .bt601, range: .full))
        let rgb = ColorConversion.toRGB(frame)
        func red(crTop: Float, crBottom: Float, vertical: Float) -> Float {
            let cr = (vertical * crTop + (1 - vertical) * crBottom - 128) / 255
            return 128 / 255 + 2 * (1 - 0.299) * cr
        }
        // Horizontal weights per luma column (on chroma 100/180 and 140/140), vertical per row.
        let h: [(Float, Float)] = [(1, 0), (0.75, 0.25), (0.25, 0.75), (0, 1)]
        let v: [Float] = [1, 0.75, 0.25, 0]
        for row in 0..<4 {
            for col in 0..<4 {
                let top = h[col].0 * 100 + h[col].1 * 180
                let want = red(crTop: top, crBottom: 140, vertical: v[row])
                XCTAssertEqual(rgb.pixel(x: col, y: row).r, want, accuracy: 1e-5, "(\(col), \(row))")
            }
        }
    }

    func testUnspecifiedMetadataRule() {
        let sd = ColorInfo.unspecified.resolved(width: 720, height: 576)
        XCTAssertEqual(sd.matrix, .bt601)
        XCTAssertEqual(sd.range, .limited)
        XCTAssertTrue(sd.matrixWasGuessed && sd.rangeWasGuessed)
        XCTAssertEqual(ColorInfo.unspecified.resolved(width: 1280, height: 720).matrix, .bt709)
        XCTAssertEqual(ColorInfo.unspecified.resolved(width: 1280, height: 544).matrix, .bt709)
        XCTAssertEqual(ColorInfo.unspecified.resolved(width: 720, height: 577).matrix, .bt709)
        XCTAssertEqual(ColorInfo.unspecified.resolved(width: 176, height: 144).matrix, .bt601)
        let stated = ColorInfo(matrix: .bt709, range: .full).resolved(width: 176, height: 144)
        XCTAssertEqual(stated, ResolvedColor(matrix: .bt709, range: .full, matrixWasGuessed: false, rangeWasGuessed: false))
        XCTAssertEqual(ColorInfo(range: .full).resolved(width: 176, height: 144).range, .full)
        // An explicit override wins over the frame's metadata.
        let f = VideoFrame(width: 2, height: 2, format: .yuv444p, fill: (81, 90, 240), color: .bt709Limited)
        let forced = ResolvedColor(matrix: .bt601, range: .limited, matrixWasGuessed: false, rangeWasGuessed: false)
        XCTAssertEqual(ColorConversion.toRGB(f, color: forced).pixel(x: 0, y: 0).r, 1, accuracy: 0.01)
    }

    func testH273Codes() {
        for m in ColorMatrix.allCases { XCTAssertEqual(ColorMatrix(h273Code: m.h273Code), m) }
        XCTAssertEqual(ColorMatrix(h273Code: 5), .bt601)
        XCTAssertNil(ColorMatrix(h273Code: 0), "RGB/identity is not a YCbCr matrix")
        XCTAssertNil(ColorMatrix(h273Code: 8), "YCgCo is not handled")
    }

    func testFixedPointTablesFollowTheirDefinition() {
        for m in ColorMatrix.allCases where m != .unspecified {
            for r in [ColorRange.limited, .full] {
                let t = FixedPointMatrix(matrix: m, range: r)!
                let (kr10k, kb10k) = m.krKb10000!
                let kr = Double(kr10k) / 10000, kb = Double(kb10k) / 10000, kg = 1 - kr - kb
                let sy = r == .limited ? 219.0 / 255 : 1, sc = r == .limited ? 224.0 / 255 : 1
                let one = 65536.0
                let ideal: [(Int, Double)] = [
                    (t.yR, sy * kr * one), (t.yG, sy * kg * one), (t.yB, sy * kb * one),
                    (t.cbR, -sc * kr / (2 * (1 - kb)) * one), (t.cbG, -sc * kg / (2 * (1 - kb)) * one), (t.cbB, sc / 2 * one),
                    (t.crR, sc / 2 * one), (t.crG, -sc * kg / (2 * (1 - kr)) * one), (t.crB, -sc * kb / (2 * (1 - kr)) * one),
                ]
                for (i, (got, want)) in ideal.enumerated() {
                    XCTAssertLessThanOrEqual(abs(Double(got) - want), 1.5, "\(m) \(r) coefficient \(i)")
                }
                XCTAssertEqual(t.yR + t.yG + t.yB, Int((sy * one).rounded()))
                XCTAssertEqual(t.cbR + t.cbG + t.cbB, 0)
                XCTAssertEqual(t.crR + t.crG + t.crB, 0)
                XCTAssertEqual(t.yOffset, r == .limited ? 16 : 0)
            }
        }
        XCTAssertNil(FixedPointMatrix(matrix: .unspecified, range: .limited))
        XCTAssertNil(FixedPointMatrix(matrix: .bt709, range: .unspecified))
    }

    func testFixedPointTablesMatchTheSpec() throws {
        // spec/colour.md lists the tables; the code must derive exactly those numbers.
        let spec = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("spec/colour.md")
        let text = try String(contentsOf: spec, encoding: .utf8)
        let names: [String: ColorMatrix] = ["BT.601": .bt601, "BT.709": .bt709]
        var rows = 0
        for line in text.split(separator: "\n") where line.hasPrefix("| BT.") {
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count == 12, let m = names[cells[0]], let r = ColorRange(rawValue: cells[1]) else { continue }
            let t = FixedPointMatrix(matrix: m, range: r)!
            XCTAssertEqual(cells[2...].compactMap { Int($0) },
                           [t.yR, t.yG, t.yB, t.cbR, t.cbG, t.cbB, t.crR, t.crG, t.crB, t.yOffset], "\(m) \(r)")
            rows += 1
        }
        XCTAssertEqual(rows, 4, "the spec's table has four rows")
    }

    func testQuantizeEdgeCases() {
        XCTAssertEqual(ColorConversion.quantize8(0), 0)
        XCTAssertEqual(ColorConversion.quantize8(1), 255)
        XCTAssertEqual(ColorConversion.quantize8(-0.2), 0)
        XCTAssertEqual(ColorConversion.quantize8(1.7), 255)
        XCTAssertEqual(ColorConversion.quantize8(.nan), 0)
        XCTAssertEqual(ColorConversion.quantize8(.infinity), 255)
        XCTAssertEqual(ColorConversion.quantize8(-.infinity), 0)
        XCTAssertEqual(ColorConversion.quantize8(0.5), 128, "127.5 rounds half to even")
        XCTAssertEqual(ColorConversion.quantize8(0.25), 64, "63.75")
    }

    func testQuantizeMatchesItsDefinition() {
        // The spec's definition, written plainly; the shipped version is a branch-free trick.
        func reference(_ x: Float) -> Int {
            let v = x * 255
            if v.isNaN || v <= 0 { return 0 }
            if v >= 255 { return 255 }
            return Int(v.rounded(.toNearestOrEven))
        }
        var samples: [Float] = [0, -0, 1, .nan, .infinity, -.infinity, .ulpOfOne, -.ulpOfOne,
                                .leastNonzeroMagnitude, .greatestFiniteMagnitude, -.greatestFiniteMagnitude]
        // Every half-way point k/2 (in the product's domain) and its neighbouring floats.
        for k in -2...512 {
            let x = Float(k) / 2 / 255
            var a = x, b = x
            for _ in 0..<4 {
                samples += [a, b]
                a = a.nextUp
                b = b.nextDown
            }
        }
        var rng = SplitMix64(seed: 99)
        for _ in 0..<200_000 { samples.append(Float(bitPattern: UInt32(truncatingIfNeeded: rng.next()))) }
        for _ in 0..<200_000 { samples.append(Float(rng.next() % 3_000_000) / 2_000_000 - 0.25) }
        for x in samples {
            XCTAssertEqual(ColorConversion.quantize8(x), reference(x), "x = \(x) (bits \(String(x.bitPattern, radix: 16)))")
        }
    }

    /// The output conversion written a second way, straight from spec/colour.md: per-pixel
    /// fixed-point chroma contributions summed over the 2x2 block (equal to the spec's
    /// sum-then-multiply by linearity), indices clamped to the picture for odd edges.
    func referenceYUV420(_ rgb: RGBPlanes, _ t: FixedPointMatrix) -> ([UInt8], [UInt8], [UInt8]) {
        let w = rgb.width, h = rgb.height, n = w * h
        func q(_ c: Int, _ x: Int, _ y: Int) -> Int {
            ColorConversion.quantize8(rgb.data[c * n + min(y, h - 1) * w + min(x, w - 1)])
        }
        func clamp(_ v: Int) -> UInt8 { UInt8(max(0, min(255, v))) }
        var y = [UInt8](), u = [UInt8](), v = [UInt8]()
        for row in 0..<h {
            for col in 0..<w {
                let s = t.yR * q(0, col, row) + t.yG * q(1, col, row) + t.yB * q(2, col, row)
                y.append(clamp((s + t.yOffset * 65536 + 32768) >> 16))
            }
        }
        for row in 0..<((h + 1) / 2) {
            for col in 0..<((w + 1) / 2) {
                var cb = 0, cr = 0
                for (dx, dy) in [(0, 0), (1, 0), (0, 1), (1, 1)] {
                    let r = q(0, 2 * col + dx, 2 * row + dy), g = q(1, 2 * col + dx, 2 * row + dy), b = q(2, 2 * col + dx, 2 * row + dy)
                    cb += t.cbR * r + t.cbG * g + t.cbB * b
                    cr += t.crR * r + t.crG * g + t.crB * b
                }
                u.append(clamp((cb + 128 * 262144 + 131072) >> 18))
                v.append(clamp((cr + 128 * 262144 + 131072) >> 18))
            }
        }
        return (y, u, v)
    }

    func testToYUV420MatchesTheSpecReferenceExactly() {
        var rng = SplitMix64(seed: 0x5EED)
        for (w, h) in [(1, 1), (2, 2), (7, 5), (16, 9), (33, 18)] {
            // Out-of-range and NaN samples included: the quantiser defines them too.
            let data: [Float] = (0..<(3 * w * h)).map { i in
                if i % 97 == 13 { return .nan }
                return Float(rng.next() % 1_000_000) / 800_000 - 0.1
            }
            let planes = RGBPlanes(width: w, height: h, data: data)
            for m in [ColorMatrix.bt601, .bt709] {
                for r in [ColorRange.limited, .full] {
                    let frame = ColorConversion.toYUV420(planes, matrix: m, range: r)
                    let ref = referenceYUV420(planes, FixedPointMatrix(matrix: m, range: r)!)
                    XCTAssertEqual(frame.y, ref.0, "\(w)x\(h) \(m) \(r) Y")
                    XCTAssertEqual(frame.u, ref.1, "\(w)x\(h) \(m) \(r) Cb")
                    XCTAssertEqual(frame.v, ref.2, "\(w)x\(h) \(m) \(r) Cr")
                    XCTAssertEqual(ColorConversion.toYUV420(planes, matrix: m, range: r), frame, "repeatable")
                }
            }
        }
    }

    func testRoundTripsAreClose() {
        // A smooth in-gamut RGB picture survives RGB -> YUV 4:2:0 -> RGB closely...
        let w = 37, h = 23, n = w * h
        var data = [Float](repeating: 0, count: 3 * n)
        for yy in 0..<h {
            for xx in 0..<w {
                let i = yy * w + xx
                data[i] = 0.2 + 0.6 * Float(xx) / Float(w)
                data[n + i] = 0.3 + 0.4 * Float(yy) / Float(h)
                data[2 * n + i] = 0.5 + 0.3 * Float(xx + yy) / Float(w + h)
            }
        }
        let rgb = RGBPlanes(width: w, height: h, data: data)
        for m in [ColorMatrix.bt601, .bt709] {
            for r in [ColorRange.limited, .full] {
                let yuv = ColorConversion.toYUV420(rgb, matrix: m, range: r)
                let back = ColorConversion.toRGB(yuv)
                var mse: Double = 0
                for i in 0..<(3 * n) { mse += Double((back.data[i] - data[i]) * (back.data[i] - data[i])) }
                let psnr = 10 * log10(1 / (mse / Double(3 * n)))
                XCTAssertGreaterThan(psnr, 40, "\(m) \(r)")
                // ... and YUV -> RGB -> YUV returns the same codes within one step.
                let again = ColorConversion.toYUV420(back, matrix: m, range: r)
                XCTAssertLessThanOrEqual(maxAbsoluteDifference(again.y, yuv.y), 1, "\(m) \(r) Y")
                XCTAssertLessThanOrEqual(maxAbsoluteDifference(again.u, yuv.u), 1, "\(m) \(r) Cb")
                XCTAssertLessThanOrEqual(maxAbsoluteDifference(again.v, yuv.v), 1, "\(m) \(r) Cr")
            }
        }
    }
}

