import Bitstream
import Foundation
import Media
import ToolTesting
import XCTest
@testable import Evaluation

/// End to end: `dcvc-eval --config` on a synthesized clip (always) and on eval/smoke.json (when
/// `make data` has fetched data/), checking the outputs' structure and that every method's PSNR
/// rises with its rate.
final class EvalRunTests: XCTestCase {
    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    private var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("evalrun-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDown() {
        try? FileManager.default.removeItem(at: dir)
    }

    /// A 64x48 clip of moving gradients and a disc (the pattern of scripts/synth_y4m.py).
    private func synthesizeClip(frames n: Int) throws -> String {
        let path = dir.appendingPathComponent("synth.y4m").path
        let (w, h) = (64, 48), (cw, ch) = (32, 24)
        let writer = try Y4MWriter(path: path, header: Y4MHeader(width: w, height: h, frameRate: FrameRate(25)))
        for t in 0..<n {
            let cx = w * (t + 2) / (n + 3), cy = h / 2, r2 = (min(w, h) / 3) * (min(w, h) / 3)
            var y = [UInt8](), u = [UInt8](), v = [UInt8]()
            for j in 0..<h {
                for i in 0..<w {
                    var s = 40 + 150 * i / (w - 1) + 30 * j / (h - 1)
                    if (i - cx) * (i - cx) + (j - cy) * (j - cy) < r2 { s = 235 - s / 3 }
                    y.append(UInt8(min(max(s, 16), 235)))
                }
            }
            for _ in 0..<ch { for i in 0..<cw { u.append(UInt8(min(240, 90 + 80 * i / (cw - 1) + 3 * t))) } }
            for j in 0..<ch { for _ in 0..<cw { v.append(UInt8(min(240, 160 - 60 * j / (ch - 1)))) } }
            try writer.write(VideoFrame(width: w, height: h, format: .yuv420p, y: y, u: u, v: v, index: t))
        }
        try writer.close()
        return path
    }

