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

/// The real DCVC P-frame model (a tiny configuration with seeded random weights, written as an
/// exported weight file with its integer tables) through the codec: I+P streams decode to the same
/// bits at 1 and 2 threads, and the encoder's references are the decoder's.
final class DCVCInterCodingTests: XCTestCase {
    private static let file = "mem.dcv"

    /// A weight file like `dcvc-train inter --export` writes, for `InterConfig.tiny` (also the
    /// P-frame model of `HyperpriorIntraCodingTests`).
    static let weightPath = TinyInterWeights.write(config: .tiny, seed: 11, model: "inter-dcvc",
                                                   hyperTable: InterTables.frameHyperName)

    private func frame(width: Int, height: Int, index: Int) -> VideoFrame {
        stripedTestFrame(width: width, height: height, index: index)
    }

    private func model(threads: Int) throws -> LearnedInterModel {
        let entry = try ModelRegistry.entry("inter-dcvc", kind: .interModel, file: "test")
        return try ModelRegistry.interModel(entry, file: try WeightFile(path: Self.weightPath), threads: threads) as! LearnedInterModel
    }

    /// Encodes `frames` frames (one I-frame, then P-frames) and returns the bytes and the
    /// encoder's reference after each frame.
    private func encode(width: Int, height: Int, frames: Int, lambda: Int, mvLambda: Int? = nil,
                        threads: Int) throws -> ([UInt8], [Tensor]) {
        let r = try encodeCountingReuse(width: width, height: height, frames: frames, lambda: lambda, mvLambda: mvLambda,
                                        threads: threads)
        return (r.bytes, r.references)
    }

    /// `encode`, also returning how many decode stages the encoding model answered from its analyses.
    private func encodeCountingReuse(width: Int, height: Int, frames: Int, lambda: Int, mvLambda: Int? = nil,
                                     threads: Int) throws -> (bytes: [UInt8], references: [Tensor], reused: Int) {
        let first = frame(width: width, height: height, index: 0)
        let inter = try LearnedInterEncodingModel(model: try model(threads: threads), file: try WeightFile(path: Self.weightPath),
                                                  threads: threads)
        let enc = try StreamEncoder(first: first, frameRate: FrameRate(25), tokenizer: BlockMeanTokenizer(), prior: nil, inter: inter,
                                    options: .init(model: "test-blockmean", levels: 2, indexPrior: .none, threads: threads,
                                                   intraPeriod: 0, lambda: lambda, mvLambda: mvLambda))
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
        let (bytes, encoderRefs) = try encode(width: 70, height: 45, frames: 4, lambda: 2048, threads: 2)
        let one = try decode(bytes, threads: 1), two = try decode(bytes, threads: 2)
        XCTAssertEqual(one.frames.count, 4)
        XCTAssertEqual(one.frames, two.frames)
        XCTAssertEqual(one.references, encoderRefs, "the encoder predicts from what the decoder reconstructs")
        XCTAssertEqual(two.references, encoderRefs)
        // The encoder at one thread writes the same stream.
        XCTAssertEqual(try encode(width: 70, height: 45, frames: 4, lambda: 2048, threads: 1).0, bytes)
        // P-frames reconstruct something of their own (not a copy of the reference).
        XCTAssertNotEqual(one.references[1], one.references[0])
    }

    /// The stream encoder's decode of each P unit (which forms the next reference) takes stages
    /// 1-4 from the analysis instead of running them again; the references are still a separate
    /// decoder's (`testIPStreamIsIdentical...`).
    func testStreamEncoderRunsTheDecodeStagesOncePerPFrame() throws {
        let r = try encodeCountingReuse(width: 70, height: 45, frames: 3, lambda: 2048, threads: 2)
        XCTAssertEqual(r.reused, 3 * 2, "mvParameters, context and frameParameters of both P-frames")
        XCTAssertEqual(try decode(r.bytes, threads: 1).references, r.references)
    }

