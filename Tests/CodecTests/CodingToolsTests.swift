import Bitstream
import CodecEncoder
import Foundation
import Media
import ToolTesting
import XCTest
@testable import Codec

/// The built dcvc-enc and dcvc-dec on bad input: one line naming the file and reason, the
/// documented status, and no output left behind.
final class CodingToolsTests: XCTestCase {
    private var dir = ""

    override func setUpWithError() throws {
        dir = NSTemporaryDirectory() + "dcvc-tools-\(getpid())-\(UUID().uuidString)/"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    override func tearDown() { try? FileManager.default.removeItem(atPath: dir) }

    private func listing() -> [String] { ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted() }

    func testEncoderRejectsMissingAndNonMediaInput() throws {
        let enc = try ToolRunner("dcvc-enc", from: Self.self)
        let missing = try enc.run([dir + "nope.mp4", "-o", dir + "out.dcv"])
        XCTAssertEqual(missing.status, 1)
        XCTAssertTrue(missing.err.contains("nope.mp4") && missing.err.contains("no such file"), missing.err)
        try Data("not a video".utf8).write(to: URL(fileURLWithPath: dir + "text.mp4"))
        let text = try enc.run([dir + "text.mp4", "-o", dir + "out.dcv"])
        XCTAssertEqual(text.status, 1)
        XCTAssertTrue(text.err.contains("text.mp4"), text.err)
        XCTAssertEqual(listing(), ["text.mp4"], "no output, no temporary file")
    }

    func testEncoderRefusesExistingOutputWithoutOverwrite() throws {
        let y4m = dir + "in.y4m"
        let w = try Y4MWriter(path: y4m, header: Y4MHeader(width: 16, height: 16, frameRate: FrameRate(25)))
        try w.write(VideoFrame(width: 16, height: 16, format: .yuv420p, fill: (y: 100, u: 128, v: 128)))
        try w.close()
        try Data([1]).write(to: URL(fileURLWithPath: dir + "out.dcv"))
        let r = try ToolRunner("dcvc-enc", from: Self.self).run([y4m, "-o", dir + "out.dcv"])
        XCTAssertEqual(r.status, 3)
        XCTAssertTrue(r.err.contains("already exists"), r.err)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: dir + "out.dcv")), Data([1]))
    }

    func testUsageErrors() throws {
        let enc = try ToolRunner("dcvc-enc", from: Self.self)
        XCTAssertEqual(try enc.run(["in.mp4", "-o", "x.dcv", "--rvq-layers", "9"]).status, 64)
        XCTAssertEqual(try enc.run(["in.mp4"]).status, 64)
        XCTAssertEqual(try ToolRunner("dcvc-dec", from: Self.self).run(["x.dcv", "-o", "x.y4m", "--threads", "0"]).status, 64)
    }

    func testDecoderRejectsCorruptAndUnknownStreams() throws {
        let dec = try ToolRunner("dcvc-dec", from: Self.self)
        // A valid container whose model this decoder does not have.
        let tok = BlockMeanTokenizer()
        let enc = try IntraStreamEncoder(tokenizer: tok, levels: 1, width: 16, height: 16, frameRate: FrameRate(25),
                                         color: ColorInfo.bt709Limited.resolved(width: 16, height: 16), threads: 1)
        let sink = MemorySink()
        let writer = try ContainerWriter(sink: sink, header: enc.header)
        _ = try writer.write(try enc.encode(VideoFrame(width: 16, height: 16, format: .yuv420p, fill: (y: 90, u: 128, v: 128))))
        try writer.finish()
        try Data(sink.bytes).write(to: URL(fileURLWithPath: dir + "a.dcv"))
        let unknown = try dec.run([dir + "a.dcv", "-o", dir + "a.y4m"])
        XCTAssertEqual(unknown.status, 1)
        XCTAssertTrue(unknown.err.contains("test-blockmean"), unknown.err)

        var flipped = sink.bytes
        flipped[flipped.count / 2] ^= 0x10
        try Data(flipped).write(to: URL(fileURLWithPath: dir + "b.dcv"))
        let corrupt = try dec.run([dir + "b.dcv", "-o", dir + "b.y4m"])
        XCTAssertEqual(corrupt.status, 1)
        XCTAssertTrue(corrupt.err.contains("b.dcv"), corrupt.err)

        let truncated = try dec.run(["-", "-o", dir + "c.y4m"], stdin: Data(sink.bytes.prefix(20)))
        XCTAssertEqual(truncated.status, 1)
        XCTAssertEqual(listing(), ["a.dcv", "b.dcv"], "no output, no temporary file")
    }
}