    private func writeConfig(_ object: [String: Any], name: String = "config.json") throws -> String {
        let path = dir.appendingPathComponent(name).path
        try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted]).write(to: URL(fileURLWithPath: path))
        return path
    }

    private func run(_ config: String) throws -> String {
        let tool = try ToolRunner("dcvc-eval", from: Self.self)
        let r = try tool.run(["--config", config])
        XCTAssertEqual(r.status, 0, r.err)
        return r.err
    }

    /// Checks the output directory; returns its rows.
    @discardableResult
    private func checkOutputs(_ out: URL, rows expected: Int, methods: [String], lpips: Bool = false,
                              file: StaticString = #filePath, line: UInt = #line) throws -> [ResultRow] {
        let table = try ResultsTable.load(json: out.appendingPathComponent("results.json").path)
        XCTAssertEqual(table.rows.count, expected, file: file, line: line)
        let csv = try String(contentsOf: out.appendingPathComponent("results.csv"), encoding: .utf8)
        let lines = csv.split(separator: "\n")
        XCTAssertEqual(lines.count, expected + 1, file: file, line: line)
        XCTAssertEqual(String(lines[0]), ResultsTable.csvColumns.joined(separator: ","), file: file, line: line)
        for r in table.rows {
            XCTAssertNil(r.error, "\(r.method) \(r.point): \(r.error ?? "")", file: file, line: line)
            let bytes = try XCTUnwrap(r.bytes, file: file, line: line)
            XCTAssertGreaterThan(bytes, 0, file: file, line: line)
            XCTAssertEqual(r.bpp!, Double(bytes) * 8 / Double(r.width * r.height * r.frames), accuracy: 1e-12,
                           file: file, line: line)
            for v in [r.psnrRGB, r.psnrYUV, r.psnrY, r.encodeSeconds, r.decodeSeconds] {
                XCTAssertNotNil(v, "\(r.method) \(r.point)", file: file, line: line)
            }
            // Peak memory: our tools' own (at least their weights, over 1 MiB); what the in-process
            // anchors add (Linux): an encoder's buffers, a decoder's perhaps less.
            #if os(Linux)
            let enc = try XCTUnwrap(r.encodePeakRSS, "\(r.method) \(r.point) encoding peak", file: file, line: line)
            let dec = try XCTUnwrap(r.decodePeakRSS, "\(r.method) \(r.point) decoding peak", file: file, line: line)
            XCTAssertGreaterThan(enc, r.kind == "dcvc" ? 1 << 20 : 0, "\(r.method) \(r.point)", file: file, line: line)
            XCTAssertGreaterThanOrEqual(dec, r.kind == "dcvc" ? 1 << 20 : 0, "\(r.method) \(r.point)", file: file, line: line)
            #endif
            // SSIM and MS-SSIM are measured, or say why not (e.g. a picture too small for MS-SSIM).
            for (name, v) in [("ssim", r.ssim), ("msssim", r.msssim)] {
                XCTAssertTrue(v != nil || r.unmeasured?[name] != nil, "\(r.method) \(r.point) \(name)", file: file, line: line)
            }
            XCTAssertEqual(r.lpips != nil, lpips, file: file, line: line)
        }
        for clip in Set(table.rows.map(\.clip)) {
            for m in methods {
                let curve = table.rows.filter { $0.clip == clip && $0.method == m }.sorted { $0.bpp! < $1.bpp! }
                XCTAssertGreaterThanOrEqual(curve.count, 2, m, file: file, line: line)
                for (a, b) in zip(curve, curve.dropFirst()) {
                    XCTAssertGreaterThan(b.psnrYUV!, a.psnrYUV!, "\(clip) \(m): \(a.point) -> \(b.point)", file: file, line: line)
                    XCTAssertGreaterThan(b.psnrRGB!, a.psnrRGB!, "\(clip) \(m): \(a.point) -> \(b.point)", file: file, line: line)
                }
            }
        }
        XCTAssertTrue(table.rows.allSatisfy { $0.value(.psnrRGB) != nil && $0.value(.psnrYUV) != nil })
        for metric in PlotMetric.allCases {
            let path = out.appendingPathComponent(metric.fileName).path
            // One plot per metric that has values, none for the others.
            guard table.rows.contains(where: { $0.value(metric) != nil }) else {
                XCTAssertFalse(FileManager.default.fileExists(atPath: path), metric.fileName, file: file, line: line)
                continue
            }
            let svg = try String(contentsOfFile: path, encoding: .utf8)
            let xml = try XCTUnwrap(ElementCounter.parse(svg), "\(metric.fileName) is not well-formed", file: file, line: line)
            XCTAssertEqual(xml.counts["polyline"], methods.count * Set(table.rows.map(\.clip)).count, file: file, line: line)
        }
        let report = try String(contentsOf: out.appendingPathComponent("report.md"), encoding: .utf8)
        XCTAssertTrue(report.contains("## BD-rate against x265"), file: file, line: line)
        XCTAssertTrue(report.contains("## BD-PSNR against x265"), file: file, line: line)
        for m in methods where m != "x265" {
            XCTAssertTrue(report.contains("| \(m) |"), m, file: file, line: line)
        }
        XCTAssertTrue(report.contains("## All points"), file: file, line: line)
        return table.rows
    }

    func testSynthesizedClipEndToEnd() throws {
        let clip = try synthesizeClip(frames: 3)
        let out = dir.appendingPathComponent("out")
        // FID on 64x48 frames: unmeasured (no 256x256 patch) when `make fid` has run, else a warning.
        let fidWeights = FIDInception.defaultPath(dataDir: Self.repoRoot.appendingPathComponent("data").path)
        let haveFID = FileManager.default.fileExists(atPath: fidWeights)
        var config: [String: Any] = [
            "name": "synth", "output": out.path, "frames": 3, "intra_period": 1, "datasets": [clip],
            "anchor": "x265", "lpips_weights": dir.appendingPathComponent("none.safetensors").path,
            "metrics": ["psnr", "ssim", "msssim", "lpips", "fid"],
            "fid_weights": haveFID ? fidWeights : dir.appendingPathComponent("none.safetensors").path,
            "methods": [
                ["name": "dcvc-f8", "kind": "dcvc", "args": ["--model", "vqgan-f8"],
                 "points": [["label": "L2", "args": ["--rvq-layers", "2"]], ["label": "L4", "args": ["--rvq-layers", "4"]]]],
                ["name": "x265", "kind": "x265", "crf": [27, 37]],
            ],
        ]
        let path = try writeConfig(config)
        let err = try run(path)
        XCTAssertTrue(err.contains("LPIPS weights not found"), err)
        let first = try checkOutputs(out, rows: 4, methods: ["dcvc-f8", "x265"])
        if haveFID {
            for r in first {
                XCTAssertNil(r.fid)
                XCTAssertTrue(r.unmeasured?["fid"]?.contains("smaller than its 256x256 patches") == true, "\(r)")
            }
        } else {
            XCTAssertTrue(err.contains("FID Inception weights not found"), err)
        }

        // A second run measures nothing again and leaves the rows as they were.
        let again = try run(path)
        XCTAssertEqual(again.components(separatedBy: "already measured").count - 1, 4, again)
        XCTAssertEqual(try ResultsTable.load(json: out.appendingPathComponent("results.json").path).rows, first)

        // A changed rate point is measured, the unchanged ones are kept, the removed one goes.
        var methods = config["methods"] as! [[String: Any]]
        methods[1]["crf"] = [27, 32]
        config["methods"] = methods
        let third = try run(try writeConfig(config))
        XCTAssertEqual(third.components(separatedBy: "already measured").count - 1, 3, third)
        let rows = try checkOutputs(out, rows: 4, methods: ["dcvc-f8", "x265"])
        XCTAssertEqual(rows.filter { $0.method == "x265" }.map(\.point), ["crf27", "crf32"])
    }

    /// Our codec with P-frames: each row keeps per-frame types, real frame-unit bytes and PSNR,
    /// a drift plot is written per clip, and the report has the drift table.
    func testPFrameRowsRecordPerFrameFiguresAndDrift() throws {
        let clip = try synthesizeClip(frames: 4)
        let out = dir.appendingPathComponent("out")
        let path = try writeConfig([
            "name": "drift", "output": out.path, "frames": 4, "intra_period": 2, "datasets": [clip],
            "anchor": "x265", "metrics": ["psnr"],
            "methods": [
                ["name": "dcvc-p", "kind": "dcvc", "args": ["--model", "vqgan-f8"],
                 "points": [["label": "lambda256", "args": ["--lambda", "256"]], ["label": "lambda2048", "args": ["--lambda", "2048"]]]],
                ["name": "dcvc-intra", "kind": "dcvc", "intra_period": 1, "args": ["--model", "vqgan-f8"],
                 "points": [["label": "L2", "args": ["--rvq-layers", "2"]]]],
                ["name": "x265", "kind": "x265", "crf": [27, 37]],
            ],
        ])
        _ = try run(path)
        let table = try ResultsTable.load(json: out.appendingPathComponent("results.json").path)
        XCTAssertEqual(table.rows.count, 5)
        for r in table.rows {
            XCTAssertNil(r.error, "\(r.method) \(r.point): \(r.error ?? "")")
            guard r.method == "dcvc-p" else {
                XCTAssertNil(r.perFrame, "\(r.method): per-frame figures only for P-frame streams")
                continue
            }
            let s = try XCTUnwrap(r.perFrame, r.point)
            XCTAssertEqual(s.types, ["I", "P", "I", "P"])
            XCTAssertEqual(s.bytes.count, 4)
            XCTAssertTrue(s.bytes.allSatisfy { $0 > 0 })
            // The per-frame PSNR is consistent with the sequence figure (mean of MSE).
            let meanMSE = s.psnrY.map { 255 * 255 / pow(10, $0 / 10) }.reduce(0, +) / 4
            XCTAssertEqual(10 * log10(255 * 255 / meanMSE), r.psnrY!, accuracy: 1e-6)
        }
        // The sizes are those of the stream's frame units: code the point again and read them.
        let row = try XCTUnwrap(table.rows.first { $0.point == "lambda2048" })
        let args = row.settings.components(separatedBy: " (weights ")[0].split(separator: " ").dropFirst().map(String.init)
        let dcv = dir.appendingPathComponent("again.dcv").path
        let enc = try ToolRunner("dcvc-enc", from: Self.self).run([clip, "-o", dcv] + args)
        XCTAssertEqual(enc.status, 0, enc.err)
        let summary = try ContainerSummary(path: dcv)
        XCTAssertEqual(row.perFrame?.bytes, summary.frames.map(\.bytes))
        XCTAssertEqual(row.bytes, summary.fileBytes)
        XCTAssertNotEqual(table.rows[0].perFrame!.bytes, table.rows[1].perFrame!.bytes)
        let svg = try String(contentsOf: out.appendingPathComponent("drift-synth.svg"), encoding: .utf8)
        XCTAssertEqual(ElementCounter.parse(svg)?.counts["polyline"], 2 * 4)
        let report = try String(contentsOf: out.appendingPathComponent("report.md"), encoding: .utf8)
        XCTAssertTrue(report.contains("## Drift across GOPs"), report)
        XCTAssertTrue(report.contains("](drift-synth.svg)"), report)
        XCTAssertTrue(report.contains("| synth | dcvc-p | lambda256 | 1 (2-3) | 3 |"), report)
        // A stored row without per-frame figures is measured again.
        var stripped = table
        for i in stripped.rows.indices where stripped.rows[i].point == "lambda256" { stripped.rows[i].perFrame = nil }
        try stripped.save(in: out.path, experiment: "drift", config: path)
        let again = try run(path)
        XCTAssertEqual(again.components(separatedBy: "already measured").count - 1, 4, again)
        XCTAssertNotNil(try ResultsTable.load(json: out.appendingPathComponent("results.json").path).rows
            .first { $0.point == "lambda256" }?.perFrame)
    }

    func testFailedPointIsRecordedAndTheRunGoesOn() throws {
        let clip = try synthesizeClip(frames: 2)
        let out = dir.appendingPathComponent("out")
        let path = try writeConfig([
            "name": "fail", "output": out.path, "frames": 2, "intra_period": 1, "datasets": [clip],
            "anchor": "x265", "metrics": ["psnr"],
            "methods": [
                ["name": "bad", "kind": "dcvc", "args": ["--model", "no-such-model"],
                 "points": [["label": "L2", "args": ["--rvq-layers", "2"]]]],
                ["name": "x265", "kind": "x265", "crf": [30, 40]],
            ],
        ])
        let err = try run(path)
        let table = try ResultsTable.load(json: out.appendingPathComponent("results.json").path)
        XCTAssertEqual(table.rows.count, 3)
        let bad = try XCTUnwrap(table.rows.first { $0.method == "bad" })
        XCTAssertTrue(bad.error?.contains("no-such-model") ?? false, bad.error ?? "no error")
        XCTAssertNil(bad.bpp)
        XCTAssertTrue(err.contains("1 with errors"), err)
        XCTAssertTrue(table.rows.filter { $0.method == "x265" }.allSatisfy { $0.error == nil && $0.ssim == nil })
        let report = try String(contentsOf: out.appendingPathComponent("report.md"), encoding: .utf8)
        XCTAssertTrue(report.contains("| bad | L2 | error:"), report)
    }

    func testBadConfigExitsWithOneLine() throws {
        let path = try writeConfig(["name": "x", "output": "o", "frames": 0, "intra_period": 1, "datasets": ["a"], "methods": []])
        let r = try ToolRunner("dcvc-eval", from: Self.self).run(["--config", path])
        XCTAssertEqual(r.status, 1)
        XCTAssertEqual(r.err.split(separator: "\n").count, 1, r.err)
        XCTAssertTrue(r.err.contains("config.json: "), r.err)
    }

    /// eval/smoke.json as shipped (4 frames of carphone), outputs in a temporary directory.
    func testSmokeConfigWithData() throws {
        let smoke = Self.repoRoot.appendingPathComponent("eval/smoke.json")
        var config = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: smoke)) as? [String: Any])
        let datasets = try XCTUnwrap(config["datasets"] as? [String])
        let absolute = datasets.map { Self.repoRoot.appendingPathComponent($0).path }
        guard absolute.allSatisfy({ FileManager.default.fileExists(atPath: $0) }) else {
            throw XCTSkip("eval/smoke.json needs \(datasets.joined(separator: ", ")): run `make data` first")
        }
        let out = dir.appendingPathComponent("smoke")
        config["datasets"] = absolute
        config["output"] = out.path
        _ = try run(try writeConfig(config, name: "smoke.json"))
        // LPIPS is measured when `make lpips` has fetched its weights.
        let lpips = FileManager.default.fileExists(
            atPath: LPIPSModel.defaultPath(dataDir: Self.repoRoot.appendingPathComponent("data").path))
        try checkOutputs(out, rows: 4, methods: ["dcvc-f8", "x265"], lpips: lpips)
    }
}
