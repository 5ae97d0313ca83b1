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
    }
}
