import Bitstream
import CodecEncoder
import Media
import Tensor
import XCTest
@testable import Codec

/// The P-frame pipeline with stand-in models: GOP structure, substreams, the encoder's references
/// against the decoder's, and the errors for P-frames that cannot be decoded.
final class InterPipelineTests: XCTestCase {
    private let file = "mem.dcv"

    /// A disc moving right over a gradient: frame `index` of a `width x height` clip.
    private func frame(width: Int, height: Int, index: Int) -> VideoFrame {
        var rgb = [Float](repeating: 0, count: 3 * width * height)
        for y in 0..<height {
            for x in 0..<width {
                let i = y * width + x
                let dx = Float(x - 10 - 3 * index), dy = Float(y - height / 2)
                let disc: Float = dx * dx + dy * dy < 64 ? 0.4 : 0
                rgb[i] = Float(x) / Float(width) * 0.5 + disc
                rgb[width * height + i] = Float(y) / Float(height) * 0.6
                rgb[2 * width * height + i] = 0.3 + disc
            }
        }
        return ColorConversion.toYUV420(RGBPlanes(width: width, height: height, data: rgb),
                                        matrix: .bt709, range: .limited, index: index)
    }

    private func encode(width: Int = 45, height: Int = 31, frames: Int = 6, intraPeriod: Int = 4,
                        lambda: Int = 1024) throws -> CodedStream {
        let first = frame(width: width, height: height, index: 0)
        let enc = try StreamEncoder(first: first, frameRate: FrameRate(25), tokenizer: BlockMeanTokenizer(), prior: nil,
                                    inter: BlockShiftInterModel(),
                                    options: .init(model: "test-blockmean", levels: 2, indexPrior: .none, threads: 1,
                                                   intraPeriod: intraPeriod, lambda: lambda))
        return try CodedStream.encode(enc, first: first, frames: frames, file: file) {
            frame(width: width, height: height, index: $0)
        }
    }

    private func decoder(_ header: SequenceHeader) throws -> FrameDecoder {
        try FrameDecoder(intra: try IntraStreamDecoder(header: header, tokenizer: BlockMeanTokenizer(), file: file, threads: 1),
                         inter: BlockShiftInterModel(), file: file)
    }

    func testGOPStructureAndHeader() throws {
        let c = try encode(frames: 9, intraPeriod: 4)
        XCTAssertEqual(c.units.map(\.type.description).joined(), "IPPPIPPPI")
        let reader = try ContainerReader(bytes: c.bytes, name: file)
        let p = try StreamParameters(header: reader.header, file: file)
        XCTAssertEqual(p.inter?.model, "test-blockshift")
        XCTAssertEqual(p.inter?.ratePoint, 1024)
        XCTAssertEqual(reader.header.intraPeriod, 4)
        XCTAssertEqual(reader.header.weights.last?.name, "shift.safetensors")
        XCTAssertEqual(Array(reader.header.substreamNames.suffix(4)), ["mv.z", "mv.y", "fr.z", "fr.y"])
        for unit in c.units where unit.type == .inter {
            XCTAssertEqual(unit.substreams.map(\.name), ["mv.z", "mv.y", "fr.z", "fr.y"])
        }
        XCTAssertEqual(try encode(frames: 3, intraPeriod: 0).units.map(\.type.description).joined(), "IPP")
    }

    /// What the decoder makes of the file is what the encoder predicted from, frame after frame.
    func testEncoderReferencesAreTheDecodersOutput() throws {
        let c = try encode(frames: 10, intraPeriod: 0)
        let reader = try ContainerReader(bytes: c.bytes, name: file)
        let dec = try decoder(reader.header)
        var n = 0
        while let unit = try reader.nextFrame() {
            let rgb = try dec.decode(unit)
            XCTAssertEqual(dec.reference, c.references[n], "frame \(n)")
            XCTAssertEqual(ReferenceFrame.make(rgb), c.references[n])
            n += 1
        }
        XCTAssertEqual(n, 10)
    }

    /// The rate point reaches the P-frames: a higher lambda spends more bytes.
    func testPFrameRateFollowsLambda() throws {
        var sizes: [Int] = []
        for lambda in [256, 2048] {
            let c = try encode(frames: 4, intraPeriod: 0, lambda: lambda)
            sizes.append(c.units.dropFirst().reduce(0) { $0 + $1.substreams.reduce(0) { $0 + $1.bytes.count } })
        }
        XCTAssertLessThan(sizes[0], sizes[1], "a higher lambda spends more bits")
    }

