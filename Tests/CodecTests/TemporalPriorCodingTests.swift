import Bitstream
import CodecEncoder
import Foundation
import Media
import Models
import ModelsTraining
import Tensor
import TensorTraining
import ToolTesting
import XCTest
@testable import Codec

/// Index mode 3 (spec/intra.md §3, §3.1): a temporal context prior codes a level with the previous
/// I-frame's plane of that level as a further context.
final class TemporalPriorCodingTests: XCTestCase {
    private var dir: String!

    override func setUpWithError() throws { dir = try makeTemporaryDirectory(self, prefix: "tprior").path }

    /// A prior over 4 levels of 64 codes (BlockMeanTokenizer's) that, with a previous plane,
    /// predicts "same index as the previous I-frame" almost surely (embedding 10·e_k, identity
    /// head, no blocks) and without one is uniform. `temporal: false` makes the spatial twin.
    private func writePrior(temporal: Bool) throws -> String {
        let k = 64
        let config = ContextPriorConfig(levels: 4, codebookSize: k, hidden: k, blocks: 0, passes: 2, upperPasses: 1,
                                        temporal: temporal)
        let params = ParameterSet()
        var rng = RNG(seed: 5)
        ContextPriorNetwork(config: config).registerParameters(in: params, rng: &rng)
        for name in params.names { params[name]!.value = Tensor(shape: params[name]!.shape, repeating: 0) }
        let head = params["prior.head.weight"]!
        for i in 0..<k { head.value.storage[i * k + i] = 1 }
        if temporal {
            for l in 0..<4 {
                let t = params[ContextPriorEmbedding.previousName(l)]!
                for i in 0..<k { t.value.storage[i * k + i] = 10 }
            }
        }
        let path = dir + "/prior-\(temporal).safetensors"
        try params.safeTensors(metadata: [ContextPriorConfig.metadataKey: config.json]).write(to: path)
        return path
    }

    func testConfigJSONNamesTemporalOnlyWhenSet() throws {
        let spatial = ContextPriorConfig(levels: 8, codebookSize: 256)
        XCTAssertFalse(spatial.json.contains("temporal"), "a spatial prior's JSON is unchanged by the option")
        var temporal = spatial
        temporal.temporal = true
        XCTAssertTrue(temporal.json.contains("\"temporal\":true"))
        XCTAssertEqual(try ContextPriorConfig.parse(json: temporal.json), temporal)
        XCTAssertEqual(try ContextPriorConfig.parse(json: spatial.json), spatial)
        XCTAssertEqual(ContextPriorNetwork(config: temporal).weightSpecs().count,
                       ContextPriorNetwork(config: spatial).weightSpecs().count + 8, "one previous-frame table per level")
    }

    func testARepeatedFrameIsCodedFromThePreviousIFrame() throws {
        let tok = BlockMeanTokenizer()
        let color = ColorInfo.bt709Limited.resolved(width: 1, height: 1)
        var frame = VideoFrame(width: 160, height: 96, format: .yuv420p, fill: (y: 100, u: 128, v: 128))
        // A random level per 8x8 block: codes spread over the codebook, costly without the previous frame.
        var rng = RNG(seed: 8)
        let blocks = (0..<(20 * 12)).map { _ in UInt8(16 + rng.int(below: 220)) }
        for i in 0..<frame.y.count { frame.y[i] = blocks[(i / 160 / 8) * 20 + (i % 160) / 8] }
        let prior = try ContextIndexPrior(path: try writePrior(temporal: true), name: "ctx-test")
        XCTAssertTrue(prior.temporal)
        let enc = try IntraStreamEncoder(tokenizer: tok, prior: prior, levels: 3, width: 160, height: 96,
                                         frameRate: FrameRate(25), color: color, threads: 1)
        let first = try enc.encode(frame), second = try enc.encode(frame)
        XCTAssertFalse(first.substreams.contains { $0.bytes.first == 3 }, "the first I-frame has no previous one")
        XCTAssertEqual(second.substreams.map { $0.bytes.first }, [3, 3, 3], "a repeat is nearly free in mode 3")
        let firstBytes = first.substreams.reduce(0) { $0 + $1.bytes.count }
        let secondBytes = second.substreams.reduce(0) { $0 + $1.bytes.count }
        XCTAssertLessThan(secondBytes * 4, firstBytes)

        let truth = try tok.encode(FramePadding.padded(ColorConversion.toRGB(frame, color: color), multiple: 8), levels: 3, threads: 1)
        for threads in [1, 2] {
            let dec = try IntraStreamDecoder(header: enc.header, tokenizer: tok, prior: prior, file: "mem.dcv", threads: threads)
            XCTAssertEqual(try dec.indices(of: first), truth)
            XCTAssertEqual(try dec.indices(of: second), truth)
        }
        // Without its previous I-frame, or with a prior of the same name that has no temporal
        // context, a mode-3 unit is an error, not a wrong picture.
        let alone = try IntraStreamDecoder(header: enc.header, tokenizer: tok, prior: prior, file: "mem.dcv", threads: 1)
        XCTAssertThrowsError(try alone.indices(of: second)) { XCTAssertTrue("\($0)".contains("first I-frame"), "\($0)") }
        let spatial = try ContextIndexPrior(path: try writePrior(temporal: false), name: "ctx-test")
        let wrong = try IntraStreamDecoder(header: enc.header, tokenizer: tok, prior: spatial, file: "mem.dcv", threads: 1)
        _ = try wrong.indices(of: first)
        XCTAssertThrowsError(try wrong.indices(of: second)) { XCTAssertTrue("\($0)".contains("no temporal context"), "\($0)") }
        // The syntax check (no weights) refuses mode 3 in frame 0.
        let parameters = try StreamParameters(header: enc.header, file: "mem.dcv")
        XCTAssertNoThrow(try parameters.check(second, file: "mem.dcv"))
        XCTAssertThrowsError(try parameters.check(FrameUnit(type: .intra, index: 0, substreams: second.substreams),
                                                  file: "mem.dcv")) { XCTAssertTrue("\($0)".contains("index mode 3"), "\($0)") }
    }
}
