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

/// The hyperprior intra codec as the I-frame model of `.dcv` streams (spec/hyperprior.md), with a
/// tiny configuration of seeded random weights written as an exported weight file with its
/// integer tables: all-intra and I+P streams decode to the encoder's reconstruction, bit-exactly
/// at 1 and 2 threads, and broken units, headers and weight files are refused with typed errors.
final class HyperpriorIntraCodingTests: XCTestCase {
    private static let file = "mem.dcv"

    /// A folder holding `intra-hyperprior.safetensors` like `dcvc-train hyperprior --export` writes,
    /// for `HyperpriorConfig.tiny` (lambdas 256 and 2048).
    private static let weightDirectory: String = {
        let params = ParameterSet()
        var rng = RNG(seed: 23)
        let config = HyperpriorConfig.tiny
        HyperpriorNetwork(config: config).registerParameters(in: params, rng: &rng)
        // Give every bias a value and the hyper analysis a larger output, so that the hyper-latents
        // round to non-zero symbols too.
        for name in params.names {
            var t = params[name]!.value
            for i in 0..<t.count {
                if name.hasSuffix(".bias") { t.storage[i] = 0.2 * Float((i * 7919) % 13 - 6) / 6 }
                else if name.hasSuffix("h_a.down1.weight") { t.storage[i] *= 8 }
            }
            params[name]!.value = t
        }
        var st = params.safeTensors(metadata: ["model": "intra-hyperprior", HyperpriorDecoder.configKey: config.json])
        func put(_ name: String, _ data: [Int32]) {
            st.tensors[name] = SafeTensor(integers: data.map(Int.init), shape: [data.count], dtype: .i32)
        }
        let p = (-6...6).map { Foundation.exp(-Double($0 * $0) / 8) }
        let sum = p.reduce(0, +)
        let hyper = BoundedTable(minValue: -6, probabilities: p.map { 0.999 * $0 / sum })
        put(HyperpriorIntraTables.latentName, TableSerialization.serialize(ScaleTableSet.build(shape: .gaussian)))
        put(HyperpriorIntraTables.hyperName, TableSerialization.serialize(Array(repeating: hyper, count: config.hyper)))
        let dir = NSTemporaryDirectory() + "dcvc-hyperprior-\(getpid())"
        try! FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try! st.write(to: dir + "/intra-hyperprior.safetensors")
        return dir
    }()

    private static var weightPath: String { weightDirectory + "/intra-hyperprior.safetensors" }

    private func frame(width: Int, height: Int, index: Int) -> VideoFrame {
        stripedTestFrame(width: width, height: height, index: index)
    }

    private func model(threads: Int) throws -> HyperpriorIntraModel {
        let entry = try ModelRegistry.entry("hyperprior", kind: .intraModel, file: "test")
        return try ModelRegistry.hyperprior(entry, file: try WeightFile(path: Self.weightPath), threads: threads)
    }

    private func encoder(threads: Int) throws -> HyperpriorIntraEncoder {
        try HyperpriorIntraEncoder(model: try model(threads: threads), file: try WeightFile(path: Self.weightPath), threads: threads)
    }

    private func interModel(threads: Int) throws -> LearnedInterModel {
        let entry = try ModelRegistry.entry("inter-dcvc", kind: .interModel, file: "test")
        return try ModelRegistry.interModel(entry, file: try WeightFile(path: DCVCInterCodingTests.weightPath),
                                            threads: threads) as! LearnedInterModel
    }

    /// `frames` frames of `width x height` at `lambda`; with `intraPeriod` other than 1 the P-frames
    /// use the tiny DCVC model of `DCVCInterCodingTests`.
    private func encode(width: Int, height: Int, frames: Int, lambda: Int = 2048, intraPeriod: Int = 1,
                        threads: Int) throws -> CodedStream {
        let first = frame(width: width, height: height, index: 0)
        let inter = intraPeriod == 1 ? nil
            : try LearnedInterEncodingModel(model: try interModel(threads: threads),
                                            file: try WeightFile(path: DCVCInterCodingTests.weightPath), threads: threads)
        let enc = try StreamEncoder(first: first, frameRate: FrameRate(25), intra: .hyperprior(try encoder(threads: threads)),
                                    inter: inter, options: .init(model: "hyperprior", indexPrior: .none, threads: threads,
                                                                 intraPeriod: intraPeriod, lambda: lambda))
        return try CodedStream.encode(enc, first: first, frames: frames, file: Self.file) {
            frame(width: width, height: height, index: $0)
        }
    }

