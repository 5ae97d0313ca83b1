import XCTest
@testable import Bitstream
import Checksum

/// Primitive encodings and the worked example of spec/container.md §9.
final class ContainerSyntaxTests: XCTestCase {
    func testVarintRoundTripAndSizes() {
        let values: [UInt64] = [0, 1, 127, 128, 255, 300, 16_383, 16_384, (1 << 28) - 1, 1 << 28,
                                UInt64(Int64.max), .max]
        for v in values {
            var b: [UInt8] = []
            b.appendVarint(v)
            XCTAssertEqual(b.count, varintSize(v), "\(v)")
            XCTAssertEqual(decodeVarint(b), .value(v, size: b.count), "\(v)")
            if b.count > 1 { XCTAssertEqual(decodeVarint(b.dropLast()), .incomplete) }
        }
        var b: [UInt8] = []
        b.appendVarint(300)
        XCTAssertEqual(b, [0xAC, 0x02])
        XCTAssertEqual(decodeVarint([0x80, 0x00]), .malformed, "non-canonical zero")
        XCTAssertEqual(decodeVarint([0xFF, 0x80, 0x00]), .malformed, "trailing zero group")
        XCTAssertEqual(decodeVarint([UInt8](repeating: 0xFF, count: 9) + [0x02]), .malformed, "over 64 bits")
        XCTAssertEqual(decodeVarint([UInt8](repeating: 0x80, count: 10) + [0x01]), .malformed, "11 bytes")
        XCTAssertEqual(decodeVarint([0xFF, 0xFF, 0xFF, 0x7F], maxBytes: 4), .value((1 << 28) - 1, size: 4))
        XCTAssertEqual(decodeVarint([0x80, 0x80, 0x80, 0x80, 0x01], maxBytes: 4), .malformed)
        XCTAssertEqual(decodeVarint([0x80, 0x80, 0x80, 0x80], maxBytes: 4), .malformed)
    }

    func testSignedVarint() throws {
        for v: Int64 in [0, -1, 1, -64, 64, Int64.min, Int64.max] {
            var b: [UInt8] = []
            b.appendSignedVarint(v)
            var c = PayloadCursor(b, baseOffset: 0, context: ErrorContext(file: "t"), unitName: "test")
            XCTAssertEqual(try c.signedVarint("v"), v)
        }
        var b: [UInt8] = []
        b.appendSignedVarint(-1)
        XCTAssertEqual(b, [0x01])
    }

    /// The 50-byte empty stream written out in the spec.
    func testSpecExampleBytes() throws {
        let header = SequenceHeader(width: 176, height: 144, frameRate: FrameRate(30, 1), intraPeriod: 32)
        let bytes = try Fixtures.encode(header, [])
        XCTAssertEqual(bytes.count, 50)
        let fileHeader: [UInt8] = [0x89, 0x44, 0x43, 0x56, 0x0D, 0x0A, 0x1A, 0x0A, 0x01, 0x00, 0x00, 0x00]
        XCTAssertEqual(Array(bytes[0..<12]), fileHeader)
        XCTAssertEqual(readU32(bytes[12..<16]), CRC32C.checksum(fileHeader))
        let headerUnit: [UInt8] = [0x01, 0x15, 0x00, 0x00, 0x00, 0x00, 0xB0, 0x01, 0x90, 0x01, 0x1E, 0x01, 0x20,
                                   0x08, 0x01, 0x00, 0x01, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00]
        XCTAssertEqual(Array(bytes[16..<39]), headerUnit)
        XCTAssertEqual(readU32(bytes[39..<43]), CRC32C.checksum(headerUnit))
        XCTAssertEqual(Array(bytes[43..<46]), [0x03, 0x01, 0x00])
        XCTAssertEqual(readU32(bytes[46..<50]), CRC32C.checksum([0x03, 0x01, 0x00]))
    }

    func testToolsAreStoredInKeyOrder() throws {
        var h = SequenceHeader(width: 8, height: 8, frameRate: FrameRate(1))
        h.tools = ["b": .int(2), "a": .string("x y"), "B": .int(-3)]
        let payload = h.encodePayload()
        // After the 16 fixed bytes: count 3, then "B", "a", "b" (bytewise order: uppercase first).
        XCTAssertEqual(Array(payload[16..<21]), [3, 1, UInt8(ascii: "B"), 0, 5])
        var c = PayloadCursor(payload, baseOffset: 0, context: ErrorContext(file: "t"), unitName: "test")
        XCTAssertEqual(try SequenceHeader.decode(&c), h)
    }

    func testUnitSizeLimitIsEnforcedByTheWriter() throws {
        // One byte over the limit. The payload is the substream plus its 1+1+1+1+4-byte framing.
        let writer = try ContainerWriter(sink: MemorySink(), header: SequenceHeader(
            width: 8, height: 8, frameRate: FrameRate(1), substreamNames: ["s"]))
        let big = [UInt8](repeating: 0, count: ContainerFormat.maxPayloadLength - 8 + 1)
        XCTAssertThrowsError(try writer.write(FrameUnit(type: .intra, index: 0, substreams: [Substream(name: "s", bytes: big)]))) {
            guard case .limitExceeded(field: "frame unit payload", _, _)? = ($0 as? ContainerError)?.reason else {
                return XCTFail("\($0)")
            }
        }
    }
}
