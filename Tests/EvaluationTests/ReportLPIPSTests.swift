import Foundation
import XCTest
@testable import Evaluation

/// BD-rate on LPIPS, where lower is better: the report interpolates its negative.
final class ReportLPIPSTests: XCTestCase {
    func testLPIPSBDRateOfACurveAtHalfTheRate() throws {
        let text = """
            {"name": "t", "output": "out", "frames": 8, "intra_period": 1, "datasets": ["v/clip.mp4"], "anchor": "greedy",
             "methods": [
               {"name": "greedy", "kind": "dcvc", "points": [{"label": "L1", "args": []}, {"label": "L2", "args": []}, {"label": "L4", "args": []}]},
               {"name": "rd", "kind": "dcvc", "points": [{"label": "L1", "args": []}, {"label": "L2", "args": []}, {"label": "L4", "args": []}]}]}
            """
        let config = try EvalConfig.parse(Data(text.utf8), path: "c.json")
        func row(_ method: String, _ point: String, bpp: Double, lpips: Double) -> ResultRow {
            var r = ResultRow(video: "v/clip.mp4", clip: "clip", width: 64, height: 48, frames: 8, method: method,
                              kind: "dcvc", point: point, settings: "s")
            r.bytes = Int(bpp * 64 * 48); r.bpp = bpp; r.psnrYUV = 30 + 10 * bpp; r.psnrRGB = 29 + 10 * bpp; r.lpips = lpips
            return r
        }
        // The same LPIPS at half the rate: -50 %; the PSNR of `rd` is lower at its rate.
        let curve = [(0.1, 0.5), (0.2, 0.4), (0.4, 0.3)]
        let table = ResultsTable(rows: curve.enumerated().flatMap { i, p in
            [row("greedy", "L\(i)", bpp: p.0, lpips: p.1), row("rd", "L\(i)", bpp: p.0 / 2, lpips: p.1)]
        })
        let report = Report(config: config, table: table, plots: [], lpipsNote: nil)
        let md = report.markdown()
        let lpipsSection = try XCTUnwrap(md.range(of: "**LPIPS (lower is better)**"), md)
        let line = try XCTUnwrap(md[lpipsSection.upperBound...].split(separator: "\n").first { $0.hasPrefix("| rd |") })
        XCTAssertEqual(String(line), "| rd | -50.0 % | -50.0 % |")
        XCTAssertEqual(report.curve("clip", "rd", .lpips).map(\.quality), [-0.5, -0.4, -0.3])
        XCTAssertTrue(report.curve("clip", "rd", .psnrYUV).allSatisfy { $0.quality > 30 }, "PSNR keeps its sign")

        // bd_max_bpp drops the points above it from the BD curves (and says so), not from the table.
        var capped = report
        capped.config.bdMaxBpp = 0.15
        XCTAssertEqual(capped.curve("clip", "greedy", .lpips).map(\.rate), [0.1])
        XCTAssertEqual(capped.curve("clip", "rd", .lpips).map(\.rate), [0.05, 0.1])
        let cappedText = capped.markdown()
        XCTAssertTrue(cappedText.contains("at or below 0.15 bpp"), cappedText)
        XCTAssertTrue(cappedText.contains("| clip | rd | L2 |"), "every point stays in the table")
    }

    /// FID joins the BD-rate tables when the rows have it, interpolated on its negative like LPIPS.
    func testFIDBDRate() throws {
        let text = """
            {"name": "t", "output": "out", "frames": 8, "intra_period": 1, "datasets": ["v/clip.mp4"], "anchor": "a",
             "methods": [{"name": "a", "kind": "dcvc", "points": [{"label": "L1", "args": []}]},
                         {"name": "b", "kind": "dcvc", "points": [{"label": "L1", "args": []}]}]}
            """
        let config = try EvalConfig.parse(Data(text.utf8), path: "c.json")
        var rows: [ResultRow] = []
        for (i, p) in [(0.1, 40.0), (0.2, 30.0), (0.4, 20.0)].enumerated() {
            for (m, scale) in [("a", 1.0), ("b", 2.0)] {
                var r = ResultRow(video: "v/clip.mp4", clip: "clip", width: 64, height: 48, frames: 8, method: m,
                                  kind: "dcvc", point: "L\(i)", settings: "s")
                r.bpp = p.0 * scale; r.psnrYUV = 30; r.psnrRGB = 30; r.fid = p.1
                rows.append(r)
            }
        }
        let md = Report(config: config, table: ResultsTable(rows: rows), plots: [], lpipsNote: nil).markdown()
        let section = try XCTUnwrap(md.range(of: "**FID/256 (lower is better)**"), md)
        let line = try XCTUnwrap(md[section.upperBound...].split(separator: "\n").first { $0.hasPrefix("| b |") })
        XCTAssertEqual(String(line), "| b | +100.0 % | +100.0 % |")
    }
}
