import Bitstream
import CodecEncoder
import Foundation
import Media
import Models
import ModelsTraining
import Tensor
import TensorTraining
import XCTest
@testable import Codec

/// The encoder's rate-distortion search of I-frame codes (`RDSearch`) with a small random VQ
/// tokenizer and context prior, so no trained weights are needed: its streams decode with the
/// unchanged decoder, and without a rate term and with one path it is the greedy encoder.
final class RDSearchEncodingTests: XCTestCase {
    private var dir: String!
    private let (k, levels) = (16, 3)

    override func setUpWithError() throws {
        dir = NSTemporaryDirectory() + "rdsearch-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: dir) }

    /// A random f = 8 tokenizer with encoder weights, written as the trainer exports one.
    private func tokenizer(seed: UInt64 = 1) throws -> VQIntraTokenizer {
        let config = VQConfig(channels: [8, 8, 16], encoderBlocks: 1, decoderBlocks: 1, groups: 4,
                              codeDim: 4, codebookSize: k, levels: levels)
        let net = VQGANNetwork(config: config)
        let params = ParameterSet()
        var rng = RNG(seed: seed)
        net.registerParameters(in: params, rng: &rng)
        var file = SafeTensorsFile()
        let (enc, dec) = net.weightSpecs()
        for s in enc + dec { file.tensors[s.name] = SafeTensor(params[s.name]!.value) }
        let codebooks = (0..<levels).map { l in rng.normalTensor([k, 4], std: 0.5 / Float(l + 1)) }
        for (l, cb) in codebooks.enumerated() { file.tensors[ResidualQuantizer.codebookName(l)] = SafeTensor(cb) }
        let gains = ResidualQuantizer(codebooks: codebooks).levelGains
        file.tensors[ResidualQuantizer.gainsName] = SafeTensor(Tensor(shape: [levels], storage: gains))
        file.metadata = [VQTokenizer.configKey: config.json]
        let path = dir + "/vq.safetensors"
        try file.write(to: path)
        return try VQIntraTokenizer(path: path, name: "test-vq")
    }

    private func prior(seed: UInt64 = 3) throws -> ContextIndexPrior {
        let config = ContextPriorConfig(levels: levels, codebookSize: k, hidden: 8, blocks: 1, passes: 4, upperPasses: 2)
        let params = ParameterSet()
        var rng = RNG(seed: seed)
        ContextPriorNetwork(config: config).registerParameters(in: params, rng: &rng)
        // A skewed head bias: some codes cheap, some dear, so the rate term has something to trade.
        for i in 0..<k { params["prior.head.bias"]!.value.storage[i] = Float(i % 4) - 2 }
        let path = dir + "/prior.safetensors"
        try params.safeTensors(metadata: [ContextPriorConfig.metadataKey: config.json]).write(to: path)
        return try ContextIndexPrior(path: path, name: "test-ctx")
    }

    private func frame(width: Int, height: Int, index: Int) -> VideoFrame {
        var rng = RNG(seed: 40 + UInt64(index))
        var rgb = [Float](repeating: 0, count: 3 * width * height)
        for c in 0..<3 {
            for y in 0..<height {
                for x in 0..<width {
                    rgb[(c * height + y) * width + x] = min(1, max(0, 0.5 + 0.3 * sin(Float(x * (c + 1) + y) / 5) + 0.1 * rng.normal()))
                }
            }
        }
        return ColorConversion.toYUV420(RGBPlanes(width: width, height: height, data: rgb), matrix: .bt709, range: .limited, index: index)
    }

    private let color = ColorInfo.bt709Limited.resolved(width: 1, height: 1)

    /// The padded RGB tensor the stream encoder hands the tokenizer.
    private func image(_ f: VideoFrame) -> Tensor {
        FramePadding.padded(ColorConversion.toRGB(f, color: color), multiple: 8)
    }

    func testRDStreamsDecodeWithTheUnchangedDecoder() throws {
        let tok = try tokenizer(), prior = try prior()
        for search in [RDSearch(beam: 3, lambdaScale: 4, iterations: 2), RDSearch(beam: 2, lambdaScale: 4, decoderCheck: true)] {
            try checkDecodes(tok: tok, prior: prior, search: search)
        }
    }

    private func checkDecodes(tok: VQIntraTokenizer, prior: ContextIndexPrior, search: RDSearch) throws {
        let (w, h) = (61, 45)
        let enc = try IntraStreamEncoder(tokenizer: tok, prior: prior, levels: levels, width: w, height: h,
                                         frameRate: FrameRate(25), color: color, threads: 2, rdSearch: search)
        let sink = MemorySink()
        let writer = try ContainerWriter(sink: sink, header: enc.header, name: "mem.dcv")
        let frames = (0..<2).map { frame(width: w, height: h, index: $0) }
        for f in frames { try writer.write(try enc.encode(f)) }
        try writer.finish()

        let reader = try ContainerReader(bytes: sink.bytes, name: "mem.dcv")
        let dec = try IntraStreamDecoder(header: reader.header, tokenizer: tok, prior: prior, file: "mem.dcv", threads: 1)
        var differs = false
        for f in frames {
            let unit = try XCTUnwrap(try reader.nextFrame())
            let decoded = try dec.indices(of: unit)
            let searched = try tok.encode(image(f), levels: levels, threads: 1, search: search) {
                try IndexRateTable.bits($0, prior: prior, codebookSize: self.k, threads: 1)
            }
            XCTAssertEqual(decoded, searched, "the decoder reads back the searched codes")
            let greedy = try tok.encode(image(f), levels: levels, threads: 1)
            differs = differs || decoded != greedy
            let out = try dec.decode(unit)
            XCTAssertEqual(out.width, w); XCTAssertEqual(out.height, h)
        }
        XCTAssertTrue(differs, "with a rate term the search moves some codes off the greedy ones")
        XCTAssertNil(try reader.nextFrame())
    }

    func testOnePathWithoutRateIsTheGreedyEncoder() throws {
        let tok = try tokenizer(seed: 5), prior = try prior()
        let f = image(frame(width: 64, height: 48, index: 0))
        let greedy = try tok.encode(f, levels: levels, threads: 2)
        var rateCalls = 0
        let searched = try tok.encode(f, levels: levels, threads: 2, search: RDSearch(beam: 1, lambdaScale: 0, iterations: 2)) {
            rateCalls += 1
            return try IndexRateTable.bits($0, prior: prior, codebookSize: self.k, threads: 1)
        }
        XCTAssertEqual(searched, greedy)
        XCTAssertEqual(rateCalls, 0, "λ = 0 runs no index model")
        // A wider beam without rate lowers the latent error, so it may move codes; with rate it must spend fewer bits.
        let rd = try tok.encode(f, levels: levels, threads: 2, search: RDSearch(beam: 4, lambdaScale: 4, iterations: 1)) {
            try IndexRateTable.bits($0, prior: prior, codebookSize: self.k, threads: 1)
        }
        let bits = try IndexRateTable.bits(greedy, prior: prior, codebookSize: k, threads: 1)
        func cost(_ p: IndexPlanes) -> Double {
            (0..<levels).reduce(0.0) { s, l in s + p.planes[l].enumerated().reduce(0.0) { $0 + Double(bits[l][$1.offset * k + Int($1.element)]) } }
        }
        XCTAssertLessThan(cost(rd), cost(greedy), "bits under the rate table the search used")
    }

    func testLambdaFollowsTheGreedyLadder() {
        let s = RDSearch(beam: 1, lambdaScale: 2)
        // Slopes 0.4/8 before and 0.1/8 after level 2: geometric mean 0.2/8, times 2.
        XCTAssertEqual(s.lambda(energies: [1, 0.8, 0.4, 0.3], levels: 2, codebookSize: 256), 2 * 0.2 / 8, accuracy: 1e-12)
        // At the last level, the slope before it alone.
        XCTAssertEqual(s.lambda(energies: [1, 0.8, 0.4], levels: 2, codebookSize: 256), 2 * 0.4 / 8, accuracy: 1e-12)
        XCTAssertEqual(RDSearch(beam: 1, lambdaScale: 0).lambda(energies: [1, 0.5, 0.2], levels: 1, codebookSize: 16), 0)
    }

    func testDecoderCheckKeepsTheSearchedCodesWhereTheirBlocksPay() throws {
        let (w, h, f) = (4, 3, 8)
        var rng = RNG(seed: 21)
        let image = rng.uniformTensor([1, 3, h * f, w * f])
        let greedy = IndexPlanes(width: w, height: h, planes: [[Int32](repeating: 0, count: w * h), [Int32](repeating: 1, count: w * h)])
        let searched = IndexPlanes(width: w, height: h, planes: [[Int32](repeating: 2, count: w * h), [Int32](repeating: 3, count: w * h)])
        // Greedy decodes with error 0.1 everywhere; the search's codes are exact on even positions
        // and off by 0.3 on odd ones; they cost 1 bit less per level everywhere.
        let decode: (IndexPlanes) throws -> Tensor = { p in
            var out = image
            for c in 0..<3 { for y in 0..<(h * f) { for x in 0..<(w * f) {
                let pos = (y / f) * w + x / f, i = (c * h * f + y) * w * f + x
                let off: Float = p == greedy ? 0.1 : (pos % 2 == 0 ? 0 : 0.3)
                out.storage[i] = image.storage[i] + (image.storage[i] > 0.5 ? -off : off)
            } } }
            return out
        }
        let costs: [Float] = [5, 5, 4, 4]
        let bits: [[Float]] = (0..<2).map { _ in (0..<(w * h)).flatMap { _ in costs } }
        let merged = try RDDecoderCheck.merge(image: image, greedy: greedy, searched: searched, bits: bits, codebookSize: 4,
                                              latentLambda: 0.01, greedyLatentError: 0.1, decode: decode)
        for p in 0..<(w * h) {
            XCTAssertEqual(merged.planes.map { $0[p] }, p % 2 == 0 ? [2, 3] : [0, 1], "position \(p)")
        }
        // A λ so large that the bits outweigh any block error: the searched codes everywhere.
        let cheap = try RDDecoderCheck.merge(image: image, greedy: greedy, searched: searched, bits: bits, codebookSize: 4,
                                             latentLambda: 1e6, greedyLatentError: 0.1, decode: decode)
        XCTAssertEqual(cheap, searched)
    }

    func testAModelWithoutSearchIsRefused() {
        XCTAssertThrowsError(try IntraStreamEncoder(tokenizer: BlockMeanTokenizer(), levels: 2, width: 16, height: 16,
                                                    frameRate: FrameRate(25), color: color, threads: 1,
                                                    rdSearch: RDSearch(beam: 2)))
    }

    func testRatesWithoutAPriorAreTheCodeFrequencies() throws {
        let planes = IndexPlanes(width: 3, height: 2, planes: [[0, 0, 0, 1, 1, 2]])
        let bits = try IndexRateTable.bits(planes, prior: nil, codebookSize: 4, threads: 1)
        // Add-one counts 4, 3, 2, 1 of 10.
        for pos in 0..<6 {
            XCTAssertEqual(Array(bits[0][(pos * 4)..<(pos * 4 + 4)]), [0.4, 0.3, 0.2, 0.1].map { Float(-log2($0)) })
        }
    }
}
