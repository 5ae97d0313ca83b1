import Foundation
import XCTest
@testable import Evaluation

/// Per-frame series, GOP drift, the drift plots and the report's drift and two-anchor sections.
final class DriftTests: XCTestCase {
    /// A row of `frames` frames with I-frames every `period`, PSNR falling by `slope` dB per P-frame.
    private func row(_ point: String, frames: Int = 8, period: Int = 4, start: Double = 36, slope: Double,
                     clip: String = "clip", method: String = "dcvc-p") -> ResultRow {
        var r = ResultRow(video: "v/\(clip).mp4", clip: clip, width: 64, height: 48, frames: frames, method: method,
                          kind: "dcvc", point: point, settings: "s")
        let types = (0..<frames).map { $0 % period == 0 ? "I" : "P" }
        let yuv = (0..<frames).map { start - slope * Double($0 % period) }
        r.perFrame = FrameSeries(types: types, bytes: types.map { $0 == "I" ? 4000 : 500 },
                                 psnrY: yuv.map { $0 - 1 }, psnrYUV: yuv)
        r.bytes = 20000; r.bpp = 1; r.psnrYUV = 35; r.psnrRGB = 33
        return r
    }

    func testGOPsStartAtIFrames() {
        func gops(_ t: String) -> [Range<Int>] {
            FrameSeries(types: t.map(String.init), bytes: [], psnrY: [], psnrYUV: []).gops
        }
        XCTAssertEqual(gops("IPPPIPP"), [0..<4, 4..<7])
        XCTAssertEqual(gops("IIII"), [0..<1, 1..<2, 2..<3, 3..<4])
        XCTAssertEqual(gops("PPIP"), [0..<2, 2..<4])
        XCTAssertEqual(gops(""), [])
    }

    func testFirstAndLastPFrameOfEachGOP() throws {
        let d = GOPDrift.of(row("a", frames: 10, period: 4, slope: 0.5))
        XCTAssertEqual(d.map(\.frames), [0..<4, 4..<8, 8..<10])
        XCTAssertEqual(d.map(\.firstP), [1, 5, 9])
        XCTAssertEqual(d.map(\.lastP), [3, 7, 9])
        XCTAssertEqual(d[0].firstYUV, 35.5)
        XCTAssertEqual(d[0].lastYUV, 34.5)
        XCTAssertEqual(d[0].dropYUV, 1.0, accuracy: 1e-12)
        XCTAssertEqual(d[0].dropY, 1.0, accuracy: 1e-12)
        XCTAssertEqual(d[2].dropYUV, 0)  // one P-frame: first and last are the same frame
        XCTAssertTrue(d.allSatisfy(\.withinTarget))
        // All intra: no P-frames, no drift entries.
        XCTAssertEqual(GOPDrift.of(row("i", frames: 4, period: 1, slope: 0)).count, 0)
    }

    func testTargetIsTwoDecibels() {
        // Drops of 1.5 and 2.5 dB from the first to the last of four P-frames.
        let ok = GOPDrift.of(row("ok", frames: 5, period: 5, slope: 0.5))[0]
        let bad = GOPDrift.of(row("bad", frames: 5, period: 5, slope: 2.5 / 3))[0]
        XCTAssertEqual(ok.dropYUV, 1.5, accuracy: 1e-12)
        XCTAssertTrue(ok.withinTarget)
        XCTAssertEqual(bad.dropYUV, 2.5, accuracy: 1e-12)
        XCTAssertFalse(bad.withinTarget)
        // Quality that rises across the GOP is within the target.
        XCTAssertTrue(GOPDrift.of(row("up", frames: 5, period: 5, slope: -1))[0].withinTarget)

        let summary = PointDrift.summarize([row("ok", frames: 5, period: 5, slope: 0.5),
                                            row("ok", frames: 5, period: 5, slope: 2.5 / 3, clip: "other"),
                                            row("flat", frames: 5, period: 5, slope: 0)])
        XCTAssertEqual(summary.map(\.point), ["ok", "flat"])
        XCTAssertEqual(summary[0].gops, 2)
        XCTAssertEqual(summary[0].worstDropYUV, 2.5, accuracy: 1e-12)
        XCTAssertFalse(summary[0].withinTarget, "one clip over the target fails the rate point")
        XCTAssertTrue(summary[1].withinTarget)
        XCTAssertEqual(summary[1].meanIKbit!, 32, accuracy: 1e-12)
        XCTAssertEqual(summary[1].meanPKbit!, 4, accuracy: 1e-12)
    }

