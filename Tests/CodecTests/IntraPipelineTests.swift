import Bitstream
import CodecEncoder
import Media
import XCTest
@testable import Codec

final class IntraPipelineTests: XCTestCase {
    /// A smooth synthetic frame with odd dimensions.
    private func frame(width: Int, height: Int, index: Int = 0) -> VideoFrame {
        var rgb = [Float](repeating: 0, count: 3 * width * height)
        for y in 0..<height {
            for x in 0..<width {
                let i = y * width + x
                rgb[i] = Float(x) / Float(width)
                rgb[width * height + i] = Float(y) / Float(height)
                rgb[2 * width * height + i] = 0.5 + 0.3 * Float((x + y + index) % 7) / 7
            }
        }
        return ColorConversion.toYUV420(RGBPlanes(width: width, height: height, data: rgb),
                                        matrix: .bt709, range: .limited, index: index)
    }

    private let color = ColorInfo.bt709Limited.resolved(width: 1, height: 1)

    private func roundTrip(levels: Int, width: Int = 45, height: Int = 31, frames: Int = 2)
        throws -> (bytes: [UInt8], decoded: [VideoFrame], source: [VideoFrame]) {
        let tok = BlockMeanTokenizer()
        let enc = try IntraStreamEncoder(tokenizer: tok, levels: levels, width: width, height: height,
                                         frameRate: FrameRate(25), color: color, threads: 1)
        let sink = MemorySink()
        let writer = try ContainerWriter(sink: sink, header: enc.header, name: "mem.dcv")
        let source = (0..<frames).map { frame(width: width, height: height, index: $0) }
        for f in source { try writer.write(try enc.encode(f)) }
        try writer.finish()

        let reader = try ContainerReader(bytes: sink.bytes, name: "mem.dcv")
        let dec = try IntraStreamDecoder(header: reader.header, tokenizer: tok, file: "mem.dcv", threads: 1)
        var decoded: [VideoFrame] = []
        while let unit = try reader.nextFrame() { decoded.append(try dec.decode(unit)) }
        return (sink.bytes, decoded, source)
    }

    private func psnr(_ a: VideoFrame, _ b: VideoFrame) -> Double {
        var se = 0.0
        for (x, y) in zip(a.y, b.y) { se += Double((Int(x) - Int(y)) * (Int(x) - Int(y))) }
        return 10 * log10(255 * 255 / max(se / Double(a.y.count), 1e-9))
    }

    func testRoundTripKeepsSizeIndexAndColour() throws {
        let r = try roundTrip(levels: 2)
        XCTAssertEqual(r.decoded.count, 2)
        for (d, s) in zip(r.decoded, r.source) {
            XCTAssertEqual(d.width, 45); XCTAssertEqual(d.height, 31)
            XCTAssertEqual(d.index, s.index)
            XCTAssertEqual(d.u.count, 23 * 16, "odd sizes round chroma up")
        }
    }

    func testMoreLevelsCostMoreAndLookBetter() throws {
        var lastBytes = 0, lastPSNR = 0.0
        for levels in 1...4 {
            let r = try roundTrip(levels: levels)
            let q = zip(r.decoded, r.source).map(psnr).reduce(0, +) / Double(r.decoded.count)
            XCTAssertGreaterThan(r.bytes.count, lastBytes, "levels \(levels)")
            XCTAssertGreaterThan(q, lastPSNR, "levels \(levels)")
            lastBytes = r.bytes.count; lastPSNR = q
        }
    }

    func testDecodingIsRepeatable() throws {
        let a = try roundTrip(levels: 3), b = try roundTrip(levels: 3)
        XCTAssertEqual(a.bytes, b.bytes)
        XCTAssertEqual(a.decoded, b.decoded)
    }

