import Foundation
import XCTest
import Media
import ToolTesting
#if canImport(Glibc)
import Glibc
#endif

/// `-` means stdin for the readers and stdout for the Y4M writer. These tests point file
/// descriptor 0 or 1 at a temporary file for the duration of one call.
final class StandardStreamTests: XCTestCase {
    /// Runs `body` with `fd` redirected to `path` (opened with `flags`), then restores it.
    private func redirecting<T>(_ fd: Int32, to path: String, flags: Int32, _ body: () throws -> T) throws -> T {
        fflush(stdout)
        let saved = dup(fd)
        let file = open(path, flags, 0o644)
        XCTAssertGreaterThanOrEqual(file, 0)
        dup2(file, fd)
        close(file)
        defer {
            fflush(stdout)
            dup2(saved, fd)
            close(saved)
            clearerr(stdin)
        }
        return try body()
    }

    func testY4MThroughStdoutAndStdin() throws {
        let dir = try makeTemporaryDirectory(self)
        let path = dir.appendingPathComponent("std.y4m").path
        let frames = (0..<3).map { syntheticFrame(width: 11, height: 7, format: .yuv444p, index: $0) }
        try redirecting(1, to: path, flags: O_WRONLY | O_CREAT | O_TRUNC) {
            let writer = try Y4MWriter(path: "-", header: Y4MHeader(for: frames[0]))
            for f in frames { try writer.write(f) }
            try writer.close()
        }
        let back = try redirecting(0, to: path, flags: O_RDONLY) { try readAll(Y4MReader(path: "-")) }
        XCTAssertEqual(back.map(\.y), frames.map(\.y))
        XCTAssertEqual(back.map(\.v), frames.map(\.v))
        XCTAssertEqual(back.first?.format, .yuv444p)
    }

    func testVideoReaderFromStdin() throws {
        let dir = try makeTemporaryDirectory(self)
        let path = dir.appendingPathComponent("pipe.mkv").path
        let frames = try writeClip(path, codec: "ffv1", count: 3, width: 20, height: 10)
        let back = try redirecting(0, to: path, flags: O_RDONLY) { try readAll(VideoReader(path: "-")) }
        XCTAssertEqual(back.count, 3)
        XCTAssertEqual(back.map(\.y), frames.map(\.y))
    }

    func testOpenVideoPicksTheReader() throws {
        let dir = try makeTemporaryDirectory(self)
        let y4m = dir.appendingPathComponent("a.Y4M").path
        let w = try Y4MWriter(path: y4m, header: Y4MHeader(width: 4, height: 4, frameRate: FrameRate(25)))
        try w.write(syntheticFrame(width: 4, height: 4, format: .yuv420p, index: 0))
        try w.close()
        XCTAssertTrue(try openVideo(path: y4m) is Y4MReader)
        let mkv = dir.appendingPathComponent("a.mkv").path
        try writeClip(mkv, codec: "ffv1", count: 1, width: 4, height: 4)
        XCTAssertTrue(try openVideo(path: mkv) is VideoReader)

        // A 4:2:2 Y4M is not ours to parse, but libavformat's: it arrives converted to 4:2:0.
        let y422 = dir.appendingPathComponent("422.y4m")
        let luma = (0..<16).map { UInt8(30 + 10 * $0) }
        try Data(Array("YUV4MPEG2 W4 H4 F25:1 Ip C422\nFRAME\n".utf8) + luma + [UInt8](repeating: 100, count: 16)).write(to: y422)
        let r422 = try openVideo(path: y422.path)
        XCTAssertTrue(r422 is VideoReader)
        let f422 = try XCTUnwrap(try r422.nextFrame())
        XCTAssertEqual(f422.format, .yuv420p)
        XCTAssertEqual(f422.y, luma)
        XCTAssertEqual(Set(f422.u), [100])
    }
}
