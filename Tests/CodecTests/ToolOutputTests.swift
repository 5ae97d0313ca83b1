import Bitstream
import Checksum
import Foundation
import Media
import ToolTesting
import XCTest

/// Issue #12 items 3 and 4 and `dcvc-dec --md5`: how the coding tools treat their output.
final class ToolOutputTests: XCTestCase {
    private let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    private var dir: String!
    private var weights: String { root.appendingPathComponent("weights").path }

    override func setUpWithError() throws {
        dir = NSTemporaryDirectory() + "tool-output-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let w = try Y4MWriter(path: dir + "/in.y4m", header: Y4MHeader(width: 32, height: 32, frameRate: FrameRate(25),
                                                                        chroma: .c420jpeg, colorRange: .limited))
        for f in 0..<3 {
            try w.write(VideoFrame(width: 32, height: 32, format: .yuv420p, y: (0..<1024).map { UInt8(($0 * 7 + f) & 255) },
                                   u: [UInt8](repeating: 128, count: 256), v: [UInt8](repeating: 128, count: 256)))
        }
        try w.close()
        let r = try ToolRunner("dcvc-enc", from: Self.self).run([dir + "/in.y4m", "-o", dir + "/in.dcv", "--weights", weights])
        XCTAssertEqual(r.status, 0, r.err)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: dir) }

    private func temporaryFiles() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".tmp") }
    }

    /// dcvc-enc's summary line times I- and P-frames apart (a frame type it did not code is "-").
    func testEncoderSummaryTimesFrameTypesApart() throws {
        let enc = try ToolRunner("dcvc-enc", from: Self.self)
        let ip = try enc.run([dir + "/in.y4m", "-o", dir + "/ip.dcv", "--weights", weights, "--intra-period", "0"])
        XCTAssertEqual(ip.status, 0, ip.err)
        let line = ip.err.split(separator: "\n").last.map(String.init) ?? ""
        XCTAssertTrue(line.contains("(1 I, 2 P)"), line)
        XCTAssertNotNil(line.range(of: #"; coding I [0-9]+\.[0-9]{2} fps, P [0-9]+\.[0-9]{2} fps$"#, options: .regularExpression), line)
        let intra = try enc.run([dir + "/in.y4m", "-o", dir + "/i.dcv", "--weights", weights, "--intra-period", "1"])
        XCTAssertEqual(intra.status, 0, intra.err)
        XCTAssertTrue(intra.err.hasSuffix(", P -\n") || intra.err.hasSuffix(", P -"), intra.err)
    }

    // Item 4: a full disk is exit status 3 and one line, for both tools.
    func testFullDiskExitsThreeWithOneLine() throws {
        guard FileManager.default.fileExists(atPath: "/dev/full") else { throw XCTSkip("no /dev/full") }
        let runs = [try ToolRunner("dcvc-enc", from: Self.self).run([dir + "/in.y4m", "-o", "/dev/full", "--weights", weights]),
                    try ToolRunner("dcvc-dec", from: Self.self).run([dir + "/in.dcv", "-o", "/dev/full", "--weights", weights])]
        for r in runs {
            XCTAssertEqual(r.status, 3, r.err)
            XCTAssertEqual(r.err.split(separator: "\n").count, 1, r.err)
            XCTAssertTrue(r.err.contains("/dev/full") && r.err.contains("No space left on device"), r.err)
        }
    }

    // Item 3: SIGTERM (and SIGINT, SIGHUP) mid-run removes the hidden temporary output.
    func testSignalMidRunLeavesNoTemporaryFile() throws {
        let dec = try ToolRunner("dcvc-dec", from: Self.self)
        // A long stream (one coded frame repeated), so the decoder is still writing when signalled.
        let reader = try ContainerReader(path: dir + "/in.dcv")
        let unit = try XCTUnwrap(try reader.nextFrame())
        var header = reader.header
        header.frameCount = 0
        let sink = MemorySink()
        let writer = try ContainerWriter(sink: sink, header: header)
        for i in 0..<20_000 { _ = try writer.write(FrameUnit(type: .intra, index: i, substreams: unit.substreams)) }
        try writer.finish()
        try Data(sink.bytes).write(to: URL(fileURLWithPath: dir + "/long.dcv"))
        for sig in [SIGTERM, SIGINT, SIGHUP] {
            let p = Process()
            p.executableURL = dec.url
            p.arguments = [dir + "/long.dcv", "-o", dir + "/out.y4m", "-y", "--weights", weights]
            p.standardError = FileHandle.nullDevice
            try p.run()
            let deadline = Date().addingTimeInterval(30)
            while try temporaryFiles().isEmpty && Date() < deadline { usleep(20_000) }
            XCTAssertFalse(try temporaryFiles().isEmpty, "the decoder should be mid-run with a temporary file")
            usleep(200_000)
            XCTAssertTrue(p.isRunning, "the stream should take longer to decode")
            kill(p.processIdentifier, sig)
            p.waitUntilExit()
            XCTAssertEqual(p.terminationReason, .uncaughtSignal, "signal \(sig)")
            XCTAssertEqual(p.terminationStatus, sig, "dies of the same signal (shell status 128+\(sig))")
            XCTAssertEqual(try temporaryFiles(), [], "signal \(sig)")
            XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/out.y4m"))
        }
    }

    // Item 5 of issue #10: --md5 prints what md5sum prints for the output file.
    func testMD5MatchesTheOutputFile() throws {
        let r = try ToolRunner("dcvc-dec", from: Self.self).run([dir + "/in.dcv", "-o", dir + "/out.y4m", "--md5", "--weights", weights])
        XCTAssertEqual(r.status, 0, r.err)
        let file = try Data(contentsOf: URL(fileURLWithPath: dir + "/out.y4m"))
        XCTAssertEqual(r.out, MD5.hex(MD5.hash(Array(file))) + "\n")
    }
}
