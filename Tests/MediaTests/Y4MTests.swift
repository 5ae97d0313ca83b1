import Foundation
import XCTest
import Media
import ToolTesting

final class Y4MTests: XCTestCase {
    func testRoundTripOddSizesAndBothChromas() throws {
        let dir = try makeTemporaryDirectory(self)
        for (w, h) in [(1, 1), (7, 5), (33, 17), (64, 48)] {
            for chroma in [Y4MChroma.c420jpeg, .c420mpeg2, .c420paldv, .c420, .c444] {
                let path = dir.appendingPathComponent("rt-\(w)x\(h)-\(chroma.rawValue).y4m").path
                let header = Y4MHeader(width: w, height: h, frameRate: FrameRate(30000, 1001), chroma: chroma,
                                       colorRange: .full)
                let writer = try Y4MWriter(path: path, header: header)
                let frames = (0..<3).map {
                    syntheticFrame(width: w, height: h, format: chroma.pixelFormat, index: $0,
                                   frameRate: FrameRate(30000, 1001), color: ColorInfo(range: .full))
                }
                for f in frames { try writer.write(f) }
                try writer.close()

                // Header plus three FRAME lines and the plane bytes, chroma sizes rounded up.
                let size = try FileManager.default.attributesOfItem(atPath: path)[.size] as! Int
                XCTAssertEqual(size, header.line.utf8.count + 3 * (6 + chroma.pixelFormat.frameBytes(width: w, height: h)))

                let reader = try Y4MReader(path: path)
                XCTAssertEqual(reader.header, header)
                XCTAssertEqual(reader.frameCountEstimate, 3)
                XCTAssertEqual(reader.color.range, .full)
                let back = try readAll(reader)
                XCTAssertEqual(back.count, 3)
                for (a, b) in zip(frames, back) {
                    XCTAssertEqual(a.y, b.y)
                    XCTAssertEqual(a.u, b.u)
                    XCTAssertEqual(a.v, b.v)
                    XCTAssertEqual(a.index, b.index)
                    XCTAssertEqual(b.format, chroma.pixelFormat)
                    XCTAssertEqual(b.frameRate, FrameRate(30000, 1001))
                }
            }
        }
    }

    func testHeaderParsingDefaultsAndIgnoredXTags() throws {
        let h = try Y4MHeader.parse("YUV4MPEG2 W352 H288 F25:1 XYSCSS=420JPEG XFOO", path: "t")
        XCTAssertEqual(h.width, 352)
        XCTAssertEqual(h.height, 288)
        XCTAssertEqual(h.chroma, .c420)
        XCTAssertEqual(h.interlacing, "?")
        XCTAssertEqual(h.aspectNumerator, 0)
        XCTAssertEqual(h.colorRange, .unspecified)
        let g = try Y4MHeader.parse("YUV4MPEG2 W3 H2 F30000:1001 It A128:117 C444 XCOLORRANGE=LIMITED", path: "t")
        XCTAssertEqual(g.frameRate, FrameRate(30000, 1001))
        XCTAssertEqual(g.interlacing, "t")
        XCTAssertEqual(g.aspectNumerator, 128)
        XCTAssertEqual(g.aspectDenominator, 117)
        XCTAssertEqual(g.chroma, .c444)
        XCTAssertEqual(g.colorRange, .limited)
        // Formatting and parsing agree.
        XCTAssertEqual(try Y4MHeader.parse(String(g.line.dropLast()), path: "t"), g)
    }

    func testBadHeadersAreRejected() {
        let cases: [(String, (MediaError) -> Bool)] = [
            ("YUV4MPEG3 W2 H2 F25:1", { if case .badY4MHeader = $0 { return true }; return false }),
            ("YUV4MPEG2 H2 F25:1", { if case .badY4MHeader = $0 { return true }; return false }),
            ("YUV4MPEG2 W2 H2", { if case .badY4MHeader = $0 { return true }; return false }),
            ("YUV4MPEG2 W2 H2 F25:0", { if case .badY4MHeader = $0 { return true }; return false }),
            ("YUV4MPEG2 W2x H2 F25:1", { if case .badY4MHeader = $0 { return true }; return false }),
            ("YUV4MPEG2 W2 W2 H2 F25:1", { if case .badY4MHeader = $0 { return true }; return false }),
            ("YUV4MPEG2 W2 H2 F25:1 Iq", { if case .badY4MHeader = $0 { return true }; return false }),
            ("YUV4MPEG2 W2 H2 F25:1 Z9", { if case .badY4MHeader = $0 { return true }; return false }),
            ("YUV4MPEG2 W2 H2 F25:1 C422", { if case .unsupported = $0 { return true }; return false }),
            ("YUV4MPEG2 W2 H2 F25:1 C420p10", { if case .unsupported = $0 { return true }; return false }),
            ("YUV4MPEG2 W99999 H2 F25:1", { if case .badDimensions(_, 99999, 2) = $0 { return true }; return false }),
            ("YUV4MPEG2 W8193 H8192 F25:1", { if case .badDimensions = $0 { return true }; return false }),
            ("YUV4MPEG2 W0 H2 F25:1", { if case .badDimensions = $0 { return true }; return false }),
            ("YUV4MPEG2 W123456789012 H2 F25:1", { if case .badY4MHeader = $0 { return true }; return false }),
        ]
        for (line, matches) in cases {
            assertMediaError(try Y4MHeader.parse(line, path: "x.y4m"), line, matches: matches)
        }
        // The limit itself is accepted.
        XCTAssertNoThrow(try Y4MHeader.parse("YUV4MPEG2 W\(maxFrameDimension) H\(maxFrameDimension) F25:1", path: "x"))
    }

