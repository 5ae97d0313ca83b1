import XCTest
@testable import Bitstream

/// Crafted files that break one rule each; the reader must name that rule.
final class ContainerValidationTests: XCTestCase {
    private let end0 = Fixtures.unit(0x03, [0])

    private func file(_ units: [[UInt8]], major: UInt16 = 1, minor: UInt16 = 0) -> [UInt8] {
        Fixtures.fileHeader(major: major, minor: minor) + units.flatMap { $0 }
    }

    private func headerUnit(names: [String] = ["a", "b"], frameCount: Int = 0) -> [UInt8] {
        Fixtures.unit(0x01, Fixtures.minimalHeaderPayload(names: names, frameCount: frameCount))
    }

    private func frameUnit(index: Int, type: UInt8 = 0, subs: [(Int, [UInt8])] = []) -> [UInt8] {
        var p: [UInt8] = [type]
        p.appendVarint(index)
        p.appendVarint(subs.count)
        for (i, b) in subs { p.appendVarint(i); p.appendVarint(b.count); p += b }
        return Fixtures.unit(0x02, p)
    }

    private func reason(_ bytes: [UInt8], file: StaticString = #filePath, line: UInt = #line) -> ContainerError.Reason? {
        let e = Fixtures.failure(bytes)
        XCTAssertNotNil(e, "accepted", file: file, line: line)
        return e?.reason
    }

    func testMinimalFileIsValid() throws {
        let f = file([headerUnit(), frameUnit(index: 0, subs: [(0, [1, 2]), (1, [])]), Fixtures.unit(0x03, [1])])
        let (_, frames) = try Fixtures.decode(f)
        XCTAssertEqual(frames, [FrameUnit(type: .intra, index: 0, substreams: [
            Substream(name: "a", bytes: [1, 2]), Substream(name: "b", bytes: [])])])
    }

    func testWrongMagic() {
        var f = file([headerUnit(), end0])
        f[1] = UInt8(ascii: "X")
        XCTAssertEqual(reason(f), .badMagic)
        XCTAssertEqual(reason(Array("hello".utf8)), .badMagic, "a short non-.dcv file is not 'truncated'")
        XCTAssertEqual(reason(Array("RIFF0000WAVEfmt data".utf8)), .badMagic)
        XCTAssertEqual(Fixtures.failure(f)?.description, "test.dcv (byte 0): not a .dcv file (bad magic)")
    }

    func testNewerAndOlderVersions() throws {
        let newer = Fixtures.failure(file([headerUnit(), end0], major: 2, minor: 3))
        XCTAssertEqual(newer?.reason, .newerVersion(major: 2, minor: 3))
        XCTAssertEqual(newer?.reasonText, "file version 2.3 is newer than this decoder (max 1)")
        XCTAssertEqual(reason(file([headerUnit(), end0], major: 0, minor: 9)), .unsupportedVersion(major: 0, minor: 9))
        // A newer minor of the same major is read.
        let reader = try ContainerReader(bytes: file([headerUnit(), end0], minor: 7))
        XCTAssertEqual(reader.version, ContainerVersion(major: 1, minor: 7))
        XCTAssertNil(try reader.nextFrame())
    }

    func testFileHeaderCRC() {
        var f = file([headerUnit(), end0])
        f[10] ^= 1  // minor version: only the CRC can tell
        guard case .crcMismatch = reason(f) else { return XCTFail("expected CRC mismatch") }
        XCTAssertNil(Fixtures.failure(f)?.unit)
    }

    func testUnitLengthLimits() {
        // 2^28 - 1 in 4 bytes passes the limit but not the size check: truncated, without allocating it.
        let huge = Fixtures.fileHeader() + [0x01, 0xFF, 0xFF, 0xFF, 0x7F, 0, 0]
        guard case .truncated = reason(huge) else { return XCTFail() }
        // Five bytes, or a non-canonical form: malformed.
        XCTAssertEqual(reason(Fixtures.fileHeader() + [0x01, 0x80, 0x80, 0x80, 0x80, 0x01]),
                       .malformedVarint(field: "unit_length"))
        XCTAssertEqual(reason(Fixtures.fileHeader() + [0x01, 0x81, 0x00, 0, 0, 0, 0, 0]),
                       .malformedVarint(field: "unit_length"))
    }

