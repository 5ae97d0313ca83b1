import Foundation
import XCTest
import Media
import ToolTesting

final class VideoReaderTests: XCTestCase {
    func testFFV1InMKVIsLossless() throws {
        let dir = try makeTemporaryDirectory(self)
        let path = dir.appendingPathComponent("clip.mkv").path
        let frames = try writeClip(path, codec: "ffv1", count: 6, width: 33, height: 17, frameRate: FrameRate(30000, 1001))
        let reader = try VideoReader(path: path)
        XCTAssertEqual(reader.width, 33)
        XCTAssertEqual(reader.height, 17)
        XCTAssertEqual(reader.pixelFormat, .yuv420p)
        XCTAssertEqual(reader.sourcePixelFormat, "yuv420p")
        XCTAssertEqual(reader.codecName, "ffv1")
        XCTAssertEqual(reader.frameRate, FrameRate(30000, 1001))
        XCTAssertFalse(reader.frameRateIsGuessed)
        XCTAssertEqual(reader.color.matrix, .bt709)
        XCTAssertEqual(reader.color.range, .limited)
        XCTAssertEqual(reader.color.primaries, 1)
        XCTAssertEqual(reader.color.transfer, 1)
        let back = try readAll(reader)
        XCTAssertEqual(back.count, 6)
        for (i, (a, b)) in zip(frames, back).enumerated() {
            XCTAssertEqual(b.index, i)
            XCTAssertEqual(a.y, b.y, "frame \(i)")
            XCTAssertEqual(a.u, b.u, "frame \(i)")
            XCTAssertEqual(a.v, b.v, "frame \(i)")
        }
        XCTAssertNil(try reader.nextFrame(), "stays at the end")
    }

    func testMPEG4InMP4IsClose() throws {
        let dir = try makeTemporaryDirectory(self)
        let path = dir.appendingPathComponent("clip.mp4").path
        let frames = try writeClip(path, codec: "mpeg4", count: 10, width: 64, height: 48,
                                   frameRate: FrameRate(30), options: ["b": "2000000", "g": "5", "bf": "2"])
        let reader = try VideoReader(path: path)
        XCTAssertEqual(reader.width, 64)
        XCTAssertEqual(reader.height, 48)
        XCTAssertEqual(reader.frameRate, FrameRate(30))
        XCTAssertEqual(reader.frameCountEstimate, 10)
        let back = try readAll(reader)
        XCTAssertEqual(back.count, 10, "B-frames are reordered and the decoder drained at EOF")
        for (a, b) in zip(frames, back) {
            XCTAssertLessThan(meanAbsoluteDifference(a.y, b.y), 2.5, "frame \(a.index) luma")
            XCTAssertLessThan(meanAbsoluteDifference(a.u, b.u), 2.5, "frame \(a.index) chroma")
        }
        // maxFrames stops early and caps the estimate.
        let limited = try VideoReader(path: path, maxFrames: 3)
        XCTAssertEqual(limited.frameCountEstimate, 3)
        XCTAssertEqual(try readAll(limited).count, 3)
    }

    func testMJPEGInAVIIsFullRange() throws {
        // mjpeg codes yuvj420p: the reader must report full range and keep the samples unscaled.
        let dir = try makeTemporaryDirectory(self)
        let path = dir.appendingPathComponent("clip.avi").path
        let full = ColorInfo(matrix: .bt601, range: .full)
        let frames = try writeClip(path, codec: "mjpeg", count: 4, width: 48, height: 32,
                                   encoderPixelFormat: "yuvj420p", color: full, options: ["qmin": "1", "qmax": "3"])
        let reader = try VideoReader(path: path)
        XCTAssertEqual(reader.sourcePixelFormat, "yuvj420p")
        XCTAssertEqual(reader.color.range, .full)
        let back = try readAll(reader)
        XCTAssertEqual(back.count, 4)
        for (a, b) in zip(frames, back) {
            XCTAssertEqual(b.color.range, .full)
            XCTAssertLessThan(meanAbsoluteDifference(a.y, b.y), 2.5)
            XCTAssertLessThan(meanAbsoluteDifference(a.v, b.v), 2.5)
        }
    }

