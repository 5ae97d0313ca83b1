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
        XCTAssertEqual(c.metrics, Set(EvalConfig.Metric.allCases))
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

    /// Every config shipped in eval/ parses.
    func testShippedConfigsParse() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let dir = root.appendingPathComponent("eval")
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".json") }
        XCTAssertTrue(names.contains("smoke.json") && names.contains("intra-rvq.json"), "\(names)")
        for n in names {
            let c = try EvalConfig.load(path: dir.appendingPathComponent(n).path)
            XCTAssertEqual(c.anchor, "x265", n)
            XCTAssertTrue(c.methods.contains { $0.kind == .x265 }, n)
        }
    }
}
