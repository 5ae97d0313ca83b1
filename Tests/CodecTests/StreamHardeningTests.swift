import Bitstream
import Checksum
import Codec
import Foundation
import Media
import ToolTesting
import XCTest

/// Issue #12 items 1, 2, 5, 6, 7: hostile or mismatched streams and options get a clear refusal.
/// Streams are made by `dcvc-enc` from a small Y4M with the shipped weights, then edited.
final class StreamHardeningTests: XCTestCase {
    private let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    private var dir: String!
    private var weights: String { root.appendingPathComponent("weights").path }

    override func setUpWithError() throws {
        dir = NSTemporaryDirectory() + "hardening-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: dir) }

    /// A 48x32, `frames`-frame stream coded by dcvc-enc with `extra` options.
    private func encoded(_ extra: [String] = [], frames: Int = 1) throws -> [UInt8] {
        let y4m = dir + "/in.y4m"
        if !FileManager.default.fileExists(atPath: y4m) {
            let w = try Y4MWriter(path: y4m, header: Y4MHeader(width: 48, height: 32, frameRate: FrameRate(25),
                                                               chroma: .c420jpeg, colorRange: .limited))
            for f in 0..<frames {
                let luma = (0..<(48 * 32)).map { UInt8(16 + ($0 % 48) * 3 + ($0 / 48) * 2 + f) }
                try w.write(VideoFrame(width: 48, height: 32, format: .yuv420p, y: luma,
                                       u: [UInt8](repeating: 120, count: 24 * 16), v: [UInt8](repeating: 136, count: 24 * 16)))
            }
            try w.close()
        }
        let out = dir + "/e-\(UUID().uuidString).dcv"
        let r = try ToolRunner("dcvc-enc", from: Self.self).run([y4m, "-o", out, "--weights", weights] + extra)
        XCTAssertEqual(r.status, 0, r.err)
        return Array(try Data(contentsOf: URL(fileURLWithPath: out)))
    }

    /// `stream` with its sequence header changed by `edit` (and its frames by `frame`).
    private func rewritten(_ stream: [UInt8], _ edit: (inout SequenceHeader) -> Void,
                           frame: (inout FrameUnit) -> Void = { _ in }) throws -> [UInt8] {
        let reader = try ContainerReader(bytes: stream)
        var header = reader.header
        edit(&header)
        let sink = MemorySink()
        let writer = try ContainerWriter(sink: sink, header: header)
        for var unit in try reader.readAll() {
            frame(&unit)
            _ = try writer.write(unit)
        }
        try writer.finish()
        return sink.bytes
    }

    private func decodeError(_ stream: [UInt8], store: WeightStore? = nil, maxPixels: Int? = nil) -> String? {
        do {
            let decoder = try StreamDecoder(reader: try ContainerReader(bytes: stream, name: "x.dcv"),
                                            store: store ?? WeightStore(directories: [weights]),
                                            options: .init(threads: 1, maxPixels: maxPixels ?? StreamDecoder.Options.defaultMaxPixels))
            while try decoder.nextFrame() != nil {}
            return nil
        } catch {
            return "\(error)"
        }
    }

    private func sha(_ file: String) throws -> [UInt8] {
        SHA256.hash(Array(try Data(contentsOf: URL(fileURLWithPath: weights + "/" + file))))
    }

    // Item 1: the weight file name in a stream is a label, never a path.
    func testWeightNameInAStreamIsNeverFollowedAsAPath() throws {
        let outside = dir + "/outside", inside = dir + "/weights"
        for d in [outside, inside] { try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true) }
        try FileManager.default.copyItem(atPath: weights + "/vqgan-f8.safetensors", toPath: outside + "/model.safetensors")
        let stream = try rewritten(try encoded(["--index-prior", "none", "--intra-period", "1"])) {
            $0.weights[0].name = "../outside/model.safetensors"
        }
        let error = decodeError(stream, store: WeightStore(directories: [inside]))
        XCTAssertNotNil(error, "the decoder followed a path named by the stream")
        XCTAssertTrue(error?.contains("no weight file with SHA-256") ?? false, error ?? "")
        // The same bytes inside the directory, under any name, are found by their digest.
        try FileManager.default.copyItem(atPath: outside + "/model.safetensors", toPath: inside + "/renamed.safetensors")
        XCTAssertNil(decodeError(stream, store: WeightStore(directories: [inside])))
    }

