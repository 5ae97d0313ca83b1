import Foundation
import Media
import ToolTesting
import XCTest
@testable import Evaluation

/// Rows of our codec are keyed by the weights and coding tools `dcvc-enc` resolves for their
/// options: a retrained model changes the settings of the rows that load it and no others.
final class CodecWeightsTests: XCTestCase {
    func testDigestFollowsTheModelsTheOptionsLoad() throws {
        let enc = try ToolRunner("dcvc-enc", from: Self.self)
        let repoWeights = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("weights/vqgan-f8.safetensors")
        guard var model = FileManager.default.contents(atPath: repoWeights.path) else {
            throw XCTSkip("weights/vqgan-f8.safetensors not found")
        }
        let dir = NSTemporaryDirectory() + "codec-weights-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let saved = ProcessInfo.processInfo.environment["DCVC_WEIGHTS"]
        setenv("DCVC_WEIGHTS", dir, 1)
        defer {
            if let saved { setenv("DCVC_WEIGHTS", saved, 1) } else { unsetenv("DCVC_WEIGHTS") }
            try? FileManager.default.removeItem(atPath: dir)
        }
        let probe = dir + "/probe.y4m"
        let writer = try Y4MWriter(path: probe, header: Y4MHeader(width: 16, height: 16, frameRate: FrameRate(25)))
        try writer.write(VideoFrame(width: 16, height: 16, format: .yuv420p, y: [UInt8](repeating: 120, count: 256),
                                    u: [UInt8](repeating: 128, count: 64), v: [UInt8](repeating: 128, count: 64), index: 0))
        try writer.close()
        func digest(_ options: [String]) -> String {
            CodecWeights(toolDirectory: enc.url.deletingLastPathComponent().path, scratch: dir, probe: probe)
                .digest(options: options)
        }
        let intra = ["--model", "vqgan-f8", "--intra-period", "1"]
        let inter = ["--model", "vqgan-f8", "--intra-period", "32"]
        let a = digest(intra), p = digest(inter)
        XCTAssertEqual(a.count, 12, a)
        XCTAssertNotEqual(a, p, "P-frames add the inter model")
        XCTAssertEqual(digest(["--model", "no-such-model"]), "unresolved")
        // So do the coding tools with the same weights: the default levels are 6, not 3.
        XCTAssertNotEqual(digest(intra + ["--rvq-layers", "3"]), a, "the header's tools are part of the digest")
        XCTAssertEqual(digest(intra + ["--rvq-layers", "6"]), a)

        // A weight file these options do not load changes nothing.
        try Data(model).write(to: URL(fileURLWithPath: dir + "/unrelated.safetensors"))
        XCTAssertEqual(digest(intra), a)
        // The same model retrained (one weight changed) changes both.
        model[model.count - 1] ^= 1
        try Data(model).write(to: URL(fileURLWithPath: dir + "/vqgan-f8.safetensors"))
        XCTAssertNotEqual(digest(intra), a)
        XCTAssertNotEqual(digest(inter), p)
    }
}