    func testOversizeFieldsInPayloads() {
        var h = Fixtures.minimalHeaderPayload()
        h.replaceSubrange(4..<5, with: [0x81, 0x40])  // width 16 -> 8193
        XCTAssertEqual(reason(file([Fixtures.unit(0x01, h), end0])),
                       .limitExceeded(field: "width", value: 8193, limit: 8192))

        // Two substreams in a frame whose table has one name.
        let f = file([headerUnit(names: ["a"]), frameUnit(index: 0, subs: [(0, []), (0, [])]), Fixtures.unit(0x03, [1])])
        XCTAssertEqual(reason(f), .limitExceeded(field: "substream_count", value: 2, limit: 1))

        // A substream length beyond the payload.
        var p: [UInt8] = [0, 0, 1, 0]
        p.appendVarint(1000)
        p += [1, 2, 3]
        guard case .limitExceeded(field: "length of substream a", value: 1000, limit: 3)? =
            reason(file([headerUnit(names: ["a"]), Fixtures.unit(0x02, p), Fixtures.unit(0x03, [1])])) else {
            return XCTFail()
        }

        // 65 tools.
        var tools = Array(Fixtures.minimalHeaderPayload(names: []).dropLast(3))
        tools.appendVarint(65)
        XCTAssertEqual(reason(file([Fixtures.unit(0x01, tools + [0, 0]), end0])),
                       .limitExceeded(field: "tool_count", value: 65, limit: 64))
    }

    func testFieldValues() {
        func headerWith(_ offset: Int, _ value: UInt8) -> [UInt8] {
            var h = Fixtures.minimalHeaderPayload()
            h[offset] = value
            return file([Fixtures.unit(0x01, h), end0])
        }
        // Payload: count@0-3 width@4 height@5 num@6 den@7 intra@8 depth@9 chroma@10 loc@11 ... range@15
        guard case .invalidField(field: "bit_depth", _)? = reason(headerWith(9, 17)) else { return XCTFail() }
        guard case .invalidField(field: "chroma_format", _)? = reason(headerWith(10, 4)) else { return XCTFail() }
        guard case .invalidField(field: "chroma_location", _)? = reason(headerWith(11, 6)) else { return XCTFail() }
        guard case .invalidField(field: "full_range", _)? = reason(headerWith(15, 2)) else { return XCTFail() }
        guard case .invalidField(field: "frame_rate_den", _)? = reason(headerWith(7, 0)) else { return XCTFail() }
        guard case .invalidField(field: "frame_type", _)? =
            reason(file([headerUnit(), frameUnit(index: 0, type: 2), Fixtures.unit(0x03, [1])])) else { return XCTFail() }
        // Substreams out of table order.
        guard case .invalidField(field: "substream name_index", _)? =
            reason(file([headerUnit(), frameUnit(index: 0, subs: [(1, []), (0, [])]), Fixtures.unit(0x03, [1])])) else {
            return XCTFail()
        }
        // A name with a control character.
        var bad = Fixtures.minimalHeaderPayload(names: ["ab"])
        bad[bad.count - 1] = 0x07
        guard case .invalidField(field: "substream name", _)? = reason(file([Fixtures.unit(0x01, bad), end0])) else {
            return XCTFail()
        }
        // Tool keys out of order.
        var h = Array(Fixtures.minimalHeaderPayload(names: []).dropLast(3))
        h += [2, 1, UInt8(ascii: "b"), 0, 2, 1, UInt8(ascii: "a"), 0, 4, 0, 0]
        guard case .invalidField(field: "tool key", _)? = reason(file([Fixtures.unit(0x01, h), end0])) else {
            return XCTFail()
        }
        // Non-canonical varint inside a payload (width 16 as 0x90 0x00).
        var nc = Fixtures.minimalHeaderPayload()
        nc.replaceSubrange(4..<5, with: [0x90, 0x00])
        XCTAssertEqual(reason(file([Fixtures.unit(0x01, nc), end0])), .malformedVarint(field: "width"))
        // A byte after the last field.
        XCTAssertEqual(reason(file([Fixtures.unit(0x01, Fixtures.minimalHeaderPayload() + [0]), end0])),
                       .trailingPayloadBytes(count: 1))
        // A payload that ends inside a field.
        guard case .invalidField(field: "substream_name_count", _)? =
            reason(file([Fixtures.unit(0x01, Array(Fixtures.minimalHeaderPayload(names: []).dropLast())), end0])) else {
            return XCTFail()
        }
    }