    func testOtherPixelFormatsAreConverted() throws {
        let dir = try makeTemporaryDirectory(self)
        // 4:2:2 -> 4:2:0: luma untouched, chroma close.
        let p422 = dir.appendingPathComponent("422.mkv").path
        let f422 = try writeClip(p422, codec: "ffv1", count: 2, width: 32, height: 16, format: .yuv444p,
                                 encoderPixelFormat: "yuv422p")
        let r422 = try VideoReader(path: p422)
        XCTAssertEqual(r422.sourcePixelFormat, "yuv422p")
        XCTAssertEqual(r422.pixelFormat, .yuv420p)
        let b422 = try readAll(r422)
        XCTAssertEqual(b422.count, 2)
        XCTAssertEqual(b422[0].y, f422[0].y)
        XCTAssertEqual(b422[0].u.count, 16 * 8)

        // 10-bit 4:2:0 -> 8-bit, limited range kept.
        let p10 = dir.appendingPathComponent("10bit.mkv").path
        let f10 = try writeClip(p10, codec: "ffv1", count: 2, width: 24, height: 10, encoderPixelFormat: "yuv420p10le")
        let r10 = try VideoReader(path: p10)
        XCTAssertEqual(r10.sourcePixelFormat, "yuv420p10le")
        XCTAssertEqual(r10.color.range, .limited)
        let b10 = try readAll(r10)
        XCTAssertLessThanOrEqual(maxAbsoluteDifference(b10[1].y, f10[1].y), 1)
        XCTAssertLessThanOrEqual(maxAbsoluteDifference(b10[1].v, f10[1].v), 1)

        // Full-range 4:2:2 (yuvj422p) -> 4:2:0 stays full range and unscaled.
        let pj = dir.appendingPathComponent("j422.avi").path
        let fj = try writeClip(pj, codec: "mjpeg", count: 1, width: 32, height: 16, format: .yuv444p,
                               encoderPixelFormat: "yuvj422p", color: ColorInfo(matrix: .bt601, range: .full),
                               options: ["qmin": "1", "qmax": "3"])
        let rj = try VideoReader(path: pj)
        XCTAssertEqual(rj.sourcePixelFormat, "yuvj422p")
        XCTAssertEqual(rj.color.range, .full)
        let bj = try readAll(rj)
        XCTAssertLessThan(meanAbsoluteDifference(bj[0].y, fj[0].y), 2.5, "no limited-range squeeze")

        // RGB (bgr0) -> 4:4:4 BT.709 full range. Colours inside the RGB gamut survive
        // YUV -> RGB -> YUV to within rounding, which checks the matrix and range swscale applied.
        let prgb = dir.appendingPathComponent("rgb.mkv").path
        let full709 = ColorInfo(matrix: .bt709, range: .full)
        let writer = try VideoWriter(path: prgb, codec: "ffv1", width: 16, height: 16, frameRate: FrameRate(25),
                                     pixelFormat: .yuv444p, encoderPixelFormat: "bgr0", color: full709)
        let n = 16 * 16
        let src = VideoFrame(width: 16, height: 16, format: .yuv444p,
                             y: (0..<n).map { UInt8(100 + $0 * 60 / n) },
                             u: (0..<n).map { UInt8(98 + ($0 * 7) % 61) },
                             v: (0..<n).map { UInt8(158 - ($0 * 5) % 61) }, color: full709)
        try writer.write(src)
        try writer.finish()
        let rrgb = try VideoReader(path: prgb)
        XCTAssertEqual(rrgb.sourcePixelFormat, "bgr0")
        XCTAssertEqual(rrgb.pixelFormat, .yuv444p)
        XCTAssertEqual(rrgb.color.matrix, .bt709)
        XCTAssertEqual(rrgb.color.range, .full)
        let brgb = try readAll(rrgb)
        XCTAssertLessThanOrEqual(maxAbsoluteDifference(brgb[0].y, src.y), 2)
        XCTAssertLessThanOrEqual(maxAbsoluteDifference(brgb[0].u, src.u), 2)
        XCTAssertLessThanOrEqual(maxAbsoluteDifference(brgb[0].v, src.v), 2)
    }

