import Foundation
import XCTest
import Media
import ToolTesting

/// Every kind of bad input gets a typed error naming the file, and never a crash.
final class BadInputTests: XCTestCase {
    func testNonexistentPath() {
        for open in [{ try VideoReader(path: "/no/such/dir/clip.mp4") as FrameSource },
                     { try Y4MReader(path: "/no/such/dir/clip.y4m") as FrameSource }] {
            assertMediaError(try open()) {
                if case let .fileNotFound(path) = $0 { return path.hasPrefix("/no/such/dir/clip") }
                return false
            }
        }
        XCTAssertTrue(MediaError.fileNotFound(path: "/x.mp4").description.contains("/x.mp4"))
    }

    func testDirectory() throws {
        let dir = try makeTemporaryDirectory(self)
        assertMediaError(try VideoReader(path: dir.path)) { if case .unreadable = $0 { return true }; return false }
        assertMediaError(try Y4MReader(path: dir.path)) { if case .unreadable = $0 { return true }; return false }
    }

    func testTextFileIsNotMedia() throws {
        let dir = try makeTemporaryDirectory(self)
        // .txt would otherwise be opened by libavformat's ANSI-art demuxer.
        for name in ["notes.txt", "notes.dat", "notes"] {
            let url = dir.appendingPathComponent(name)
            try Data(String(repeating: "This is a text file, not a video.\n", count: 50).utf8).write(to: url)
            assertMediaError(try VideoReader(path: url.path), name) {
                if case let .notMedia(path, _) = $0 { return path == url.path }
                return false
            }
        }
        let empty = dir.appendingPathComponent("empty.mp4")
        try Data().write(to: empty)
        assertMediaError(try VideoReader(path: empty.path)) { if case .notMedia = $0 { return true }; return false }
        assertMediaError(try Y4MReader(path: empty.path)) { if case .badY4MHeader = $0 { return true }; return false }
    }

    func testAudioOnlyFile() throws {
        let dir = try makeTemporaryDirectory(self)
        let url = dir.appendingPathComponent("tone.wav")
        try Data(wavBytes(samples: 4000)).write(to: url)
        assertMediaError(try VideoReader(path: url.path)) {
            if case let .noVideoStream(path) = $0 { return path == url.path }
            return false
        }
    }

    func testZeroFrames() throws {
        let dir = try makeTemporaryDirectory(self)
        // A valid AVI with a video stream but no packets. (libavformat's MP4 muxer drops an empty
        // track, so such a file reads as "no video stream"; its MKV muxer writes a file its own
        // demuxer rejects as not media. Both are clear errors too.)
        let avi = dir.appendingPathComponent("empty.avi").path
        let writer = try VideoWriter(path: avi, codec: "mpeg4", width: 16, height: 16, frameRate: FrameRate(25))
        XCTAssertEqual(try writer.finish().frames, 0)
        assertMediaError(try VideoReader(path: avi)) {
            if case let .noFrames(path) = $0 { return path == avi }
            return false
        }
        let mp4 = dir.appendingPathComponent("empty.mp4").path
        try VideoWriter(path: mp4, codec: "mpeg4", width: 16, height: 16, frameRate: FrameRate(25)).finish()
        assertMediaError(try VideoReader(path: mp4)) { if case .noVideoStream = $0 { return true }; return false }
        // A Y4M header with no frames, through both readers.
        let y4m = dir.appendingPathComponent("empty.y4m")
        try Data("YUV4MPEG2 W16 H16 F25:1 C420jpeg\n".utf8).write(to: y4m)
        assertMediaError(try Y4MReader(path: y4m.path)) { if case .noFrames = $0 { return true }; return false }
        assertMediaError(try VideoReader(path: y4m.path)) {
            if case .noFrames = $0 { return true }
            if case .notMedia = $0 { return true }
            return false
        }
    }

    func testAbsurdDimensions() throws {
        let dir = try makeTemporaryDirectory(self)
        let url = dir.appendingPathComponent("huge.y4m")
        // The header claims 100000x100000; there are a few bytes of "frame" only.
        try Data("YUV4MPEG2 W100000 H100000 F25:1\nFRAME\nabc".utf8).write(to: url)
        assertMediaError(try Y4MReader(path: url.path)) {
            if case .badDimensions(_, 100000, 100000) = $0 { return true }
            return false
        }
        // libavformat's own Y4M demuxer path: rejected too (by us or by libav), never allocated.
        assertMediaError(try VideoReader(path: url.path)) {
            switch $0 {
            case .badDimensions, .notMedia, .decodeFailed, .noFrames: return true
            default: return false
            }
        }
        assertMediaError(try VideoWriter(path: dir.appendingPathComponent("big.mkv").path, codec: "ffv1",
                                         width: maxFrameDimension + 1, height: 16, frameRate: FrameRate(25))) {
            if case .badDimensions = $0 { return true }
            return false
        }
    }

    func testTruncatedContainersFailCleanly() throws {
        // A clip cut at several points either reads fewer frames or throws a MediaError: no crash, no hang.
        let dir = try makeTemporaryDirectory(self)
        for name in ["cut.mkv", "cut.avi", "cut.mp4"] {
            let path = dir.appendingPathComponent(name).path
            try writeClip(path, codec: "mpeg4", count: 8, width: 32, height: 32)
            let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
            for fraction in [0.1, 0.5, 0.9] {
                let cut = dir.appendingPathComponent("\(Int(fraction * 100))-\(name)")
                try bytes.prefix(Int(Double(bytes.count) * fraction)).write(to: cut)
                do {
                    let frames = try readAll(VideoReader(path: cut.path))
                    XCTAssertLessThanOrEqual(frames.count, 8, "\(name) cut at \(fraction)")
                } catch let e as MediaError {
                    XCTAssertTrue(e.description.contains(cut.path), "\(e)")
                }
            }
        }
    }
}
