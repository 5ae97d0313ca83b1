import XCTest
@testable import ToolSupport

final class AtomicOutputTests: XCTestCase {
    private var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("atomic-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: dir)
    }

    private func listing() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
    }

    func testCommitMovesIntoPlace() throws {
        let path = dir.appendingPathComponent("out.bin").path
        let out = try AtomicOutput(path: path, overwrite: false)
        try out.write([1, 2, 3])
        XCTAssertFalse(FileManager.default.fileExists(atPath: path), "visible before commit")
        try out.commit()
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: path)), Data([1, 2, 3]))
        XCTAssertEqual(try listing(), ["out.bin"])
    }

    func testUncommittedOutputLeavesNothing() throws {
        let path = dir.appendingPathComponent("out.bin").path
        do {
            let out = try AtomicOutput(path: path, overwrite: false)
            try out.write([9])
        }
        XCTAssertEqual(try listing(), [])
    }

    func testExistingOutputRefusedWithoutOverwrite() throws {
        let path = dir.appendingPathComponent("out.bin").path
        try Data([7]).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try AtomicOutput(path: path, overwrite: false)) { error in
            let e = error as? ToolError
            XCTAssertEqual(e?.exitCode, ExitStatus.outputError)
            XCTAssertTrue(e?.description.contains("already exists") ?? false)
        }
        let out = try AtomicOutput(path: path, overwrite: true)
        try out.write([8])
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: path)), Data([7]), "old file kept until commit")
        try out.commit()
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: path)), Data([8]))
    }

    func testMissingDirectoryIsAnOutputError() {
        let path = dir.appendingPathComponent("nope/out.bin").path
        XCTAssertThrowsError(try AtomicOutput(path: path, overwrite: true)) { error in
            XCTAssertEqual((error as? ToolError)?.exitCode, ExitStatus.outputError)
        }
    }

    func testErrorDescriptionNamesFileAndFrame() {
        let e = ToolError(file: "in.mp4", frame: 12, "decode failed")
        XCTAssertEqual(e.description, "in.mp4: frame 12: decode failed")
        XCTAssertEqual(ProgressLine.clock(3725), "1:02:05")
        XCTAssertEqual(ProgressLine.clock(65), "1:05")
    }
}

final class DeviceOutputTests: XCTestCase {
    /// Renaming over /dev/null would replace the device with a regular file.
    func testDevicesAreWrittenInPlace() throws {
        let out = try AtomicOutput(path: "/dev/null", overwrite: false)
        XCTAssertNil(out.temporaryPath)
        XCTAssertEqual(out.writePath, "/dev/null")
        try out.write([1, 2, 3])
        try out.commit()
        let type = try FileManager.default.attributesOfItem(atPath: "/dev/null")[.type] as? FileAttributeType
        XCTAssertEqual(type, .typeCharacterSpecial)
    }
}
