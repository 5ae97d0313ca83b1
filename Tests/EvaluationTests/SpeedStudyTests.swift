import Foundation
import Media
import ToolTesting
import XCTest
@testable import Evaluation

/// `dcvc-eval speed`: the back-and-forth frame order, the parsing of the tools' output, the peak
/// memory of a child, and a quick end-to-end run on a small synthesized clip.
final class SpeedStudyTests: XCTestCase {
    func testShortClipsArePlayedBackAndForth() {
        XCTAssertEqual((0..<10).map { SpeedStudy.sourceIndex($0, count: 4) }, [0, 1, 2, 3, 2, 1, 0, 1, 2, 3])
        XCTAssertEqual((0..<3).map { SpeedStudy.sourceIndex($0, count: 1) }, [0, 0, 0])
        XCTAssertEqual((0..<5).map { SpeedStudy.sourceIndex($0, count: 8) }, [0, 1, 2, 3, 4])
    }

    func testReportedFPSIsReadFromTheSummaryLine() {
        let line = "dcvc-enc: 4 frames 64x48 (1 I, 3 P), 900 bytes, 0.5 bpp, 12.0 kb/s, 0.73 fps (2 threads), index prior ctx-f8\n"
        XCTAssertEqual(SpeedStudy.reportedFPS("progress\n" + line), 0.73)
        XCTAssertNil(SpeedStudy.reportedFPS("no figure here\n"))
        XCTAssertNil(SpeedStudy.reportedCodingFPS(line, frameType: "P"))
        let typed = "dcvc-enc: 4 frames 64x48 (1 I, 3 P), 900 bytes, 0.5 bpp, 12.0 kb/s, 0.73 fps (2 threads), index prior ctx-f8; coding I 1.25 fps, P 0.61 fps\n"
        XCTAssertEqual(SpeedStudy.reportedFPS(typed), 0.73)
        XCTAssertEqual(SpeedStudy.reportedCodingFPS(typed, frameType: "P"), 0.61)
        XCTAssertEqual(SpeedStudy.reportedCodingFPS(typed, frameType: "I"), 1.25)
        XCTAssertNil(SpeedStudy.reportedCodingFPS(typed.replacingOccurrences(of: "P 0.61 fps", with: "P -"), frameType: "P"))
    }

    /// The kernel's peak RSS of a child is its own: a process that touches 200 MB peaks above one
    /// that does not, and neither is charged this test process's memory (held at 300 MB here).
    func testChildPeakMemoryIsTheChildsOwn() throws {
        let err = FileManager.default.temporaryDirectory.appendingPathComponent("child-\(UUID().uuidString).err").path
        defer { try? FileManager.default.removeItem(atPath: err) }
        var ballast = [UInt8](repeating: 1, count: 300_000_000)
        ballast[12345] = 2
        let small = try ChildRun.run("/bin/sh", ["-c", "true"], stderrPath: err)
        XCTAssertEqual(ballast.reduce(0) { $0 &+ Int($1) }, 300_000_001)
        // dd reads 200 MB from /dev/zero into one buffer, touching every page of it.
        let big = try ChildRun.run("/bin/dd", ["if=/dev/zero", "of=/dev/null", "bs=200M", "count=1"], stderrPath: err)
        XCTAssertGreaterThan(small.peakRSS, 0)
        XCTAssertGreaterThan(big.peakRSS, 150_000_000, "\(big.peakRSS)")
        XCTAssertLessThan(small.peakRSS, 20_000_000, "\(small.peakRSS)")
        XCTAssertLessThan(big.peakRSS, 260_000_000, "\(big.peakRSS)")
        XCTAssertThrowsError(try ChildRun.run("/bin/sh", ["-c", "echo nope >&2; exit 3"], stderrPath: err)) { e in
            XCTAssertTrue("\(e)".contains("sh failed (exit status 3): nope"), "\(e)")
        }
    }

    /// A quick run on a 64x48 clip of 3 frames (played back and forth to 5): every figure measured.
    func testQuickRunEndToEnd() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("speed-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let clip = dir.appendingPathComponent("c.y4m").path
        let writer = try Y4MWriter(path: clip, header: Y4MHeader(width: 64, height: 48, frameRate: FrameRate(25)))
        var rng = SplitMix64(seed: 11)
        for t in 0..<3 {
            let y = (0..<(64 * 48)).map { i in UInt8(truncatingIfNeeded: 60 + (i % 64) * 2 + t * 5 + Int(rng.next() % 8)) }
            try writer.write(VideoFrame(width: 64, height: 48, format: .yuv420p, y: y, u: [UInt8](repeating: 120, count: 32 * 24),
                                        v: [UInt8](repeating: 136, count: 32 * 24), index: t))
        }
        try writer.close()
        let out = dir.appendingPathComponent("out")
        let tool = try ToolRunner("dcvc-eval", from: Self.self)
        let r = try tool.run(["speed", "--video", clip, "--size", "64x48", "--frames", "4", "--memory-frames", "2,5",
                              "--intra-period", "4", "--threads", "2", "--x265-preset", "ultrafast", "--output", out.path])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertTrue(r.out.contains("| P-frame decoding (in-process, 3 P-frames) |"), r.out)
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("speed.json"))) as? [String: Any]
        let j = try XCTUnwrap(json)
        XCTAssertEqual(j["codedFrames"] as? Int, 5)
        XCTAssertEqual(j["sourceFrames"] as? Int, 3)
        XCTAssertEqual(j["iFrames"] as? Int, 1)
        XCTAssertEqual(j["pFrames"] as? Int, 3)
        for key in ["pFrameFPS", "iFrameFPS", "encodeFPS", "encoderReportedPFPS", "encoderReportedIFPS", "x265FPS", "decoderProcessFPS"] {
            XCTAssertGreaterThan(j[key] as? Double ?? 0, 0, key)
        }
        let memory = try XCTUnwrap(j["memory"] as? [[String: Any]])
        XCTAssertEqual(memory.map { $0["frames"] as? Int }, [2, 5])
        XCTAssertTrue(memory.allSatisfy { ($0["peakRSSBytes"] as? Int ?? 0) > 1_000_000 })
        XCTAssertTrue(FileManager.default.fileExists(atPath: out.appendingPathComponent("speed.md").path))

        // A clip of another size is refused with one line naming both sizes.
        let bad = try tool.run(["speed", "--video", clip, "--frames", "2", "--memory-frames", "2", "--output", out.path])
        XCTAssertEqual(bad.status, 1)
        XCTAssertTrue(bad.err.contains("64x48, not 1280x720"), bad.err)
    }
}