    func testPerFrameSeriesRoundTripsThroughResultsJSON() throws {
        let t = ResultsTable(rows: [row("a", slope: 0.25)])
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("drift-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try t.save(in: dir.path, experiment: "e", config: "c.json")
        let json = try String(contentsOf: dir.appendingPathComponent("results.json"), encoding: .utf8)
        XCTAssertTrue(json.contains("\"per_frame\""), json)
        XCTAssertEqual(try ResultsTable.load(json: dir.appendingPathComponent("results.json").path), t)
        XCTAssertThrowsError(try FrameSeries(types: ["I", "P"], bytes: [1], psnrY: [1, 2], psnrYUV: [1, 2]).validated("x"))
    }

    func testDriftPlotHasOneLinePerPointInEveryPanel() throws {
        let rows = [row("lambda256", slope: 0.5), row("lambda2048", start: 40, slope: 0.2), row("other", slope: 0, clip: "b")]
        let svg = try XCTUnwrap(DriftPlots.svg(ResultsTable(rows: rows), clip: "clip", title: "t"))
        let xml = try XCTUnwrap(ElementCounter.parse(svg), "not well-formed XML")
        XCTAssertEqual(xml.counts["polyline"], 2 * 4, "two rate points, four panels")
        XCTAssertTrue(svg.contains("lambda2048") && !svg.contains("other"))
        XCTAssertTrue(svg.contains("kbit per P-frame"))
        XCTAssertNil(DriftPlots.svg(ResultsTable(rows: rows), clip: "none", title: "t"))
        XCTAssertEqual(DriftPlots.fileName(clip: "data/a b.mp4"), "drift-data_a_b.mp4.svg")
    }

    /// A config with two anchors: BD sections against each, and the summary with both side by side.
    func testReportHasBDAgainstBothAnchorsAndTheDriftTable() throws {
        let text = """
            {"name": "t", "output": "out", "frames": 8, "intra_period": 4, "datasets": ["v/clip.mp4"],
             "anchor": "x265", "extra_anchors": ["dcvc-intra"],
             "methods": [
               {"name": "dcvc-p", "kind": "dcvc", "points": [{"label": "a", "args": []}, {"label": "b", "args": []}]},
               {"name": "dcvc-intra", "kind": "dcvc", "intra_period": 1,
                "points": [{"label": "L2", "args": []}, {"label": "L4", "args": []}]},
               {"name": "x265", "kind": "x265", "crf": [27, 37]}]}
            """
        let config = try EvalConfig.parse(Data(text.utf8), path: "c.json")
        func rd(_ method: String, _ point: String, bpp: Double, psnr: Double) -> ResultRow {
            var r = ResultRow(video: "v/clip.mp4", clip: "clip", width: 64, height: 48, frames: 8, method: method,
                              kind: method == "x265" ? "x265" : "dcvc", point: point, settings: "s")
            r.bytes = Int(bpp * 64 * 48 * 8 / 8); r.bpp = bpp; r.psnrYUV = psnr; r.psnrRGB = psnr - 2
            return r
        }
        var a = row("a", slope: 0.5), b = row("b", slope: 0.8)  // drops 1.0 and 1.6 dB
        a.bpp = 0.2; a.psnrYUV = 32; a.psnrRGB = 30
        b.bpp = 0.4; b.psnrYUV = 35; b.psnrRGB = 33
        let table = ResultsTable(rows: [a, b, rd("dcvc-intra", "L2", bpp: 0.3, psnr: 31), rd("dcvc-intra", "L4", bpp: 0.6, psnr: 34.5),
                                        rd("x265", "crf37", bpp: 0.1, psnr: 30), rd("x265", "crf27", bpp: 0.5, psnr: 36)])
        var report = Report(config: config, table: table, plots: [], lpipsNote: nil)
        report.driftPlots = ["clip": "drift-clip.svg"]
        let md = report.markdown()
        XCTAssertTrue(md.contains("## BD-rate against x265"), md)
        XCTAssertTrue(md.contains("## BD-rate against dcvc-intra"), md)
        XCTAssertTrue(md.contains("## BD-PSNR against dcvc-intra"), md)
        XCTAssertTrue(md.contains("## BD-rate summary"), md)
        XCTAssertTrue(md.contains("| vs x265, PSNR YUV 6:1:1 (dB) |") && md.contains("vs dcvc-intra, PSNR YUV 6:1:1 (dB)"), md)
        // The DCVC row of the summary has a figure against both anchors, and matches the BD function.
        let summaryLine = try XCTUnwrap(md.split(separator: "\n").first { $0.hasPrefix("| dcvc-p |") && $0.contains("%") })
        let vsIntra = try Bjontegaard.rate(anchor: report.curve("clip", "dcvc-intra", .psnrYUV), test: report.curve("clip", "dcvc-p", .psnrYUV))
        let vsX265 = try Bjontegaard.rate(anchor: report.curve("clip", "x265", .psnrYUV), test: report.curve("clip", "dcvc-p", .psnrYUV))
        XCTAssertTrue(summaryLine.contains(String(format: "%+.1f %%", vsX265)), String(summaryLine))
        XCTAssertTrue(summaryLine.contains(String(format: "%+.1f %%", vsIntra)), String(summaryLine))
        XCTAssertTrue(md.contains("| x265 | (anchor) | (anchor) | "), md)
        // Drift: one summary line per rate point and one line per GOP, and the plot is linked.
        XCTAssertTrue(md.contains("## Drift across GOPs"), md)
        XCTAssertTrue(md.contains("| dcvc-p | a | 2 | +1.00 | +1.00 |"), md)
        XCTAssertTrue(md.contains("| dcvc-p | b | 2 | +1.60 | +1.60 |"), md)
        XCTAssertTrue(md.contains("| clip | dcvc-p | a | 0 (0-3) | 1 | 35.50 | 34.50 | +1.00 | 34.50 | 33.50 | +1.00 |\n"), md)
        XCTAssertTrue(md.contains("| clip | dcvc-p | a | 1 (4-7) | 5 |"), md)
        XCTAssertTrue(md.contains("](drift-clip.svg)"), md)
    }
}