    // Item 1: only regular *.safetensors files of at most 256 MiB are read (a FIFO would block,
    // a huge file would be read whole).
    func testWeightLookupSkipsNonRegularAndHugeFiles() throws {
        let store = dir + "/store"
        try FileManager.default.createDirectory(atPath: store, withIntermediateDirectories: true)
        XCTAssertEqual(mkfifo(store + "/a-fifo.safetensors", 0o644), 0)
        let huge = try XCTUnwrap(FileHandle(forWritingAtPath: {
            FileManager.default.createFile(atPath: store + "/b-huge.safetensors", contents: nil)
            return store + "/b-huge.safetensors"
        }()))
        try huge.truncate(atOffset: UInt64(WeightStore.maxFileSize + 1))  // sparse: no disk used
        try huge.close()
        try FileManager.default.createDirectory(atPath: store + "/c-dir.safetensors", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: weights + "/vqgan-f8.safetensors", toPath: store + "/d.safetensors")
        let s = WeightStore(directories: [store])
        XCTAssertEqual(s.candidates().map { ($0.path as NSString).lastPathComponent }, ["d.safetensors"])
        let file = try s.load(WeightRef(name: "anything", sha256: try sha("vqgan-f8.safetensors")))
        XCTAssertEqual(file.path, store + "/d.safetensors")
    }

    // Item 2: a huge size claim over a tiny stream fails at the header, in little memory and time.
    func testHugeFrameSizeClaimFailsFastWithLittleMemory() throws {
        let stream = try rewritten(try encoded()) { $0.width = 8192; $0.height = 8192 }
        XCTAssertLessThan(stream.count, 2000)
        let path = dir + "/huge.dcv"
        try Data(stream).write(to: URL(fileURLWithPath: path))
        XCTAssertNotNil(decodeError(stream))
        XCTAssertNotNil(decodeError(try encoded(), maxPixels: 48 * 32 - 1), "--max-pixels applies to small limits too")
        XCTAssertNil(decodeError(try encoded(), maxPixels: 48 * 32))
        let dec = try ToolRunner("dcvc-dec", from: Self.self)
        // 1.5 GiB of address space: the unlimited decoder needed more than 2 GB for this claim.
        let start = Date()
        let r = try ToolRunner(url: URL(fileURLWithPath: "/bin/sh")).run(
            ["-c", "ulimit -v 1572864; exec \"$0\" \"$@\"", dec.url.path, path, "-o", dir + "/huge.y4m",
             "--weights", weights])
        if r.err.contains("ReserveShadowMemoryRange") {
            // An AddressSanitizer build (make test-asan) reserves terabytes of shadow address space.
            throw XCTSkip("ulimit -v cannot run an AddressSanitizer build")
        }
        XCTAssertEqual(r.status, 1, r.err)
        XCTAssertTrue(r.err.contains("above the decoder's limit") && r.err.contains("--max-pixels"), r.err)
        XCTAssertLessThan(Date().timeIntervalSince(start), 20)
    }