    func testX264AndX265WhenPresent() throws {
        let dir = try makeTemporaryDirectory(self)
        var tried = 0
        // The anchor settings of docs/evaluation.md (preset medium, tune zerolatency, keyint = intra period, crf).
        let anchor = ["preset": "medium", "tune": "zerolatency", "g": "4", "crf": "18"]
        for (codec, options) in [("libx264", anchor), ("libx265", anchor)] {
            guard VideoWriter.isEncoderAvailable(codec) else { continue }
            tried += 1
            let path = dir.appendingPathComponent("\(codec).mp4").path
            let frames = try writeClip(path, codec: codec, count: 8, width: 64, height: 64, options: options)
            let back = try readAll(VideoReader(path: path))
            XCTAssertEqual(back.count, 8, codec)
            for (a, b) in zip(frames, back) {
                XCTAssertLessThan(meanAbsoluteDifference(a.y, b.y), 2.5, "\(codec) frame \(a.index)")
            }
        }
        if tried == 0 { throw XCTSkip("neither libx264 nor libx265 is in this FFmpeg build") }
    }

    func testWriterRejectsUnknownEncoderAndOptions() throws {
        let dir = try makeTemporaryDirectory(self)
        let path = dir.appendingPathComponent("x.mkv").path
        assertMediaError(try VideoWriter(path: path, codec: "no-such-codec", width: 16, height: 16, frameRate: FrameRate(25))) {
            if case .encoderNotFound = $0 { return true }; return false
        }
        assertMediaError(try VideoWriter(path: path, codec: "ffv1", width: 16, height: 16, frameRate: FrameRate(25),
                                         options: ["not-an-option": "1"])) {
            if case .encodeFailed = $0 { return true }; return false
        }
        assertMediaError(try VideoWriter(path: path, codec: "mpeg4", width: 16, height: 16, frameRate: FrameRate(25),
                                         pixelFormat: .yuv444p)) {
            if case .encodeFailed = $0 { return true }; return false
        }
    }

    func testEncoderAvailabilityReport() {
        // The encoders the evaluation anchors and the tests rely on; printed for the log.
        let names = ["mpeg4", "ffv1", "mjpeg", "libx264", "libx265", "libaom-av1", "libsvtav1", "libvpx-vp9"]
        let present = names.filter(VideoWriter.isEncoderAvailable)
        print("libavcodec encoders present: \(present.joined(separator: " "))")
        XCTAssertTrue(present.contains("mpeg4") && present.contains("ffv1"), "the tests need mpeg4 and ffv1")
    }

    func testDataClipWhenPresent() throws {
        // data/ sits at the package root (see `make data`); this file is Tests/MediaTests/<name>.
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let data = root.appendingPathComponent("data")
        let exts: Set<String> = ["mp4", "avi", "mkv", "y4m", "mov"]
        // DCVC_MEDIA_TEST_CLIP=<path> tests that clip instead of the first one under data/.
        let chosen = ProcessInfo.processInfo.environment["DCVC_MEDIA_TEST_CLIP"].map { URL(fileURLWithPath: $0) }
        let clip = chosen ?? FileManager.default.enumerator(at: data, includingPropertiesForKeys: nil)?
            .compactMap { $0 as? URL }
            .filter { exts.contains($0.pathExtension.lowercased()) }
            .sorted { $0.path < $1.path }
            .first
        guard let clip else { throw XCTSkip("no clips under \(data.path); run `make data` to test a real one") }
        let reader = try openVideo(path: clip.path, maxFrames: 5)
        let frames = try readAll(reader)
        XCTAssertEqual(frames.count, 5, clip.path)
        XCTAssertTrue(reader.frameRate.isValid)
        for f in frames {
            XCTAssertEqual(f.width, reader.width)
            XCTAssertEqual(f.height, reader.height)
            let rgb = ColorConversion.toRGB(f)
            XCTAssertEqual(rgb.data.count, 3 * f.width * f.height)
        }
        let rgb = ColorConversion.toRGB(frames[0])
        let resolved = ColorConversion.resolvedColor(of: frames[0])
        let source = (reader as? VideoReader).map { "\($0.codecName) \($0.sourcePixelFormat)" } ?? "y4m"
        print("decoded \(clip.lastPathComponent): \(source) \(reader.width)x\(reader.height) -> \(reader.pixelFormat) @ \(reader.frameRate), ~\(reader.frameCountEstimate.map(String.init) ?? "?") frames, colour \(resolved), mean RGB \(rgb.data.reduce(0, +) / Float(rgb.data.count))")
    }
}
