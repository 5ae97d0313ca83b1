import XCTest
@testable import Bitstream

final class ContainerRoundTripTests: XCTestCase {
    func testHeaderAndFramesRoundTrip() throws {
        let header = Fixtures.header()
        let frames = Fixtures.frames(9)
        let bytes = try Fixtures.encode(header, frames)
        let (readHeader, readFrames) = try Fixtures.decode(bytes)
        var expected = header
        expected.frameCount = 9  // patched in place by the writer: a memory sink can seek
        XCTAssertEqual(readHeader, expected)
        XCTAssertEqual(readFrames, frames)
        XCTAssertTrue(readFrames.contains { $0.substreams.contains { $0.bytes.isEmpty } }, "fixture lacks empty substreams")
    }

    func testZeroFrameFile() throws {
        let header = Fixtures.header()
        let bytes = try Fixtures.encode(header, [])
        let (readHeader, readFrames) = try Fixtures.decode(bytes)
        XCTAssertEqual(readHeader, header)
        XCTAssertEqual(readFrames, [])
    }

    func testKnownFrameCountIsKeptAndEnforced() throws {
        let frames = Fixtures.frames(3)
        let bytes = try Fixtures.encode(Fixtures.header(frameCount: 3), frames)
        XCTAssertEqual(try Fixtures.decode(bytes).0.frameCount, 3)

        // Fewer frames than promised: finish() refuses.
        let writer = try ContainerWriter(sink: MemorySink(), header: Fixtures.header(frameCount: 3))
        try writer.write(frames[0])
        XCTAssertThrowsError(try writer.finish())
        // More than promised: write() refuses.
        let w2 = try ContainerWriter(sink: MemorySink(), header: Fixtures.header(frameCount: 1))
        try w2.write(frames[0])
        XCTAssertThrowsError(try w2.write(frames[1]))
    }

    func testSubstreamsComeBackInTableOrder() throws {
        let header = Fixtures.header()
        let shuffled = FrameUnit(type: .intra, index: 0, substreams: [
            Substream(name: "z", bytes: [3]), Substream(name: "rvq.0", bytes: [1]), Substream(name: "mv", bytes: []),
        ])
        let (_, frames) = try Fixtures.decode(try Fixtures.encode(header, [shuffled]))
        XCTAssertEqual(frames[0].substreams.map(\.name), ["rvq.0", "mv", "z"])
        XCTAssertEqual(frames[0].substream(named: "z"), [3])
        XCTAssertEqual(frames[0].substream(named: "mv"), [])
        XCTAssertNil(frames[0].substream(named: "y"))
    }

    func testReaderReportsUnitSizesThatAddUpToTheFile() throws {
        let bytes = try Fixtures.encode(Fixtures.header(), Fixtures.frames(5))
        let reader = try ContainerReader(bytes: bytes)
        var total = ContainerFormat.fileHeaderSize + reader.headerUnitSize
        while try reader.nextFrame() != nil { total += reader.lastFrameUnitSize }
        total += reader.endMarkerUnitSize
        XCTAssertEqual(total, bytes.count)
        XCTAssertEqual(reader.bytesRead, bytes.count)
        XCTAssertTrue(reader.isAtEnd)
        XCTAssertNil(try reader.nextFrame(), "nil again after the end")
    }

    func testWriterRefusesWhatTheReaderWouldRefuse() throws {
        func refuses(_ h: SequenceHeader, _ line: UInt = #line) {
            XCTAssertThrowsError(try ContainerWriter(sink: MemorySink(), header: h), line: line)
        }
        var h = Fixtures.header()
        h.width = 0; refuses(h)
        h = Fixtures.header(); h.height = 8193; refuses(h)
        h = Fixtures.header(); h.frameRate = FrameRate(30, 0); refuses(h)
        h = Fixtures.header(); h.bitDepth = 7; refuses(h)
        h = Fixtures.header(); h.color.chromaLocation = 6; refuses(h)
        h = Fixtures.header(); h.tools["has space"] = .int(1); refuses(h)
        h = Fixtures.header(); h.tools[String(repeating: "k", count: 33)] = .int(1); refuses(h)
        h = Fixtures.header(); h.tools["k"] = .string("tab\there"); refuses(h)
        h = Fixtures.header(); h.tools["k"] = .string("é"); refuses(h)
        h = Fixtures.header(); h.weights.append(WeightRef(name: "short", sha256: [1, 2])); refuses(h)
        h = Fixtures.header(); h.weights.append(h.weights[0]); refuses(h)
        h = Fixtures.header(); h.substreamNames.append("rvq.0"); refuses(h)
        h = Fixtures.header(); h.substreamNames = (0..<65).map { "s\($0)" }; refuses(h)
        h = Fixtures.header(); h.substreamNames.append(""); refuses(h)

        let sink = MemorySink()
        let writer = try ContainerWriter(sink: sink, header: Fixtures.header())
        let before = sink.bytes.count
        XCTAssertThrowsError(try writer.write(FrameUnit(type: .intra, index: 1, substreams: []))) // index gap
        XCTAssertThrowsError(try writer.write(FrameUnit(type: .intra, index: 0, substreams: [Substream(name: "nope", bytes: [])])))
        XCTAssertThrowsError(try writer.write(FrameUnit(type: .intra, index: 0, substreams: [
            Substream(name: "y", bytes: []), Substream(name: "y", bytes: [1])])))
        XCTAssertEqual(sink.bytes.count, before, "a refused frame writes nothing")
        try writer.write(FrameUnit(type: .intra, index: 0, substreams: []))
        try writer.finish()
        XCTAssertThrowsError(try writer.write(FrameUnit(type: .inter, index: 1, substreams: [])))
        XCTAssertThrowsError(try writer.finish())
        XCTAssertEqual(try Fixtures.decode(sink.bytes).1.count, 1)
    }
}