    // Item 5: header values this decoder does not implement, and names paired with another model's weights.
    func testUnimplementedFormatsAndMismatchedModelNamesAreRefused() throws {
        let plain = try encoded(["--index-prior", "none"])
        let withPrior = try encoded()
        XCTAssertNil(decodeError(plain))
        XCTAssertNil(decodeError(withPrior))
        let cases: [(String, [UInt8], (inout SequenceHeader) -> Void)] = [
            ("bit_depth 10", plain, { $0.bitDepth = 10 }),
            ("chroma_format 4:4:4", plain, { $0.chromaFormat = .yuv444 }),
            ("intra_model vqgan-f16", plain, { $0.tools["intra_model"] = .string("vqgan-f16") }),
            ("index_prior", withPrior, { $0.tools["index_prior"] = .string("tf-f8") }),
        ]
        for (expected, stream, edit) in cases {
            let error = decodeError(try rewritten(stream, edit))
            XCTAssertTrue(error?.contains(expected) ?? false, "\(expected): \(error ?? "decoded")")
        }
        // The ctx-f8 name over the ctx-f16 file (same architecture, other intra weights).
        let f16 = try sha("prior-ctx-f16.safetensors")
        let error = decodeError(try rewritten(withPrior) { $0.weights[1].sha256 = f16 })
        XCTAssertTrue(error?.contains("was trained on intra weights") ?? false, error ?? "decoded")
    }

    // Item 6: dcvc-info refuses what the decoder refuses.
    func testInfoRefusesCodecSyntaxTheDecoderRefuses() throws {
        let stream = try encoded(["--index-prior", "none", "--intra-period", "32"])
        let info = try ToolRunner("dcvc-info", from: Self.self)
        let cases: [(String, (inout SequenceHeader) -> Void)] = [
            ("rvq_levels 100", { $0.tools["rvq_levels"] = .int(100) }),
            ("codebook_size 0", { $0.tools["codebook_size"] = .int(0) }),
            ("unsupported index_model", { $0.tools["index_model"] = .string("255") }),
            ("bit_depth 12", { $0.bitDepth = 12 }),
        ]
        let good = dir + "/good.dcv"
        try Data(stream).write(to: URL(fileURLWithPath: good))
        XCTAssertEqual(try info.run([good]).status, 0)
        let modes: [(String, (inout FrameUnit) -> Void)] = [
            ("unknown index mode 255", { $0.substreams[0].bytes[0] = 255 }),
            ("index mode 2 (learned prior) in a stream that names no index prior", { $0.substreams[0].bytes[0] = 2 }),
            ("P-frame without a preceding I-frame", { $0.type = .inter }),
        ]
        typealias Case = (String, (inout SequenceHeader) -> Void, (inout FrameUnit) -> Void)
        let all: [Case] = cases.map { ($0.0, $0.1, { _ in }) } + modes.map { ($0.0, { _ in }, $0.1) }
        for (expected, header, frame) in all {
            let bad = try rewritten(stream, header, frame: frame)
            let path = dir + "/bad.dcv"
            try Data(bad).write(to: URL(fileURLWithPath: path))
            let r = try info.run([path])
            XCTAssertEqual(r.status, 1, "\(expected): \(r.out)")
            XCTAssertTrue(r.err.contains(expected), "\(expected): \(r.err)")
            XCTAssertTrue(r.out.isEmpty)
            XCTAssertNotNil(decodeError(bad), expected)
        }
    }