    /// Outside the analysis's own inputs the encoding model computes afresh: another reference,
    /// or a symbol zero of the other sign, gets the decode path's answer for that input.
    func testReuseNeedsBitIdenticalInputs() throws {
        let plain = try model(threads: 1)
        let inter = try LearnedInterEncodingModel(model: try model(threads: 1), file: try WeightFile(path: Self.weightPath), threads: 1)
        let image = { (i: Int) in
            FramePadding.padded(ColorConversion.toRGB(self.frame(width: 64, height: 64, index: i),
                                                      color: ColorInfo.bt709Limited.resolved(width: 64, height: 64)), multiple: 64)
        }
        let ref = ReferenceFrame.clamped(image(0))
        let s = inter.analyze(frame: image(3), reference: ref, rate: 1, mvRate: 1).symbols
        XCTAssertTrue(s.zm.storage.allSatisfy { $0 != 0 || $0.sign == .plus }, "zero symbols are +0, as decoded")
        let mv = plain.mvParameters(zm: s.zm)
        let mHat = InterFrameDecoder.dequantized(s.qm, mean: mv.mean)
        var otherRef = ref
        otherRef.storage[5] = 1 - otherRef.storage[5]
        XCTAssertEqual(inter.context(reference: otherRef, mHat: mHat, mvRate: 1), plain.context(reference: otherRef, mHat: mHat, mvRate: 1))
        XCTAssertEqual(inter.reusedStages, 0)
        var negZero = s.zm
        if let i = negZero.storage.firstIndex(of: 0) { negZero.storage[i] = -0.0 } else { negZero.storage[0] = -0.0 }
        XCTAssertEqual(inter.mvParameters(zm: negZero).scale.storage.map(\.bitPattern),
                       plain.mvParameters(zm: negZero).scale.storage.map(\.bitPattern))
        XCTAssertEqual(inter.reusedStages, 0)
        // The analysis's own inputs are answered from it, with the decode path's bits.
        XCTAssertEqual(inter.mvParameters(zm: s.zm).mean.storage.map(\.bitPattern), mv.mean.storage.map(\.bitPattern))
        let ctx = inter.context(reference: ref, mHat: mHat, mvRate: 1)
        XCTAssertEqual(ctx.storage.map(\.bitPattern), plain.context(reference: ref, mHat: mHat, mvRate: 1).storage.map(\.bitPattern))
        XCTAssertEqual(inter.frameParameters(z: s.z, context: ctx).scale, plain.frameParameters(z: s.z, context: ctx).scale)
        XCTAssertEqual(inter.reusedStages, 3)
    }

    /// The tiny model's P symbols are not all zero, so the tests above exercise real symbols.
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

    func testRatePointsGiveDifferentStreams() throws {
        let a = try encode(width: 64, height: 64, frames: 2, lambda: 256, threads: 1).0
        let b = try encode(width: 64, height: 64, frames: 2, lambda: 2048, threads: 1).0
        XCTAssertNotEqual(a, b)
        XCTAssertThrowsError(try encode(width: 64, height: 64, frames: 2, lambda: 1024, threads: 1)) {
            XCTAssertTrue("\($0)".contains("is not a rate point"), "\($0)")  // tiny has 256 and 2048 only
        }
    }

    /// Motion vectors at another rate point than the frame latents (`mv_rate_point`): the header
    /// says so, the MV substreams change, and the decoder reproduces the encoder's references.
    func testMVRatePointIsSignalledAndDecodedBitExactly() throws {
        let (bytes, refs) = try encode(width: 70, height: 45, frames: 3, lambda: 2048, mvLambda: 256, threads: 2)
        let header = try ContainerReader(bytes: bytes, name: Self.file).header
        XCTAssertEqual(header.tools["mv_rate_point"], .int(256))
        XCTAssertEqual(try decode(bytes, threads: 1).references, refs)
        XCTAssertEqual(try decode(bytes, threads: 2).references, refs)
        let same = try encode(width: 70, height: 45, frames: 3, lambda: 2048, threads: 2)
        XCTAssertNil(try ContainerReader(bytes: same.0, name: Self.file).header.tools["mv_rate_point"], "written only when it differs")
        // The default mapping (2048 -> 1024) needs the model to have the target: tiny has not.
        XCTAssertEqual(StreamEncoder.defaultMVLambda(lambda: 2048, model: try model(threads: 1)), 2048)
        func mvBytes(_ b: [UInt8]) throws -> [[UInt8]] {
            let r = try ContainerReader(bytes: b, name: Self.file)
            var out: [[UInt8]] = []
            while let u = try r.nextFrame() { if u.type == .inter { out.append(u.substream(named: "mv.y")!) } }
            return out
        }
        XCTAssertNotEqual(try mvBytes(bytes), try mvBytes(same.0))
        XCTAssertNotEqual(refs[1], same.1[1])
        XCTAssertThrowsError(try encode(width: 64, height: 64, frames: 2, lambda: 2048, mvLambda: 1024, threads: 1)) {
            XCTAssertTrue("\($0)".contains("--mv-lambda 1024 is not a rate point"), "\($0)")
        }
    }

    func testWeightFileWithoutTablesIsRefused() throws {
        var st = try SafeTensorsFile.parse(Array(try Data(contentsOf: URL(fileURLWithPath: Self.weightPath))), path: "x")
        st.tensors[InterTables.mvHyperName] = nil
        let path = NSTemporaryDirectory() + "dcvc-inter-notables-\(getpid()).safetensors"
        try st.write(to: path)
        defer { try? FileManager.default.removeItem(atPath: path) }
        XCTAssertThrowsError(try LearnedInterModel(file: try WeightFile(path: path), name: "inter-dcvc", mode: .conditional, threads: 1)) {
            XCTAssertTrue("\($0)".contains("no table tensor tables.mv_hyper"), "\($0)")
        }
    }
}
