import Foundation
import XCTest

/// Runs a built `dcvc-*` executable and captures its exit status, stdout and stderr.
public struct ToolRunner {
    public let url: URL

    /// Finds `name` in the build products folder: beside the test bundle (macOS) or as the
    /// bundle's folder (Linux); skips the test when it is not built.
    public init(_ name: String, from testCase: AnyClass) throws {
        let bundle = Bundle(for: testCase).bundleURL
        let candidates = [bundle, bundle.deletingLastPathComponent()].map { $0.appendingPathComponent(name) }
        guard let url = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
            throw XCTSkip("\(name) is not built beside the tests (\(candidates[0].path)); run `swift build` first")
        }
        self.url = url
    }

    /// Runs the tool with `args` (and `stdin` bytes, if given) and waits for it.
    public func run(_ args: [String], stdin: Data? = nil) throws -> (status: Int32, out: String, err: String) {
        let p = Process()
        p.executableURL = url
        p.arguments = args
        let out = Pipe(), err = Pipe(), input = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = input
        try p.run()
        if let stdin { input.fileHandleForWriting.write(stdin) }
        try? input.fileHandleForWriting.close()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
    }
}

extension ToolRunner {
    /// Runs any executable (e.g. /bin/sh to set a resource limit before a tool).
    public init(url: URL) { self.url = url }
}