    func testFrameIndexOrder() {
        let end2 = Fixtures.unit(0x03, [2])
        XCTAssertEqual(reason(file([headerUnit(), frameUnit(index: 0), frameUnit(index: 2), end2])),
                       .frameIndexOutOfOrder(expected: 1, found: 2))
        XCTAssertEqual(reason(file([headerUnit(), frameUnit(index: 0), frameUnit(index: 0), end2])),
                       .frameIndexOutOfOrder(expected: 1, found: 0))
        XCTAssertEqual(reason(file([headerUnit(), frameUnit(index: 1), end2])),
                       .frameIndexOutOfOrder(expected: 0, found: 1))
        let e = Fixtures.failure(file([headerUnit(), frameUnit(index: 0), frameUnit(index: 5), end2]))
        XCTAssertEqual(e?.frame, 5)
        XCTAssertEqual(e?.unit, 2)
    }

    func testUnitOrderAndTypes() throws {
        let f1 = Fixtures.unit(0x03, [1])
        XCTAssertEqual(reason(file([frameUnit(index: 0), headerUnit(), f1])),
                       .unexpectedUnitType(0x02, detail: "the first unit must be a sequence header"))
        XCTAssertEqual(reason(file([headerUnit(), headerUnit(), end0])),
                       .unexpectedUnitType(0x01, detail: "a second sequence header"))
        XCTAssertEqual(reason(file([headerUnit(), Fixtures.unit(0x04, []), end0])),
                       .unexpectedUnitType(0x04, detail: "reserved"))
        XCTAssertEqual(reason(file([headerUnit(), Fixtures.unit(0x00, []), end0])),
                       .unexpectedUnitType(0x00, detail: "reserved"))
        // Ancillary units are checked and skipped.
        let ok = file([headerUnit(), Fixtures.unit(0x80, [9, 9]), frameUnit(index: 0), Fixtures.unit(0xFF, []), f1])
        XCTAssertEqual(try Fixtures.decode(ok).1.count, 1)
        var damagedAncillary = ok
        damagedAncillary[damagedAncillary.count - 7 - 4 - 5] ^= 0x10  // inside the 0x80 unit's payload
        XCTAssertNotNil(Fixtures.failure(damagedAncillary))
    }

    func testEndMarkerRules() {
        // Missing end marker: ends at a unit boundary.
        XCTAssertEqual(reason(file([headerUnit(), frameUnit(index: 0)])), .missingEndMarker)
        XCTAssertEqual(reason(file([])), .truncated(what: "before the sequence header"))
        // Wrong counts.
        guard case .frameCountMismatch? = reason(file([headerUnit(), frameUnit(index: 0), end0])) else { return XCTFail() }
        guard case .frameCountMismatch? = reason(file([headerUnit(frameCount: 2), frameUnit(index: 0),
                                                       Fixtures.unit(0x03, [1])])) else { return XCTFail() }
        guard case .frameCountMismatch? = reason(file([headerUnit(frameCount: 1), frameUnit(index: 0),
                                                       frameUnit(index: 1), Fixtures.unit(0x03, [2])])) else {
            return XCTFail()
        }
        // Anything after the end marker.
        XCTAssertEqual(reason(file([headerUnit(), end0]) + [0]), .trailingGarbage)
        XCTAssertEqual(reason(file([headerUnit(), end0, end0])), .trailingGarbage)
    }

    func testErrorsAreSticky() throws {
        let f = file([headerUnit(), frameUnit(index: 0), frameUnit(index: 3), Fixtures.unit(0x03, [2])])
        let reader = try ContainerReader(bytes: f, name: "x.dcv")
        XCTAssertNotNil(try reader.nextFrame())
        var first: ContainerError?
        XCTAssertThrowsError(try reader.nextFrame()) { first = $0 as? ContainerError }
        XCTAssertThrowsError(try reader.nextFrame()) { XCTAssertEqual($0 as? ContainerError, first) }
        XCTAssertEqual(first?.description, "x.dcv (frame 3, unit 2, byte 57): frame index out of order: expected 1, found 3")
    }
}