    /// The decoder's frames and references through `StreamDecoder`: models found by SHA-256 in
    /// the weight folders, as `dcvc-dec` does.
    private func decode(_ bytes: [UInt8], threads: Int) throws -> (frames: [VideoFrame], rgb: [RGBPlanes], references: [Tensor]) {
        let reader = try ContainerReader(bytes: bytes, name: Self.file)
        let store = WeightStore(directories: [Self.weightDirectory,
                                              (DCVCInterCodingTests.weightPath as NSString).deletingLastPathComponent])
        let models = try StreamDecoder(reader: try ContainerReader(bytes: bytes, name: Self.file), store: store,
                                       options: .init(threads: threads))
        let intra = try IntraStreamDecoder(header: reader.header, model: models.intraModel, file: Self.file, threads: threads)
        let dec = try FrameDecoder(intra: intra, inter: models.interModel, file: Self.file)
        var frames: [VideoFrame] = [], rgb: [RGBPlanes] = [], refs: [Tensor] = []
        while let unit = try reader.nextFrame() {
            let planes = try dec.decode(unit)
            rgb.append(planes)
            frames.append(intra.output(planes, index: unit.index))
            if let r = dec.reference { refs.append(r) }
        }
        // StreamDecoder itself gives the same frames.
        var again: [VideoFrame] = []
        while let f = try models.nextFrame() { again.append(f) }
        XCTAssertEqual(again, frames)
        return (frames, rgb, refs)
    }

    func testAllIntraStreamDecodesToTheEncodersReconstructionAtOneAndTwoThreads() throws {
        let (w, h) = (70, 45)  // padded to 128x64: a 2x1 grid of hyper-latent positions
        let coded = try encode(width: w, height: h, frames: 2, threads: 2)
        let header = try ContainerReader(bytes: coded.bytes, name: Self.file).header
        XCTAssertEqual(header.tools["intra_model"], .string("hyperprior"))
        XCTAssertEqual(header.tools[HyperpriorStreamSyntax.ratePointKey], .int(2048))
        XCTAssertNil(header.tools["rvq_levels"])
        XCTAssertEqual(header.weights, [try WeightFile(path: Self.weightPath).ref])
        XCTAssertEqual(coded.units.map { $0.substreams.map(\.name) }, [["hp.z", "hp.y"], ["hp.z", "hp.y"]])
        let one = try decode(coded.bytes, threads: 1), two = try decode(coded.bytes, threads: 2)
        XCTAssertEqual(one.frames.count, 2)
        XCTAssertEqual(one.frames, two.frames)
        XCTAssertEqual(one.rgb, two.rgb)
        // The encoder's own reconstruction (its decode path on its symbols), cropped.
        let enc = try encoder(threads: 1)
        for i in 0..<2 {
            let image = FramePadding.padded(ColorConversion.toRGB(frame(width: w, height: h, index: i),
                                                                  color: ColorInfo.bt709Limited.resolved(width: w, height: h)),
                                            multiple: 64)
            let own = enc.encoder.encode(image: image, rate: 1)
            XCTAssertEqual(FramePadding.cropped(own.reconstruction, width: w, height: h), one.rgb[i], "frame \(i)")
            XCTAssertTrue(own.z.storage.contains { $0 != 0 } && own.qy.storage.contains { $0 != 0 },
                          "the tiny model codes non-zero symbols")
        }
        // The encoder at one thread writes the same stream.
        XCTAssertEqual(try encode(width: w, height: h, frames: 2, threads: 1).bytes, coded.bytes)
    }

    func testRatePointsGiveDifferentStreamsAndOthersAreRefused() throws {
        let a = try encode(width: 64, height: 64, frames: 1, lambda: 256, threads: 1).bytes
        let b = try encode(width: 64, height: 64, frames: 1, lambda: 2048, threads: 1).bytes
        XCTAssertNotEqual(a, b)
        XCTAssertThrowsError(try encode(width: 64, height: 64, frames: 1, lambda: 1024, threads: 1)) {
            XCTAssertTrue("\($0)".contains("--lambda 1024 is not a rate point of intra model hyperprior"), "\($0)")
        }
        // A header naming a rate point the weights lack is refused when the model is loaded.
        var h = try ContainerReader(bytes: b, name: Self.file).header
        h.tools[HyperpriorStreamSyntax.ratePointKey] = .int(512)
        XCTAssertThrowsError(try IntraStreamDecoder(header: h, model: .hyperprior(try model(threads: 1)), file: Self.file, threads: 1)) {
            XCTAssertTrue("\($0)".contains("intra_rate_point 512 is not one of intra model hyperprior's (256, 2048)"), "\($0)")
        }
    }

