import Foundation
import XCTest
@testable import Evaluation

final class ResultsTableTests: XCTestCase {
    private func row(_ method: String, _ point: String, bpp: Double?, psnr: Double?, error: String? = nil) -> ResultRow {
        var r = ResultRow(video: "v/clip.mp4", clip: "clip", width: 64, height: 48, frames: 3, method: method,
                          kind: "x265", point: point, settings: "libx265 crf=\(point), preset=\"medium\"")
        r.bytes = bpp.map { Int($0 * 64 * 48 * 3 / 8) }
        r.bpp = bpp; r.psnrYUV = psnr; r.psnrRGB = psnr.map { $0 - 3 }; r.error = error
        return r
    }

    func testJSONRoundTripAndUpsert() throws {
        var t = ResultsTable(rows: [row("x265", "27", bpp: 0.5, psnr: 35), row("x265", "37", bpp: nil, psnr: nil, error: "boom")])
        t.upsert(row("x265", "37", bpp: 0.2, psnr: 30))
        XCTAssertEqual(t.rows.count, 2)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rt-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try t.save(in: dir.path, experiment: "e", config: "c.json")
        let back = try ResultsTable.load(json: dir.appendingPathComponent("results.json").path)
        XCTAssertEqual(back, t)
        XCTAssertEqual(try ResultsTable.load(json: dir.appendingPathComponent("none.json").path).rows, [])
        let json = try String(contentsOf: dir.appendingPathComponent("results.json"), encoding: .utf8)
        XCTAssertTrue(json.contains("\"psnr_yuv\""))
        _ = FileManager.default.createFile(atPath: dir.appendingPathComponent("bad.json").path, contents: Data("{}".utf8))
        XCTAssertThrowsError(try ResultsTable.load(json: dir.appendingPathComponent("bad.json").path))
    }

    func testCSVQuotesAndLeavesUnmeasuredCellsEmpty() {
        var measured = row("x265", "27", bpp: 0.5, psnr: 35)
        measured.unmeasured = ["msssim": "too small", "lpips": "no weights"]
        measured.fid = 12.345678
        measured.fidPatches = 49
        let t = ResultsTable(rows: [measured, row("x265", "37", bpp: nil, psnr: nil, error: "a, b")])
        let lines = t.csv().split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, 3)
        XCTAssertEqual(lines[0], ResultsTable.csvColumns.joined(separator: ","))
        XCTAssertTrue(lines[1].contains(",0.500000,32.0000,35.0000,"), lines[1])
        XCTAssertTrue(lines[1].contains(",12.3457,49,"), lines[1])
        XCTAssertTrue(lines[1].contains("\"libx265 crf=27, preset=\"\"medium\"\"\""), lines[1])
        XCTAssertTrue(lines[1].hasSuffix(",lpips: no weights; msssim: too small,"), lines[1])
        XCTAssertTrue(lines[2].hasSuffix(",,\"a, b\""), lines[2])
        XCTAssertTrue(lines[2].contains(",x265,37,,,,"), lines[2])
    }
}
