import XCTest
@testable import Bitstream
import Foundation
import ToolTesting

/// Runs the built `dcvc-info` on good and bad files: exit codes, stdout, stderr.
final class InfoCommandTests: XCTestCase {
    private var dir = ""

    override func setUpWithError() throws {
        dir = NSTemporaryDirectory() + "dcvc-info-\(getpid())-\(UUID().uuidString)/"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    override func tearDown() { try? FileManager.default.removeItem(atPath: dir) }

    private func tool() throws -> ToolRunner { try ToolRunner("dcvc-info", from: Self.self) }

    /// Runs dcvc-info on the container fixtures, which are not codec streams (random substreams,
    /// P-frames): container checks only.
    private func run(_ args: [String]) throws -> (status: Int32, out: String, err: String) {
        try tool().run(args.isEmpty ? args : args + ["--container-only"])
    }

    private func write(_ name: String, _ bytes: [UInt8]) -> String {
        let path = dir + name
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
        return path
    }

    func testValidFileTableAndJSON() throws {
        let bytes = try Fixtures.encode(Fixtures.header(), Fixtures.frames(5))
        let path = write("ok.dcv", bytes)
        let table = try run([path])
        XCTAssertEqual(table.status, 0, table.err)
        XCTAssertTrue(table.out.contains("176x144"))
        XCTAssertTrue(table.out.contains("\(bytes.count) bytes"))
        XCTAssertEqual(table.err, "")

        let json = try run([path, "--json"])
        XCTAssertEqual(json.status, 0, json.err)
        let parsed = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(json.out.utf8)) as? [String: Any])
        XCTAssertEqual((parsed["frames"] as? [Any])?.count, 5)
        XCTAssertNotNil(parsed["sequence"] as? [String: Any])
    }

    func testBadInputsExitOneWithOneLineAndNoStdout() throws {
        let good = try Fixtures.encode(Fixtures.header(), Fixtures.frames(3))
        var flipped = good
        flipped[good.count / 2] ^= 0x04
        let cases: [(String, String)] = [
            (write("cut.dcv", Array(good.dropLast(5))), "truncated"),
            (write("flip.dcv", flipped), "CRC mismatch"),
            (write("text.dcv", Array("hello, world\n".utf8)), "not a .dcv file"),
            (write("empty.dcv", []), "truncated"),
            (dir + "missing.dcv", "no such file"),
        ]
        for (path, words) in cases {
            for extra in [[], ["--json"]] {
                let r = try run([path] + extra)
                XCTAssertEqual(r.status, 1, "\(path) \(extra)")
                XCTAssertEqual(r.out, "", "no partial output for \(path)")
                XCTAssertEqual(r.err.filter { $0 == "\n" }.count, 1, r.err)
                XCTAssertTrue(r.err.contains(path), r.err)
                XCTAssertTrue(r.err.contains(words), "\(r.err) lacks \(words)")
            }
        }
    }

    func testUsageErrorsExitSixtyFour() throws {
        _ = try tool()
        XCTAssertEqual(try run([]).status, 64)
        XCTAssertEqual(try run(["a.dcv", "--bogus"]).status, 64)
        let help = try run(["--help"])
        XCTAssertEqual(help.status, 0)
        XCTAssertTrue(help.out.contains("Exit status"))
    }
}