    private func firstP(_ c: CodedStream) -> (header: SequenceHeader, before: [FrameUnit], unit: FrameUnit) {
        let reader = try! ContainerReader(bytes: c.bytes, name: file)
        let i = c.units.firstIndex { $0.type == .inter }!
        return (reader.header, Array(c.units[..<i]), c.units[i])
    }

    private func decodeError(_ header: SequenceHeader, _ units: [FrameUnit]) -> String? {
        do {
            let dec = try decoder(header)
            for u in units { _ = try dec.decode(u) }
            return nil
        } catch { return "\(error)" }
    }

    func testTruncatedAndCorruptedPUnitsAreErrors() throws {
        let (header, before, unit) = firstP(try encode(frames: 2, intraPeriod: 0))
        XCTAssertNil(decodeError(header, before + [unit]))
        for (k, name) in ["mv.z", "mv.y", "fr.z", "fr.y"].enumerated() {
            var cut = unit
            cut.substreams[k].bytes.removeLast(4)
            XCTAssertTrue(decodeError(header, before + [cut])?.contains("substream \(name)") ?? false, name)
            var empty = unit
            empty.substreams[k].bytes = []
            XCTAssertTrue(decodeError(header, before + [empty])?.contains("substream \(name) is empty") ?? false, name)
            var flipped = unit
            flipped.substreams[k].bytes[flipped.substreams[k].bytes.count / 2] ^= 0x5A
            XCTAssertTrue(decodeError(header, before + [flipped])?.contains("substream \(name)") ?? false, "\(name) corrupted")
            var missing = unit
            missing.substreams.remove(at: k)
            XCTAssertTrue(decodeError(header, before + [missing])?.contains("substream \(name) is missing") ?? false, name)
        }
    }

    func testPFrameWithoutAnIFrameOrInterModelIsRefused() throws {
        let (header, _, unit) = firstP(try encode(frames: 2, intraPeriod: 0))
        var first = unit
        first.index = 0
        XCTAssertTrue(decodeError(header, [first])?.contains("P-frame without a preceding I-frame") ?? false)
        // The same unit in an all-intra stream.
        let intraOnly = try encode(frames: 1, intraPeriod: 1)
        let h = try ContainerReader(bytes: intraOnly.bytes, name: file).header
        let p = try StreamParameters(header: h, file: file)
        XCTAssertNil(p.inter)
        XCTAssertThrowsError(try p.check(unit, file: file)) { XCTAssertTrue("\($0)".contains("names no inter_model")) }
    }

    func testHeaderChecksOfTheInterTools() throws {
        let header = firstP(try encode(frames: 2, intraPeriod: 0)).header
        func error(_ edit: (inout SequenceHeader) -> Void) -> String? {
            var h = header
            edit(&h)
            do { _ = try StreamParameters(header: h, file: file); return nil } catch { return "\(error)" }
        }
        XCTAssertNil(error { _ in })
        XCTAssertTrue(error { $0.tools["rate_point"] = .int(300) }?.contains("rate_point 300 is not one of") ?? false)
        XCTAssertTrue(error { $0.tools["rate_point"] = nil }?.contains("lacks the integer tool rate_point") ?? false)
        XCTAssertTrue(error { $0.tools["inter_model"] = nil }?.contains("rate_point without an inter_model") ?? false)
        // mv_rate_point is optional (absent: rate_point) and checked like rate_point.
        XCTAssertEqual(try StreamParameters(header: header, file: file).inter?.mvRatePoint, header.tools["rate_point"].flatMap {
            if case .int(let v) = $0 { return Int(v) } else { return nil }
        })
        XCTAssertNil(error { $0.tools["mv_rate_point"] = .int(512) })
        XCTAssertTrue(error { $0.tools["mv_rate_point"] = .int(300) }?.contains("mv_rate_point 300 is not one of") ?? false)
        XCTAssertTrue(error { $0.tools["mv_rate_point"] = .string("512") }?.contains("lacks the integer tool mv_rate_point") ?? false)
        XCTAssertTrue(error { $0.tools["inter_model"] = nil; $0.tools["rate_point"] = nil; $0.tools["mv_rate_point"] = .int(512) }?
            .contains("mv_rate_point without an inter_model") ?? false)
        XCTAssertTrue(error { $0.tools["inter_model"] = .int(1) }?.contains("is an integer, not a string") ?? false)
        XCTAssertTrue(error { $0.weights.removeLast() }?.contains("this stream needs 2") ?? false)
        XCTAssertTrue(error { $0.substreamNames.removeLast() }?.contains("substream fr.y is not in") ?? false)
        // Only a registered inter model passes the full check.
        XCTAssertThrowsError(try StreamParameters.validated(header, file: file)) {
            XCTAssertTrue("\($0)".contains("unknown"), "\($0)")
        }
    }
}
