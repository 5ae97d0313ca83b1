import Foundation
import XCTest
@testable import Evaluation

final class EvalConfigTests: XCTestCase {
    private let valid = """
        {"name": "t", "output": "out", "frames": 4, "intra_period": 1, "datasets": ["a.mp4"], "anchor": "x265",
         "methods": [
           {"name": "ours", "kind": "dcvc", "args": ["--model", "vqgan-f8"],
            "points": [{"label": "L2", "args": ["--rvq-layers", "2"]}, {"label": "L4", "args": ["--rvq-layers", "4"]}]},
           {"name": "x265", "kind": "x265", "crf": [27, 37.5], "intra_period": 32},
           {"name": "x264", "kind": "x264", "crf": [22], "params": "aq-mode=1"}]}
        """

    private func parse(_ text: String) throws -> EvalConfig {
        try EvalConfig.parse(Data(text.utf8), path: "c.json")
    }

    /// The error's key and a fragment of its reason.
    private func assertConfigError(_ text: String, key: String?, _ fragment: String,
                                   file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try parse(text), file: file, line: line) { error in
            guard let e = error as? ConfigError else { return XCTFail("\(error)", file: file, line: line) }
            XCTAssertEqual(e.file, "c.json", file: file, line: line)
            XCTAssertEqual(e.key, key, "\(e)", file: file, line: line)
            XCTAssertTrue(e.reason.contains(fragment), "\(e)", file: file, line: line)
        }
    }

    func testParsesAValidConfig() throws {
        let c = try parse(valid)
        XCTAssertEqual(c.name, "t")
        XCTAssertEqual(c.frames, 4)
        // Without `metrics`: all but FID, which is asked for by name.
        XCTAssertEqual(c.metrics, Set(EvalConfig.Metric.defaults))
        XCTAssertFalse(c.metrics.contains(.fid))
        XCTAssertNil(c.fidWeights)
        let withFID = try parse(valid.replacingOccurrences(
            of: "\"intra_period\": 1", with: "\"intra_period\": 1, \"metrics\": [\"fid\"], \"fid_weights\": \"w.safetensors\""))
        XCTAssertEqual(withFID.metrics, Set<EvalConfig.Metric>([.psnr, .fid]))
        XCTAssertEqual(withFID.fidWeights, "w.safetensors")
        XCTAssertEqual(c.methods.map(\.name), ["ours", "x265", "x264"])
        XCTAssertEqual(c.methods[0].points.map(\.label), ["L2", "L4"])
        XCTAssertEqual(c.methods[0].points[1].args, ["--rvq-layers", "4"])
        XCTAssertEqual(c.methods[0].intraPeriod, 1)
        XCTAssertEqual(c.methods[1].intraPeriod, 32)
        XCTAssertEqual(c.methods[1].points.map(\.label), ["crf27", "crf37.5"])
        XCTAssertEqual(c.methods[1].preset, "medium")
        XCTAssertEqual(c.methods[1].tune, "zerolatency")
        XCTAssertEqual(c.methods[2].params, "aq-mode=1")
        XCTAssertEqual(c.anchorMethod?.kind, .x265)
    }

    func testExtraAnchors() throws {
        func with(_ extra: String) -> String { valid.replacingOccurrences(of: "\"anchor\": \"x265\",", with: "\"anchor\": \"x265\", \"extra_anchors\": \(extra),") }
        let c = try parse(with("[\"ours\"]"))
        XCTAssertEqual(c.extraAnchors, ["ours"])
        XCTAssertEqual(c.anchors, ["x265", "ours"])
        XCTAssertEqual(try parse(valid).anchors, ["x265"])
        assertConfigError(with("[\"hm\"]"), key: "extra_anchors[0]", "not the name")
        assertConfigError(with("[\"x265\"]"), key: "extra_anchors[0]", "already an anchor")
        assertConfigError(with("[\"ours\", \"ours\"]"), key: "extra_anchors[1]", "already an anchor")
        assertConfigError(with("\"ours\""), key: "extra_anchors", "list")
        assertConfigError(valid.replacingOccurrences(of: "\"anchor\": \"x265\",", with: "\"extra_anchors\": [\"ours\"],"),
                          key: "extra_anchors", "needs an anchor")
    }

    func testBDMaxBpp() throws {
        func with(_ cap: String) -> String { valid.replacingOccurrences(of: "\"frames\": 4,", with: "\"frames\": 4, \"bd_max_bpp\": \(cap),") }
        XCTAssertNil(try parse(valid).bdMaxBpp)
        XCTAssertEqual(try parse(with("0.1")).bdMaxBpp, 0.1)
        assertConfigError(with("0"), key: "bd_max_bpp", "above 0")
        assertConfigError(with("\"0.1\""), key: "bd_max_bpp", "expected a number")
    }

    func testErrorsNameTheKey() {
        func replacing(_ a: String, _ b: String) -> String { valid.replacingOccurrences(of: a, with: b) }
        assertConfigError(replacing("\"frames\": 4", "\"frames\": 0"), key: "frames", "at least 1")
        assertConfigError(replacing("\"frames\": 4", "\"frames\": true"), key: "frames", "integer")
        assertConfigError(replacing("\"frames\": 4", "\"frames\": 4.5"), key: "frames", "integer")
        assertConfigError(replacing("\"frames\": 4,", ""), key: "frames", "missing")
        assertConfigError(replacing("\"kind\": \"x264\"", "\"kind\": \"vvc\""), key: "methods[2].kind", "unknown kind")
        assertConfigError(replacing("[27, 37.5]", "[27, \"x\"]"), key: "methods[1].crf[1]", "number")
        assertConfigError(replacing("[27, 37.5]", "[27, 60]"), key: "methods[1].crf[1]", "0...51")
        assertConfigError(replacing("[27, 37.5]", "[27, 27]"), key: "methods[1].crf[1]", "twice")
        assertConfigError(replacing("\"anchor\": \"x265\"", "\"anchor\": \"hm\""), key: "anchor", "not the name")
        assertConfigError(replacing("\"name\": \"x264\"", "\"name\": \"x265\""), key: "methods[2].name", "another method")
        assertConfigError(replacing("\"--rvq-layers\", \"4\"", "\"--frames\", \"4\""),
                          key: "methods[0].points[1].args[0]", "set by dcvc-eval")
        assertConfigError(replacing("\"datasets\"", "\"dataset\""), key: "dataset", "unknown key")
        assertConfigError(replacing("\"crf\": [22]", "\"crf\": [22], \"points\": []"), key: "methods[2].points", "unknown key")
        assertConfigError(replacing("[\"a.mp4\"]", "[]"), key: "datasets", "no video")
        assertConfigError(replacing("\"intra_period\": 1", "\"intra_period\": 1, \"metrics\": [\"vmaf\"]"),
                          key: "metrics[0]", "unknown metric")
        assertConfigError(replacing("\"name\": \"t\"", "\"name\": \"a b\""), key: "name", "letters")
        assertConfigError("[1, 2]", key: nil, "object")
        assertConfigError("{", key: nil, "not valid JSON")
    }

    func testYAMLIsRefusedAndMissingFilesNamed() {
        XCTAssertThrowsError(try EvalConfig.load(path: "eval/x.yaml")) {
            XCTAssertTrue("\($0)".contains("YAML configs are not supported"), "\($0)")
        }
        XCTAssertThrowsError(try EvalConfig.load(path: "/no/such/config.json")) {
            XCTAssertEqual("\($0)", "/no/such/config.json: no such file")
        }
    }

    func testMissingDatasetIsAnErrorNamingTheKey() throws {
        let c = try parse(valid.replacingOccurrences(of: "a.mp4", with: "/no/such/video.mp4"))
        XCTAssertThrowsError(try c.videos()) {
            XCTAssertEqual(($0 as? ConfigError)?.key, "datasets[0]")
        }
    }

    func testDirectoriesExpandToTheirVideos() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("evalcfg-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        for f in ["b.mp4", "a.y4m", "notes.txt"] {
            _ = FileManager.default.createFile(atPath: dir.appendingPathComponent(f).path, contents: Data())
        }
        let c = try parse(valid.replacingOccurrences(of: "\"a.mp4\"", with: "\"\(dir.path)\""))
        XCTAssertEqual(try c.videos().map(\.clip), ["a", "b"])
    }

    /// Every config shipped in eval/ parses; each anchors on x265, except the RD-search configs
    /// (intra-rdo*.json), which measure our encoder against itself (greedy RVQ is their anchor),
    /// inter-p8-short.json, whose anchor is our all-intra codec, and inter-mv-rate.json, which
    /// compares the MVs' rate points of our codec.
    func testShippedConfigsParse() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let dir = root.appendingPathComponent("eval")
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".json") }
        XCTAssertTrue(names.contains("smoke.json") && names.contains("intra-rvq.json"), "\(names)")
        XCTAssertTrue(names.contains("intra-rdo.json"), "\(names)")
        for n in names {
            let c = try EvalConfig.load(path: dir.appendingPathComponent(n).path)
            if n.hasPrefix("intra-rdo") {
                XCTAssertEqual(c.anchor, "greedy", n)
                let anchor = try XCTUnwrap(c.anchorMethod, n)
                XCTAssertEqual(anchor.kind, .dcvc, n)
                XCTAssertFalse(anchor.args.contains { $0.hasPrefix("--rd-") }, n)
                XCTAssertTrue(c.methods.filter { $0.name != "greedy" }.allSatisfy { $0.args.contains("--rd-search") }, n)
            } else if n == "inter-p8-short.json" {
                XCTAssertEqual(c.anchor, "dcvc-intra", n)
                XCTAssertEqual(c.intraPeriod, 8, n)
                XCTAssertEqual(try XCTUnwrap(c.anchorMethod, n).intraPeriod, 1, n)
            } else if n == "inter-mv-rate.json" {
                // Our codec against itself: the MVs at each rate point, every point naming one.
                XCTAssertEqual(c.anchor, "dcvc-lambda256", n)
                XCTAssertTrue(c.methods.allSatisfy { $0.kind == .dcvc && $0.points.allSatisfy { $0.args.first == "--mv-lambda" } }, n)
            } else {
                XCTAssertEqual(c.anchor, "x265", n)
                XCTAssertTrue(c.methods.contains { $0.kind == .x265 }, n)
            }
        }
    }

    /// eval/inter-p32.json sets up issue #11's condition: 96 frames, intra period 32, three clips;
    /// our codec at the four lambdas with the lambda's own I-frame levels (no --rvq-layers), our
    /// all-intra codec as a second anchor, x265 and x264 with keyint 32.
    func testInterConfigIsTheIssueCondition() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let c = try EvalConfig.load(path: root.appendingPathComponent("eval/inter-p32.json").path)
        XCTAssertEqual(c.frames, 96)
        XCTAssertEqual(c.intraPeriod, 32)
        XCTAssertEqual(c.datasets.map { ($0 as NSString).lastPathComponent }, ["carphone.mp4", "bikes.mp4", "bigbuckbunny.mp4"])
        XCTAssertEqual(c.anchors, ["x265", "dcvc-intra"])
        let inter = try XCTUnwrap(c.methods.first { $0.name == "dcvc-p32" })
        XCTAssertEqual(inter.intraPeriod, 32)
        XCTAssertEqual(inter.points.map { $0.args }, [256, 512, 1024, 2048].map { ["--lambda", String($0)] })
        XCTAssertFalse((inter.args + inter.points.flatMap(\.args)).contains("--rvq-layers"))
        let intra = try XCTUnwrap(c.methods.first { $0.name == "dcvc-intra" })
        XCTAssertEqual(intra.kind, .dcvc)
        XCTAssertEqual(intra.intraPeriod, 1)
        XCTAssertEqual(intra.args, inter.args, "the same tokenizer")
        XCTAssertGreaterThanOrEqual(intra.points.count, 3)
        for kind in [EvalMethod.Kind.x265, .x264] {
            let m = try XCTUnwrap(c.methods.first { $0.kind == kind })
            XCTAssertEqual(m.intraPeriod, 32)
            XCTAssertEqual(BaselineCodec(method: m).options(m.points[0])["g"], "32")
        }
    }
}