    func testIPStreamWithAHyperpriorIFrameDecodesToTheEncodersReferences() throws {
        let coded = try encode(width: 70, height: 45, frames: 4, intraPeriod: 3, threads: 2)
        XCTAssertEqual(coded.units.map(\.type.description).joined(), "IPPI")
        let header = try ContainerReader(bytes: coded.bytes, name: Self.file).header
        XCTAssertEqual(header.weights.count, 2, "hyperprior weights, then the inter model's")
        XCTAssertEqual(header.substreamNames, ["hp.z", "hp.y", "mv.z", "mv.y", "fr.z", "fr.y"])
        let one = try decode(coded.bytes, threads: 1), two = try decode(coded.bytes, threads: 2)
        XCTAssertEqual(one.frames, two.frames)
        XCTAssertEqual(one.references, coded.references, "the encoder predicts from what the decoder reconstructs")
        XCTAssertEqual(two.references, coded.references)
        XCTAssertEqual(one.references[0], ReferenceFrame.make(one.rgb[0]), "the I-frame is the first reference")
        XCTAssertNotEqual(one.references[1], one.references[0])
    }

    func testStreamEncoderLoadsTheModelsByNameFromTheStore() throws {
        let first = frame(width: 48, height: 40, index: 0)
        let store = WeightStore(directories: [Self.weightDirectory,
                                              (DCVCInterCodingTests.weightPath as NSString).deletingLastPathComponent])
        let enc = try StreamEncoder(first: first, frameRate: FrameRate(25), store: store,
                                    options: .init(model: "hyperprior", threads: 1, intraPeriod: 0, lambda: 256))
        XCTAssertNil(enc.prior, "auto: a hyperprior model has no index prior")
        XCTAssertNotNil(enc.interModel)
        XCTAssertEqual(enc.header.tools[HyperpriorStreamSyntax.ratePointKey], .int(256))
        XCTAssertEqual(enc.header.tools["rate_point"], .int(256))
        XCTAssertThrowsError(try StreamEncoder(first: first, frameRate: FrameRate(25), store: store,
                                               options: .init(model: "hyperprior", indexPrior: .named("ctx-f8"), threads: 1))) {
            XCTAssertTrue("\($0)".contains("takes no index prior"), "\($0)")
        }
        // Without the weight file the encoder says which file and how to make it.
        let empty = NSTemporaryDirectory() + "dcvc-noweights-\(getpid())"
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: empty) }
        XCTAssertThrowsError(try StreamEncoder(first: first, frameRate: FrameRate(25), store: WeightStore(directories: [empty]),
                                               options: .init(model: "hyperprior", threads: 1))) {
            let text = "\($0)"
            XCTAssertTrue(text.contains("intra-hyperprior.safetensors") && text.contains("not found")
                          && text.contains("dcvc-train hyperprior --export weights/intra-hyperprior.safetensors"), text)
        }
    }

    /// Decodes `units` of a stream with `header`; nil, or the error's text.
    private func decodeError(_ header: SequenceHeader, _ units: [FrameUnit]) -> (text: String, frame: Int?)? {
        do {
            let intra = try IntraStreamDecoder(header: header, model: .hyperprior(try model(threads: 1)), file: Self.file, threads: 1)
            let dec = try FrameDecoder(intra: intra, inter: header.tools["inter_model"] == nil ? nil : try interModel(threads: 1),
                                       file: Self.file)
            for u in units { _ = try dec.decode(u) }
            return nil
        } catch let e as CodecError {
            XCTAssertEqual(e.file, Self.file)
            return ("\(e)", e.frame)
        } catch { return ("\(error)", nil) }
    }

    func testTruncatedAndCorruptedIFrameUnitsAreErrorsNamingFileFrameAndSubstream() throws {
        let coded = try encode(width: 64, height: 64, frames: 2, threads: 1)
        let header = try ContainerReader(bytes: coded.bytes, name: Self.file).header
        let (first, unit) = (coded.units[0], coded.units[1])
        XCTAssertNil(decodeError(header, [first, unit]))
        for (k, name) in ["hp.z", "hp.y"].enumerated() {
            func check(_ broken: FrameUnit, _ expected: String, _ what: String) {
                let e = decodeError(header, [first, broken])
                XCTAssertEqual(e?.frame, 1, "\(name) \(what)")
                XCTAssertTrue(e?.text.contains("mem.dcv: frame 1: substream \(name)\(expected)") ?? false, "\(name) \(what): \(e?.text ?? "no error")")
            }
            var cut = unit
            cut.substreams[k].bytes.removeLast(min(4, cut.substreams[k].bytes.count - 1))
            check(cut, ": ", "truncated")
            var longer = unit
            longer.substreams[k].bytes += [0x17, 0x42]
            check(longer, ": ", "with bytes left over")
            var flipped = unit
            flipped.substreams[k].bytes[flipped.substreams[k].bytes.count / 2] ^= 0x5A
            check(flipped, ": ", "corrupted")
            var empty = unit
            empty.substreams[k].bytes = []
            check(empty, " is empty", "empty")
            var missing = unit
            missing.substreams.remove(at: k)
            check(missing, " is missing", "missing")
        }
    }

    func testHeaderChecksOfTheHyperpriorTools() throws {
        let header = try ContainerReader(bytes: try encode(width: 64, height: 64, frames: 1, threads: 1).bytes, name: Self.file).header
        func error(_ edit: (inout SequenceHeader) -> Void) -> String? {
            var h = header
            edit(&h)
            do { _ = try StreamParameters.validated(h, file: Self.file); return nil } catch { return "\(error)" }
        }
        XCTAssertNil(error { _ in })
        let p = try StreamParameters.validated(header, file: Self.file)
        XCTAssertEqual(p.hyperprior?.ratePoint, 2048)
        XCTAssertEqual(p.levels, 0)
        let key = HyperpriorStreamSyntax.ratePointKey
        XCTAssertTrue(error { $0.tools[key] = .int(300) }?.contains("intra_rate_point 300 is not one of") ?? false)
        XCTAssertTrue(error { $0.tools[key] = nil }?.contains("lacks the integer tool intra_rate_point") ?? false)
        XCTAssertTrue(error { $0.tools["rvq_levels"] = .int(2) }?.contains("rvq_levels in a stream whose intra_model hyperprior codes no RVQ indices") ?? false)
        XCTAssertTrue(error { $0.tools["index_prior"] = .string("ctx-f8") }?.contains("index_prior in a stream") ?? false)
        XCTAssertTrue(error { $0.weights.append($0.weights[0]) }?.contains("this stream needs 1") ?? false)
        XCTAssertTrue(error { $0.substreamNames = ["hp.z"] }?.contains("substream hp.y is not in") ?? false)
        // intra_rate_point belongs to hyperprior streams only.
        XCTAssertTrue(error {
            $0.tools = ["intra_model": .string("vqgan-f8"), "rvq_levels": .int(2), "codebook_size": .int(1024),
                        "downsampling": .int(8), "index_model": .string(IntraStreamSyntax.indexModel), key: .int(256)]
        }?.contains("intra_rate_point in a stream whose intra_model vqgan-f8 is not a hyperprior model") ?? false)
        // The frame checks (dcvc-info runs them too).
        XCTAssertThrowsError(try p.check(FrameUnit(type: .intra, index: 0, substreams: [Substream(name: "rvq.0", bytes: [0, 1])]),
                                         file: Self.file)) {
            XCTAssertTrue("\($0)".contains("frame 0: substream hp.z is missing"), "\($0)")
        }
        // An RVQ decoder is not given a hyperprior stream, nor the reverse.
        XCTAssertThrowsError(try IntraStreamDecoder(header: header, tokenizer: BlockMeanTokenizer(), file: Self.file, threads: 1)) {
            XCTAssertTrue("\($0)".contains("is a hyperprior model"), "\($0)")
        }
    }

    func testWeightFilesThatDoNotFitAreRefused() throws {
        let source = try SafeTensorsFile.parse(Array(try Data(contentsOf: URL(fileURLWithPath: Self.weightPath))), path: "x")
        let entry = try ModelRegistry.entry("hyperprior", kind: .intraModel, file: "test")
        func refusal(_ edit: (inout SafeTensorsFile) -> Void) throws -> String {
            var st = source
            edit(&st)
            let path = NSTemporaryDirectory() + "dcvc-hyperprior-bad-\(getpid()).safetensors"
            try st.write(to: path)
            defer { try? FileManager.default.removeItem(atPath: path) }
            do { _ = try ModelRegistry.hyperprior(entry, file: try WeightFile(path: path), threads: 1); return "loaded" } catch {
                return "\(error)"
            }
        }
        XCTAssertTrue(try refusal { $0.tensors[HyperpriorIntraTables.hyperName] = nil }.contains("no table tensor tables.hyper"))
        XCTAssertTrue(try refusal {
            $0.tensors[HyperpriorIntraTables.hyperName] = SafeTensor(integers: [1, 2, 3], shape: [3], dtype: .i32)
        }.contains("invalid entropy tables"))
        XCTAssertTrue(try refusal { $0.metadata["model"] = "inter-dcvc" }.contains("has model inter-dcvc, not intra-hyperprior"))
        XCTAssertTrue(try refusal { $0.tensors["g_s.out.weight"] = nil }.contains("g_s.out.weight"))
        // The P-frame model's file is not a hyperprior model's.
        XCTAssertThrowsError(try ModelRegistry.hyperprior(entry, file: try WeightFile(path: DCVCInterCodingTests.weightPath), threads: 1))
    }

    /// The tools: `dcvc-enc --intra-model hyperprior` writes a stream `dcvc-dec` decodes to the same
    /// MD5 at 1 and 2 threads and `dcvc-info` accepts; without the weight file the encoder says how
    /// to make it; RVQ options are refused.
    func testToolsEncodeAndDecodeAHyperpriorStream() throws {
        let dir = NSTemporaryDirectory() + "hyperprior-tools-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let w = try Y4MWriter(path: dir + "/in.y4m", header: Y4MHeader(width: 48, height: 40, frameRate: FrameRate(25),
                                                                        chroma: .c420jpeg, colorRange: .limited))
        for i in 0..<2 { try w.write(frame(width: 48, height: 40, index: i)) }
        try w.close()
        let enc = try ToolRunner("dcvc-enc", from: Self.self)
        let r = try enc.run([dir + "/in.y4m", "-o", dir + "/hp.dcv", "--intra-model", "hyperprior", "--lambda", "256",
                             "--weights", Self.weightDirectory, "--threads", "2", "--intra-period", "1"])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertTrue(r.err.contains("2 frames 48x40 (2 I, 0 P)"), r.err)
        let dec = try ToolRunner("dcvc-dec", from: Self.self)
        var md5s: [String] = []
        for threads in ["1", "2"] {
            let d = try dec.run([dir + "/hp.dcv", "-o", dir + "/out\(threads).y4m", "--md5", "--threads", threads,
                                 "--weights", Self.weightDirectory])
            XCTAssertEqual(d.status, 0, d.err)
            md5s.append(d.out)
        }
        XCTAssertEqual(md5s[0], md5s[1])
        XCTAssertEqual(md5s[0].count, 33)
        let info = try ToolRunner("dcvc-info", from: Self.self).run([dir + "/hp.dcv"])
        XCTAssertEqual(info.status, 0, info.err)
        XCTAssertTrue(info.out.contains("hyperprior"), info.out)
        let rvq = try enc.run([dir + "/in.y4m", "-o", dir + "/x.dcv", "--intra-model", "hyperprior", "--rvq-layers", "3",
                               "--weights", Self.weightDirectory])
        XCTAssertNotEqual(rvq.status, 0)
        XCTAssertTrue(rvq.err.contains("sends no RVQ levels"), rvq.err)
        // Missing weights (unless a trained file is installed where every run looks).
        let shipped = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("weights/intra-hyperprior.safetensors").path
        if !FileManager.default.fileExists(atPath: shipped) {
            let missing = try enc.run([dir + "/in.y4m", "-o", dir + "/x.dcv", "--intra-model", "hyperprior", "--weights", dir])
            XCTAssertNotEqual(missing.status, 0)
            XCTAssertTrue(missing.err.contains("intra-hyperprior.safetensors")
                          && missing.err.contains("dcvc-train hyperprior --export weights/intra-hyperprior.safetensors"), missing.err)
        }
    }
}
