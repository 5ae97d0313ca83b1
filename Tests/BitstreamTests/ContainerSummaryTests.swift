import XCTest
@testable import Bitstream
import Foundation

final class ContainerSummaryTests: XCTestCase {
    func testSizesAddUpAndBppUsesTheFileSize() throws {
        let frames = Fixtures.frames(6)
        let bytes = try Fixtures.encode(Fixtures.header(), frames)
        let s = try ContainerSummary(reading: ContainerReader(bytes: bytes, name: "s.dcv"))
        XCTAssertEqual(s.fileBytes, bytes.count)
        XCTAssertEqual(s.headerBytes + s.frameBytes + s.endMarkerBytes, bytes.count)
        XCTAssertEqual(s.frames.map(\.type), frames.map(\.type))
        for (a, b) in zip(s.frames, frames) {
            XCTAssertEqual(a.substreams.map(\.name), b.substreams.map(\.name))
            XCTAssertEqual(a.substreams.map(\.bytes), b.substreams.map(\.bytes.count))
            XCTAssertGreaterThan(a.bytes, a.substreams.reduce(0) { $0 + $1.bytes })
        }
        XCTAssertEqual(try XCTUnwrap(s.bitsPerPixel), 8 * Double(bytes.count) / (176 * 144 * 6), accuracy: 1e-12)
        let rvq0 = frames.compactMap { $0.substream(named: "rvq.0")?.count }.reduce(0, +)
        XCTAssertEqual(s.substreamTotals.first { $0.name == "rvq.0" }?.bytes, rvq0)
        // 176x144 at f = 8 is 22 x 18 positions a frame.
        let carriers = frames.filter { $0.substream(named: "rvq.0") != nil }.count
        XCTAssertEqual(try XCTUnwrap(s.bitsPerIndex.first { $0.name == "rvq.0" }).bits,
                       8 * Double(rvq0) / (22 * 18 * Double(carriers)), accuracy: 1e-12)
        XCTAssertTrue(s.text.contains("bits/index  rvq.0:"))
    }

    func testJSONHasTheDocumentedShape() throws {
        let bytes = try Fixtures.encode(Fixtures.header(), Fixtures.frames(3))
        let s = try ContainerSummary(reading: ContainerReader(bytes: bytes, name: "q\"uote.dcv"))
        let text = s.json.rendered()
        let parsed = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        XCTAssertEqual(parsed["file"] as? String, "q\"uote.dcv")
        let sequence = try XCTUnwrap(parsed["sequence"] as? [String: Any])
        XCTAssertEqual(sequence["width"] as? Int, 176)
        XCTAssertEqual((sequence["tools"] as? [String: Any])?["intra_model"] as? String, "vqgan-f8")
        XCTAssertEqual((sequence["tools"] as? [String: Any])?["big"] as? Int, Int(Int64.min))
        XCTAssertEqual(((sequence["weights"] as? [[String: Any]])?.first?["sha256"] as? String)?.count, 64)
        let frames = try XCTUnwrap(parsed["frames"] as? [[String: Any]])
        XCTAssertEqual(frames.count, 3)
        XCTAssertEqual(frames[0]["type"] as? String, "I")
        XCTAssertEqual(frames[1]["type"] as? String, "P")
        XCTAssertEqual(frames[0]["bytes"] as? Int, s.frames[0].bytes)
        let subs = try XCTUnwrap(frames[0]["substreams"] as? [[String: Any]])
        XCTAssertEqual(subs.map { $0["name"] as? String }, s.frames[0].substreams.map(\.name))
        XCTAssertEqual(subs.map { $0["bytes"] as? Int }, s.frames[0].substreams.map(\.bytes))
        let totals = try XCTUnwrap(parsed["totals"] as? [String: Any])
        XCTAssertEqual(totals["bytes"] as? Int, bytes.count)
        // Sequence comes before frames in the text, as documented.
        XCTAssertLessThan(try XCTUnwrap(text.range(of: "\"sequence\"")).lowerBound,
                          try XCTUnwrap(text.range(of: "\"frames\"")).lowerBound)
    }

    func testZeroFrameSummary() throws {
        let s = try ContainerSummary(reading: ContainerReader(bytes: try Fixtures.encode(Fixtures.header(), [])))
        XCTAssertNil(s.bitsPerPixel)
        let parsed = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(s.json.rendered(indent: 0).utf8)) as? [String: Any])
        XCTAssertTrue((parsed["totals"] as? [String: Any])?["bpp"] is NSNull)
        XCTAssertTrue(s.text.contains("n/a (no frames)"))
    }

    func testTextReportHasOneRowPerFrame() throws {
        let bytes = try Fixtures.encode(Fixtures.header(), Fixtures.frames(4))
        let s = try ContainerSummary(reading: ContainerReader(bytes: bytes, name: "t.dcv"))
        let rows = s.text.split(separator: "\n").filter { $0.hasPrefix("      ") && ($0.contains("  I  ") || $0.contains("  P  ")) }
        XCTAssertEqual(rows.count, 4, s.text)
        XCTAssertTrue(s.text.contains("intra_model=\"vqgan-f8\""))
        XCTAssertTrue(s.text.contains("\(bytes.count) bytes"))
    }

    func testJSONEscapes() {
        XCTAssertEqual(JSONText.quoted("a\"b\\c\n\u{1}"), "\"a\\\"b\\\\c\\n\\u0001\"")
        XCTAssertEqual(JSONText.object([("k", .array([.int(1), .null, .bool(true)]))]).rendered(indent: 0),
                       "{\"k\":[1,null,true]}")
    }
}
