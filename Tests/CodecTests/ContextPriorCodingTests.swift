import Bitstream
import CodecEncoder
import Entropy
import Foundation
import Media
import Models
import ModelsTraining
import Tensor
import TensorTraining
import ToolTesting
import XCTest
@testable import Codec

/// The learned-prior index mode (spec/intra.md §3, §3.1) with small random priors, so no trained
/// weights are needed.
final class ContextPriorCodingTests: XCTestCase {
    private var dir: String!

    override func setUpWithError() throws { dir = try makeTemporaryDirectory(self, prefix: "ctxprior").path }

    /// A random prior over `levels` levels of `k` codes; `counts` sets the head's bias to the
    /// log of these code counts (plus a little), so the prior fits planes drawn from them.
    private func writePrior(levels: Int, k: Int, passes: Int = 4, upperPasses: Int = 2, counts: [Int]? = nil,
                            seed: UInt64 = 3) throws -> String {
        let config = ContextPriorConfig(levels: levels, codebookSize: k, hidden: 8, blocks: 1, passes: passes,
                                        upperPasses: upperPasses)
        let params = ParameterSet()
        var rng = RNG(seed: seed)
        ContextPriorNetwork(config: config).registerParameters(in: params, rng: &rng)
        if let counts {
            // The bias carries the distribution; the (small) weights keep the logits context-dependent.
            for i in 0..<k { params["prior.head.bias"]!.value.storage[i] = Float(log(Double(counts[i]) + 0.01)) }
            let head = params["prior.head.weight"]!
            for i in 0..<head.value.count { head.value.storage[i] *= 0.1 }
        }
        let path = dir + "/prior-\(UUID().uuidString).safetensors"
        try params.safeTensors(metadata: [ContextPriorConfig.metadataKey: config.json]).write(to: path)
        return path
    }

    private func planes(_ levels: Int, w: Int, h: Int, k: Int, seed: UInt64) -> [[Int32]] {
        var rng = RNG(seed: seed)
        return (0..<levels).map { _ in (0..<(w * h)).map { _ in Int32(min(k - 1, rng.int(below: 3) + rng.int(below: 3))) } }
    }

    func testPriorModeRoundTripsBitExactlyAcrossThreadCounts() throws {
        for (passes, upper) in [(2, 1), (4, 2), (1, 4)] {
            let triangle = [1, 2, 3, 2, 1] + [Int](repeating: 0, count: 11)    // how `planes` draws codes
            let prior = try ContextIndexPrior(path: try writePrior(levels: 3, k: 16, passes: passes, upperPasses: upper, counts: triangle), name: "test")
            let (w, h) = (24, 19)
            let p = planes(3, w: w, h: h, k: 16, seed: 11)
            for level in 0..<3 {
                var encoded: [[UInt8]] = []
                for threads in [1, 2] {
                    let ctx = IndexPlaneCoder.PriorContext(prior: prior, level: level, width: w, height: h,
                                                          lower: Array(p.prefix(level)), threads: threads)
                    let bytes = try IndexPlaneCoder.encode(p[level], codebookSize: 16, prior: ctx)
                    XCTAssertEqual(bytes.first, IndexPlaneCoder.Mode.prior.rawValue, "a prior that fits the codes wins")
                    XCTAssertEqual(try IndexPlaneCoder.decode(bytes, count: w * h, codebookSize: 16, prior: ctx), p[level])
                    XCTAssertThrowsError(try IndexPlaneCoder.decode(Array(bytes.dropLast(4)), count: w * h, codebookSize: 16,
                                                                    prior: ctx), "a truncated substream is an error")
                    encoded.append(bytes)
                }
                XCTAssertEqual(encoded[0], encoded[1], "same bytes for 1 and 2 threads")
            }
        }
    }

    func testEveryPositionIsVisitedOnceAndLogitsDependOnEarlierPasses() throws {
        let prior = try ContextIndexPrior(path: try writePrior(levels: 2, k: 8), name: "test")
        let (w, h) = (6, 5)
        var seen = [Int](repeating: 0, count: w * h)
        var firstLogits: [Int: [Float]] = [:]
        let plane = try prior.code(level: 1, width: w, height: h, lower: [[Int32](repeating: 2, count: w * h)], threads: 1) { pos, logits in
            seen[pos] += 1
            firstLogits[pos] = Array(logits)
            return Int32(pos % 8)
        }
        XCTAssertEqual(seen, [Int](repeating: 1, count: w * h))
        XCTAssertEqual(plane, (0..<(w * h)).map { Int32($0 % 8) })
        // Coding other values in pass 0 changes the logits of a later pass's neighbour.
        var changed: [Float] = []
        _ = try prior.code(level: 1, width: w, height: h, lower: [[Int32](repeating: 2, count: w * h)], threads: 1) { pos, logits in
            if pos == 1 { changed = Array(logits) }     // (1, 0): checkerboard pass 1, next to (0, 0) and (2, 0) of pass 0
            return pos % 2 == 0 ? 5 : Int32(pos % 8)
        }
        XCTAssertNotEqual(changed, firstLogits[1]!)
    }

    func testStreamWithPriorRoundTripsAndNeedsThePrior() throws {
        let tok = BlockMeanTokenizer()
        let color = ColorInfo.bt709Limited.resolved(width: 1, height: 1)
        let frame = VideoFrame(width: 40, height: 24, format: .yuv420p, fill: (y: 100, u: 128, v: 128))
        let truth = try tok.encode(FramePadding.padded(ColorConversion.toRGB(frame, color: color), multiple: 8), levels: 3, threads: 1)
        var counts = [Int](repeating: 0, count: 64)
        for p in truth.planes { for c in p { counts[Int(c)] += 1 } }
        let prior = try ContextIndexPrior(path: try writePrior(levels: 4, k: 64, counts: counts), name: "ctx-test")
        let enc = try IntraStreamEncoder(tokenizer: tok, prior: prior, levels: 3, width: 40, height: 24,
                                         frameRate: FrameRate(25), color: color, threads: 1)
        XCTAssertEqual(enc.header.weights.count, 2)
        XCTAssertEqual(enc.header.tools["index_prior"], .string("ctx-test"))
        let unit = try enc.encode(frame)
        XCTAssertEqual(unit.substreams.map { $0.bytes.first }, [UInt8](repeating: 2, count: 3), "every level uses the prior")
        let dec = try IntraStreamDecoder(header: enc.header, tokenizer: tok, prior: prior, file: "mem.dcv", threads: 2)
        let ref = try IntraStreamDecoder(header: IntraStreamEncoder(tokenizer: tok, levels: 3, width: 40, height: 24,
                                                                    frameRate: FrameRate(25), color: color, threads: 1).header,
                                         tokenizer: tok, file: "ref.dcv", threads: 1)
        XCTAssertEqual(try dec.indices(of: unit), truth)
        XCTAssertThrowsError(try IntraStreamDecoder(header: enc.header, tokenizer: tok, file: "x.dcv", threads: 1),
                             "a decoder without the prior refuses the stream") { e in
            XCTAssertTrue("\(e)".contains("index_model"), "\(e)")
        }
        XCTAssertThrowsError(try ref.indices(of: unit), "mode 2 in a stream without a prior is corrupt")
    }
}