    func testIndexPlaneCoderRoundTripsAndRejectsDamage() throws {
        var rng = SystemRandomNumberGenerator()
        let plane = (0..<500).map { _ in Int32.random(in: 0..<256, using: &rng) }
        let bytes = try IndexPlaneCoder.encode(plane, codebookSize: 256)
        XCTAssertEqual(try IndexPlaneCoder.decode(bytes, count: 500, codebookSize: 256), plane)
        XCTAssertThrowsError(try IndexPlaneCoder.decode(Array(bytes.dropLast(5)), count: 500, codebookSize: 256))
        XCTAssertThrowsError(try IndexPlaneCoder.decode(bytes, count: 501, codebookSize: 256))
        // Real bytes beside the ideal figure: within a flush of the model's cost.
        let ideal = IndexPlaneCoder.idealBits(plane, codebookSize: 256)
        XCTAssertLessThan(Double(bytes.count * 8), ideal + 8 * 40)
    }

    func testShortPlanesFallBackToUniformAndSkewedOnesAdapt() throws {
        var rng = SystemRandomNumberGenerator()
        let short = (0..<396).map { _ in Int32.random(in: 0..<256, using: &rng) }
        let s = try IndexPlaneCoder.encode(short, codebookSize: 256)
        XCTAssertEqual(s.first, IndexPlaneCoder.Mode.uniform.rawValue)
        XCTAssertLessThanOrEqual(s.count, 1 + 396 + 16, "uniform costs log2(K) bits an index plus the flush")
        let skewed = (0..<4000).map { _ in Int32.random(in: 0..<4, using: &rng) }
        let k = try IndexPlaneCoder.encode(skewed, codebookSize: 256)
        XCTAssertEqual(k.first, IndexPlaneCoder.Mode.adaptive.rawValue)
        XCTAssertLessThan(k.count, 4000 / 3)
        XCTAssertEqual(try IndexPlaneCoder.decode(s, count: 396, codebookSize: 256), short)
        XCTAssertEqual(try IndexPlaneCoder.decode(k, count: 4000, codebookSize: 256), skewed)
        XCTAssertThrowsError(try IndexPlaneCoder.decode([7] + s.dropFirst(), count: 396, codebookSize: 256))
        XCTAssertThrowsError(try IndexPlaneCoder.decode([], count: 396, codebookSize: 256))
    }

    func testMissingLevelAndWrongModelAreErrors() throws {
        let tok = BlockMeanTokenizer()
        let enc = try IntraStreamEncoder(tokenizer: tok, levels: 2, width: 16, height: 16,
                                         frameRate: FrameRate(25), color: color, threads: 1)
        var unit = try enc.encode(frame(width: 16, height: 16))
        let dec = try IntraStreamDecoder(header: enc.header, tokenizer: tok, file: "x.dcv", threads: 1)
        unit.substreams.removeLast()
        XCTAssertThrowsError(try dec.decode(unit)) { XCTAssertTrue("\($0)".contains("rvq.1 is missing"), "\($0)") }

        var header = enc.header
        header.tools["intra_model"] = .string("other")
        XCTAssertThrowsError(try IntraStreamDecoder(header: header, tokenizer: tok, file: "x.dcv", threads: 1))
        XCTAssertThrowsError(try IntraStreamEncoder(tokenizer: tok, levels: 5, width: 16, height: 16,
                                                    frameRate: FrameRate(25), color: color, threads: 1))
    }

    func testPaddingReplicatesAndCropsBack() {
        let rgb = RGBPlanes(width: 3, height: 2, data: (0..<18).map(Float.init))
        let t = FramePadding.padded(rgb, multiple: 4)
        XCTAssertEqual(t.shape, [1, 3, 4, 4])
        XCTAssertEqual(t[0, 0, 3, 3], 5)   // bottom-right repeats (x 2, y 1)
        XCTAssertEqual(t[0, 2, 0, 3], 14)
        XCTAssertEqual(FramePadding.cropped(t, width: 3, height: 2), rgb)
    }
}
