import Foundation
import XCTest
@testable import Evaluation

/// Rows of our codec are keyed by the weights the tools would load: a retrained model changes
/// the settings, so its rows are measured again.
final class WeightFingerprintTests: XCTestCase {
    func testChangesWithTheContentOfAWeightFile() throws {
        let dir = NSTemporaryDirectory() + "fingerprint-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let saved = ProcessInfo.processInfo.environment["DCVC_WEIGHTS"]
        setenv("DCVC_WEIGHTS", dir, 1)
        defer {
            if let saved { setenv("DCVC_WEIGHTS", saved, 1) } else { unsetenv("DCVC_WEIGHTS") }
            try? FileManager.default.removeItem(atPath: dir)
        }
        let file = dir + "/model.safetensors"
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: file))
        let a = WeightFingerprint.current()
        XCTAssertEqual(a, WeightFingerprint.current(), "stable while nothing changes")
        try Data([1, 2, 4]).write(to: URL(fileURLWithPath: file))
        let b = WeightFingerprint.current()
        XCTAssertNotEqual(a, b)
        try Data("not weights".utf8).write(to: URL(fileURLWithPath: dir + "/notes.txt"))
        XCTAssertEqual(b, WeightFingerprint.current(), "only .safetensors files count")
    }
}