    // Item 7: clear messages for a missing --weights directory, a truncated weight file, a bad
    // Y4M size and a negative --rvq-layers.
    func testClearMessagesForBadOptionsAndFiles() throws {
        let enc = try ToolRunner("dcvc-enc", from: Self.self), dec = try ToolRunner("dcvc-dec", from: Self.self)
        let stream = dir + "/ok.dcv"
        try Data(try encoded(["--index-prior", "none"])).write(to: URL(fileURLWithPath: stream))
        let missing = dir + "/no-such-dir"
        for r in [try enc.run([dir + "/in.y4m", "-o", dir + "/x.dcv", "--weights", missing]),
                  try dec.run([stream, "-o", dir + "/x.y4m", "--weights", missing])] {
            XCTAssertEqual(r.status, 1)
            XCTAssertTrue(r.err.contains("\(missing): weights directory does not exist"), r.err)
        }

        let cut = dir + "/cut"
        try FileManager.default.createDirectory(atPath: cut, withIntermediateDirectories: true)
        try Data(try Data(contentsOf: URL(fileURLWithPath: weights + "/vqgan-f8.safetensors")).prefix(3_000_000))
            .write(to: URL(fileURLWithPath: cut + "/vqgan-f8.safetensors"))
        var messages = Set<String>()
        for _ in 0..<3 {
            let r = try enc.run([dir + "/in.y4m", "-o", dir + "/x.dcv", "-y", "--weights", cut, "--index-prior", "none"])
            XCTAssertEqual(r.status, 1)
            XCTAssertTrue(r.err.contains("truncated"), r.err)
            messages.insert(r.err)
        }
        XCTAssertEqual(messages.count, 1, "the message changes from run to run: \(messages)")

        for w in ["W0", "W100000"] {
            let y4m = dir + "/\(w).y4m"
            try Data("YUV4MPEG2 \(w) H32 F25:1\nFRAME\n".utf8 + [UInt8](repeating: 0, count: 64)).write(to: URL(fileURLWithPath: y4m))
            let r = try enc.run([y4m, "-o", dir + "/x.dcv", "-y", "--weights", weights])
            XCTAssertEqual(r.status, 1)
            XCTAssertTrue(r.err.contains("width \(w.dropFirst())"), r.err)
        }

        for arg in [["--rvq-layers", "-1"], ["--rvq-layers=-1"], ["--rvq-layers", "9"]] {
            let r = try enc.run([dir + "/in.y4m", "-o", dir + "/x.dcv", "-y", "--weights", weights] + arg)
            XCTAssertEqual(r.status, 64)
            XCTAssertTrue(r.err.contains("must be 1...8"), "\(arg): \(r.err)")
        }
    }

    /// A dcvc-enc stream with intra period 32 and the shipped inter model holds P-frames that
    /// dcvc-info lists and validates and dcvc-dec decodes; a damaged P-frame is refused by both.
    func testPFramesInInfoAndTheirDamage() throws {
        let stream = try encoded(["--intra-period", "32"], frames: 3)
        let info = try ToolRunner("dcvc-info", from: Self.self)
        let good = dir + "/ip.dcv"
        try Data(stream).write(to: URL(fileURLWithPath: good))
        let r = try info.run([good])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertTrue(r.out.contains("inter_model=\"inter-dcvc\""), r.out)
        XCTAssertTrue(r.out.contains("rate_point=1024"), r.out)
        XCTAssertEqual(r.out.split(separator: "\n").filter { $0.contains(" P ") && $0.contains("mv.z:") }.count, 2, r.out)
        XCTAssertNil(decodeError(stream))
        let damage: [(String, (inout FrameUnit) -> Void)] = [
            ("substream mv.y is missing", { $0.substreams.removeAll { $0.name == "mv.y" } }),
            ("substream fr.z is empty", { u in u.substreams[u.substreams.firstIndex { $0.name == "fr.z" }!].bytes = [] }),
        ]
        for (expected, edit) in damage {
            let bad = try rewritten(stream, { _ in }, frame: { if $0.type == .inter { edit(&$0) } })
            let path = dir + "/bad-p.dcv"
            try Data(bad).write(to: URL(fileURLWithPath: path))
            let e = try info.run([path])
            XCTAssertEqual(e.status, 1, expected)
            XCTAssertTrue(e.err.contains(expected), "\(expected): \(e.err)")
            XCTAssertTrue(decodeError(bad)?.contains(expected) ?? false, expected)
        }
        // A P-frame unit's payload cut short inside fr.y: an entropy error, not a crash.
        let cut = try rewritten(stream, { _ in }, frame: { u in
            guard u.type == .inter, let i = u.substreams.firstIndex(where: { $0.name == "fr.y" }) else { return }
            u.substreams[i].bytes.removeLast(8)
        })
        XCTAssertTrue(decodeError(cut)?.contains("frame 1: substream fr.y") ?? false, decodeError(cut) ?? "decoded")
    }
}
