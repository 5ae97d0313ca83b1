import Bitstream
import Checksum
import Foundation
import ToolTesting
import XCTest

/// Decodes every vector in conformance/ with the built dcvc-dec at 1 and 2 threads and checks the
/// MD5 of the Y4M against conformance/vectors.tsv: the one `dcvc-dec --md5` prints, and our own MD5
/// of the file it wrote (the two must agree).
final class ConformanceTests: XCTestCase {
    private let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    func testVectorsDecodeToTheirMD5AtAnyThreadCount() throws {
        let list = root.appendingPathComponent("conformance/vectors.tsv")
        guard let text = try? String(contentsOf: list, encoding: .utf8) else {
            throw XCTSkip("no conformance/vectors.tsv")
        }
        let dec = try ToolRunner("dcvc-dec", from: Self.self)
        let tmp = NSTemporaryDirectory() + "conformance-\(getpid())-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: tmp, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        var checked = 0, pVectors = 0, mvVectors = 0
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let cols = line.split(separator: "\t").map(String.init)
            XCTAssertGreaterThanOrEqual(cols.count, 2, "bad line \(line)")
            let vector = root.appendingPathComponent("conformance/\(cols[0])").path
            for threads in ["1", "2"] {
                let out = "\(tmp)/\(cols[0]).\(threads).y4m"
                let r = try dec.run([vector, "-o", out, "--threads", threads, "--md5",
                                     "--weights", root.appendingPathComponent("weights").path])
                XCTAssertEqual(r.status, 0, "\(cols[0]): \(r.err)")
                XCTAssertEqual(r.out, cols[1] + "\n", "\(cols[0]) with \(threads) threads")
                let written = try Data(contentsOf: URL(fileURLWithPath: out))
                XCTAssertEqual(MD5.hex(MD5.hash(Array(written))), cols[1], "\(cols[0]) file with \(threads) threads")
            }
            let (types, tools, modes) = try scan(vector)
            if cols.count >= 8, cols[7] != "none" {
                XCTAssertFalse(modes.isDisjoint(with: [2, 3]), "\(cols[0]) should code some level with its prior (mode 2 or 3)")
            }
            if cols.count >= 8, cols[7].hasSuffix("-temporal") {
                XCTAssertTrue(modes.contains(3), "\(cols[0]) should code some level from the previous I-frame (mode 3)")
            }
            if cols.count >= 10, cols[8] != "1" {
                XCTAssertTrue(types.contains("P"), "\(cols[0]) should hold P-frames: \(types)")
                XCTAssertEqual(tools["rate_point"], .int(Int64(cols[9]) ?? -1), "\(cols[0]) rate point")
                if cols.count >= 11 {
                    XCTAssertEqual(tools["inter_model"], .string(cols[10]), "\(cols[0]) inter model")
                }
                if cols.count >= 12, cols[11] != "-" {
                    // Coded with --mv-lambda: the header carries the MVs' own rate point (inter.md §1).
                    XCTAssertEqual(tools["mv_rate_point"], .int(Int64(cols[11]) ?? -1), "\(cols[0]) MV rate point")
                }
                if tools["mv_rate_point"] != nil { mvVectors += 1 }
                pVectors += 1
            }
            if cols.count >= 10, cols[5] == "hyperprior" {
                // Hyperprior I-frames (spec/hyperprior.md), vectors present once the weights are trained.
                XCTAssertEqual(tools["intra_rate_point"], .int(Int64(cols[9]) ?? -1), "\(cols[0]) I-frame rate point")
            }
            checked += 1
        }
        XCTAssertGreaterThanOrEqual(checked, 3, "conformance/ should hold at least three vectors")
        XCTAssertGreaterThanOrEqual(pVectors, 4, "conformance/ should hold at least four vectors with P-frames")
        XCTAssertGreaterThanOrEqual(mvVectors, 1, "conformance/ should hold a vector whose MVs have their own rate point")
    }

    /// One pass over the file: its frame types in order (`I`, `P`), its header's tools, and the
    /// mode bytes its index substreams start with (spec/intra.md §3: 2 and 3 are learned priors).
    private func scan(_ path: String) throws -> (types: String, tools: [String: ToolValue], modes: Set<UInt8>) {
        let reader = try ContainerReader(path: path)
        var types = "", modes = Set<UInt8>()
        while let unit = try reader.nextFrame() {
            types += unit.type.description
            for s in unit.substreams where s.name.hasPrefix("rvq.") { if let m = s.bytes.first { modes.insert(m) } }
        }
        return (types, reader.header.tools, modes)
    }
}
