import Bitstream
import CodecEncoder
import Entropy
import Foundation
import Media
import Models
import ModelsTraining
import Tensor
import TensorTraining
import XCTest
@testable import Codec

/// The residual (DVC baseline, `inter-dvc`) P-frame model through the codec, on a tiny
/// configuration with seeded random weights written as an exported weight file with its tables:
/// I+P streams decode to the same bits at 1 and 2 threads, the encoder's references are the
/// decoder's, and the stages the stream encoder re-runs are answered from its analysis.
final class DVCInterCodingTests: XCTestCase {
    private static let file = "mem.dcv"

    /// A weight file like `dcvc-train inter --mode residual --export` writes, for `InterConfig.tinyResidual`.
    static let weightPath = TinyInterWeights.write(config: .tinyResidual, seed: 12, model: "inter-dvc",
                                                   hyperTable: InterTables.residualHyperName)

    private func frame(width: Int, height: Int, index: Int) -> VideoFrame {
        stripedTestFrame(width: width, height: height, index: index)
    }

    private func model(threads: Int) throws -> LearnedInterModel {
        let entry = try ModelRegistry.entry("inter-dvc", kind: .interModel, file: "test")
        return try ModelRegistry.interModel(entry, file: try WeightFile(path: Self.weightPath), threads: threads) as! LearnedInterModel
    }

    private func encode(width: Int, height: Int, frames: Int, lambda: Int,
                        threads: Int) throws -> (bytes: [UInt8], references: [Tensor], reused: Int) {
        let first = frame(width: width, height: height, index: 0)
        let inter = try LearnedInterEncodingModel(model: try model(threads: threads), file: try WeightFile(path: Self.weightPath),
                                                  threads: threads)
        let enc = try StreamEncoder(first: first, frameRate: FrameRate(25), tokenizer: BlockMeanTokenizer(), prior: nil, inter: inter,
                                    options: .init(model: "test-blockmean", levels: 2, indexPrior: .none, threads: threads,
                                                   intraPeriod: 0, lambda: lambda, interModel: "inter-dvc"))
        let sink = MemorySink()
        let writer = try ContainerWriter(sink: sink, header: enc.header, name: Self.file)
        var refs: [Tensor] = []
        for i in 0..<frames {
            try writer.write(try enc.encode(i == 0 ? first : frame(width: width, height: height, index: i)))
            refs.append(enc.reference!)
        }
        try writer.finish()
        return (sink.bytes, refs, inter.reusedStages)
    }

    private func decode(_ bytes: [UInt8], threads: Int) throws -> (frames: [VideoFrame], references: [Tensor]) {
        let reader = try ContainerReader(bytes: bytes, name: Self.file)
        XCTAssertEqual(reader.header.tools[InterStreamSyntax.modelKey], .string("inter-dvc"))
        let intra = try IntraStreamDecoder(header: reader.header, tokenizer: BlockMeanTokenizer(), file: Self.file, threads: threads)
        let dec = try FrameDecoder(intra: intra, inter: try model(threads: threads), file: Self.file)
        var frames: [VideoFrame] = [], refs: [Tensor] = []
        while let unit = try reader.nextFrame() {
            frames.append(intra.output(try dec.decode(unit), index: unit.index))
            refs.append(dec.reference!)
        }
        return (frames, refs)
    }

    func testIPStreamIsIdenticalAtOneAndTwoThreadsAndMatchesTheEncodersReferences() throws {
        let e = try encode(width: 70, height: 45, frames: 4, lambda: 2048, threads: 2)
        XCTAssertEqual(e.reused, 3 * 3, "mvParameters, prediction and residual parameters of each P-frame")
        let one = try decode(e.bytes, threads: 1), two = try decode(e.bytes, threads: 2)
        XCTAssertEqual(one.frames.count, 4)
        XCTAssertEqual(one.frames, two.frames)
        XCTAssertEqual(one.references, e.references, "the encoder predicts from what the decoder reconstructs")
        XCTAssertEqual(two.references, e.references)
        XCTAssertEqual(try encode(width: 70, height: 45, frames: 4, lambda: 2048, threads: 1).bytes, e.bytes)
        XCTAssertNotEqual(one.references[1], one.references[0])
        XCTAssertNotEqual(try encode(width: 70, height: 45, frames: 2, lambda: 256, threads: 1).bytes,
                          try encode(width: 70, height: 45, frames: 2, lambda: 2048, threads: 1).bytes)
    }

    /// The tiny model's P symbols are not all zero, so the round trip exercises real symbols.
    func testTinyModelCodesNonZeroSymbols() throws {
        let inter = try LearnedInterEncodingModel(model: try model(threads: 1), file: try WeightFile(path: Self.weightPath), threads: 1)
        let image = { (i: Int) in
            FramePadding.padded(ColorConversion.toRGB(self.frame(width: 64, height: 64, index: i),
                                                      color: ColorInfo.bt709Limited.resolved(width: 64, height: 64)), multiple: 64)
        }
        let a = inter.analyze(frame: image(3), reference: ReferenceFrame.clamped(image(0)), rate: 1, mvRate: 1)
        for (name, t) in [("zm", a.symbols.zm), ("qm", a.symbols.qm), ("z", a.symbols.z), ("qy", a.symbols.qy)] {
            XCTAssertTrue(t.storage.contains { $0 != 0 }, "\(name) is all zero")
        }
    }

    /// A conditional model's file is not an `inter-dvc` model, and the residual tables are required.
    func testWrongFilesAreRefused() throws {
        let entry = try ModelRegistry.entry("inter-dvc", kind: .interModel, file: "test")
        XCTAssertThrowsError(try ModelRegistry.interModel(entry, file: try WeightFile(path: DCVCInterCodingTests.weightPath), threads: 1))
        var st = try SafeTensorsFile.parse(Array(try Data(contentsOf: URL(fileURLWithPath: Self.weightPath))), path: "x")
        st.tensors[InterTables.residualHyperName] = nil
        let path = NSTemporaryDirectory() + "dcvc-inter-dvc-notables-\(getpid()).safetensors"
        try st.write(to: path)
        defer { try? FileManager.default.removeItem(atPath: path) }
        XCTAssertThrowsError(try LearnedInterModel(file: try WeightFile(path: path), name: "inter-dvc", mode: .residual, threads: 1)) {
            XCTAssertTrue("\($0)".contains("no table tensor tables.res_hyper"), "\($0)")
        }
    }

    /// The codec adapter loads a weight file only as the coding mode its name stands for.
    func testWeightsOfTheOtherModeAreRefused() throws {
        let conditional = try WeightFile(path: DCVCInterCodingTests.weightPath)
        XCTAssertThrowsError(try LearnedInterModel(file: conditional, name: "inter-dvc", mode: .residual, threads: 1)) {
            XCTAssertTrue("\($0)".contains("is a residual model, the weights are conditional"), "\($0)")
        }
    }
}
