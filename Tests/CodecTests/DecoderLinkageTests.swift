import Foundation
import ToolTesting
import XCTest

/// The decoder binary links no training code: no OpenBLAS library, no symbol from the training
/// modules (autograd, optimizers, BLAS kernels, the encoder's analysis). Package.swift already
/// keeps them out of `dcvc-dec`'s dependencies; this checks the binary that was actually built.
final class DecoderLinkageTests: XCTestCase {
    /// Mangled-name prefixes of the modules the decoder must not contain (Swift mangles a module
    /// name as its length and the name), and the C BLAS entry points.
    static let forbidden = ["14TensorTraining", "14ModelsTraining", "12CodecEncoder", "$s8Training", "cblas_"]

    func testDecoderLinksNoBLAS() throws {
        let dec = try ToolRunner("dcvc-dec", from: Self.self)
        let ldd = try Self.run("/usr/bin/ldd", [dec.url.path])
        XCTAssertTrue(ldd.contains("libc.so"), "ldd output looks wrong: \(ldd)")
        XCTAssertFalse(ldd.lowercased().contains("blas"), "dcvc-dec links BLAS:\n\(ldd)")
    }

    func testDecoderHasNoTrainingSymbols() throws {
        let dec = try ToolRunner("dcvc-dec", from: Self.self)
        let symbols = try Self.run("/usr/bin/nm", [dec.url.path])
        // The decoder's own modules are there (so an empty or failed listing cannot pass).
        XCTAssertTrue(symbols.contains("5Codec"), "nm lists no Codec symbols")
        XCTAssertTrue(symbols.contains("13Deterministic"), "nm lists no Deterministic symbols")
        for name in Self.forbidden {
            let hits = symbols.split(separator: "\n").filter { $0.contains(name) }
            XCTAssertTrue(hits.isEmpty, "dcvc-dec holds \(hits.count) symbols of \(name), e.g. \(hits.prefix(3))")
        }
    }

    /// Runs a system tool and returns its stdout; skips the test when the tool is absent.
    static func run(_ tool: String, _ args: [String]) throws -> String {
        guard FileManager.default.isExecutableFile(atPath: tool) else { throw XCTSkip("\(tool) is not installed") }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: tool)
        p.arguments = args
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0, "\(tool) \(args) failed")
        return String(decoding: data, as: UTF8.self)
    }
}
