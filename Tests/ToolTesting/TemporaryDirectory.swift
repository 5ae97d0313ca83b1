import Foundation
import XCTest

/// A fresh temporary directory named `prefix-<UUID>`, removed when `test` ends.
public func makeTemporaryDirectory(_ test: XCTestCase, prefix: String = "dcvc-tests") throws -> URL {
    let dir = FileManager.default.temporaryDirectory
        .appendingPathComponent("\(prefix)-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    test.addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
    return dir
}