    func testTruncatedAndMalformedFiles() throws {
        let dir = try makeTemporaryDirectory(self)
        let path = dir.appendingPathComponent("full.y4m").path
        let header = Y4MHeader(width: 9, height: 7, frameRate: FrameRate(25))
        let writer = try Y4MWriter(path: path, header: header)
        for i in 0..<3 { try writer.write(syntheticFrame(width: 9, height: 7, format: .yuv420p, index: i)) }
        try writer.close()
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        let frameSize = 6 + header.frameBytes
        let start = header.line.utf8.count

        // Cut inside frame 1's pixels: the error names frame 1.
        let cut = dir.appendingPathComponent("cut.y4m")
        try bytes.prefix(start + frameSize + 6 + 10).write(to: cut)
        let r = try Y4MReader(path: cut.path)
        XCTAssertNotNil(try r.nextFrame())
        assertMediaError(try r.nextFrame()) {
            if case let .truncatedFrame(_, frame, expected, got) = $0 { return frame == 1 && expected == header.frameBytes && got == 10 }
            return false
        }

        // Cut inside frame 2's FRAME line.
        let cutLine = dir.appendingPathComponent("cutline.y4m")
        try bytes.prefix(start + 2 * frameSize + 3).write(to: cutLine)
        let r2 = try Y4MReader(path: cutLine.path)
        XCTAssertNotNil(try r2.nextFrame())
        XCTAssertNotNil(try r2.nextFrame())
        assertMediaError(try r2.nextFrame()) { if case .badY4MFrame(_, 2, _) = $0 { return true }; return false }

        // A frame marker that is not FRAME.
        var mangled = bytes
        mangled[start + frameSize] = UInt8(ascii: "X")
        let bad = dir.appendingPathComponent("bad.y4m")
        try mangled.write(to: bad)
        let r3 = try Y4MReader(path: bad.path)
        XCTAssertNotNil(try r3.nextFrame())
        assertMediaError(try r3.nextFrame()) { if case .badY4MFrame(_, 1, _) = $0 { return true }; return false }

        // Header only: zero frames.
        let empty = dir.appendingPathComponent("empty.y4m")
        try bytes.prefix(start).write(to: empty)
        assertMediaError(try Y4MReader(path: empty.path)) { if case .noFrames = $0 { return true }; return false }

        // A header without a newline, and a header line that never ends.
        let noNewline = dir.appendingPathComponent("nonl.y4m")
        try Data("YUV4MPEG2 W2 H2 F25:1".utf8).write(to: noNewline)
        assertMediaError(try Y4MReader(path: noNewline.path)) { if case .badY4MHeader = $0 { return true }; return false }
        let endless = dir.appendingPathComponent("endless.y4m")
        try Data(("YUV4MPEG2 " + String(repeating: "X", count: 10_000)).utf8).write(to: endless)
        assertMediaError(try Y4MReader(path: endless.path)) { if case .badY4MHeader = $0 { return true }; return false }

        // maxFrames stops early.
        XCTAssertEqual(try readAll(Y4MReader(path: path, maxFrames: 2)).count, 2)
    }

    func testWriterRejectsMismatchedFrames() throws {
        let dir = try makeTemporaryDirectory(self)
        let writer = try Y4MWriter(path: dir.appendingPathComponent("w.y4m").path,
                                   header: Y4MHeader(width: 8, height: 8, frameRate: FrameRate(25)))
        assertMediaError(try writer.write(syntheticFrame(width: 8, height: 6, format: .yuv420p, index: 0))) {
            if case .frameMismatch = $0 { return true }; return false
        }
        assertMediaError(try writer.write(syntheticFrame(width: 8, height: 8, format: .yuv444p, index: 0))) {
            if case .frameMismatch = $0 { return true }; return false
        }
        try writer.close()
    }

    func testLibavformatReadsOurY4M() throws {
        // Our writer's output is valid for FFmpeg's own Y4M demuxer, odd sizes included.
        let dir = try makeTemporaryDirectory(self)
        let path = dir.appendingPathComponent("ff.y4m").path
        let writer = try Y4MWriter(path: path, header: Y4MHeader(width: 13, height: 9, frameRate: FrameRate(24)))
        let frames = (0..<4).map { syntheticFrame(width: 13, height: 9, format: .yuv420p, index: $0) }
        for f in frames { try writer.write(f) }
        try writer.close()
        let reader = try VideoReader(path: path)
        XCTAssertEqual(reader.width, 13)
        XCTAssertEqual(reader.height, 9)
        XCTAssertEqual(reader.frameRate, FrameRate(24))
        let back = try readAll(reader)
        XCTAssertEqual(back.map(\.y), frames.map(\.y))
        XCTAssertEqual(back.map(\.u), frames.map(\.u))
        XCTAssertEqual(back.map(\.v), frames.map(\.v))
    }
}
