import Foundation
import Media
import ToolTesting
import XCTest

/// `dcvc-bench decode` on a tiny clip: it runs end to end (our stream, the staged pass that must
/// reproduce StreamDecoder's frames, the x265 peer) and its figures hang together.
final class DecodeBenchTests: XCTestCase {
    private let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    func testStageBreakdownFitsInsideItsPassAndRatioIsOursOverPeer() throws {
        let bench = try ToolRunner("dcvc-bench", from: Self.self)
        let dir = NSTemporaryDirectory() + "decode-bench-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // Two 64x64 frames: a horizontal gradient with seeded noise (an 8x8 latent grid at f = 8).
        var rng = SplitMix64(seed: 15)
        let w = try Y4MWriter(path: dir + "/in.y4m", header: Y4MHeader(width: 64, height: 64, frameRate: FrameRate(25),
                                                                        chroma: .c420jpeg, colorRange: .limited))
        for _ in 0..<2 {
            try w.write(VideoFrame(width: 64, height: 64, format: .yuv420p,
                                   y: (0..<4096).map { UInt8(($0 % 64) * 3 + Int(rng.next() % 32)) },
                                   u: (0..<1024).map { _ in UInt8(112 + rng.next() % 32) },
                                   v: (0..<1024).map { _ in UInt8(112 + rng.next() % 32) }))
        }
        try w.close()
        let r = try bench.run(["decode", "--video", dir + "/in.y4m", "--frames", "2", "--repeat", "1", "--json",
                               "--weights", root.appendingPathComponent("weights").path])
        XCTAssertEqual(r.status, 0, r.err)
        let obj = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any], r.out)
        let stages = try XCTUnwrap(obj["stages_s_per_frame"] as? [String: Double])
        let pass = try XCTUnwrap(obj["stages_pass_s_per_frame"] as? Double)
        XCTAssertEqual(Set(stages.keys), ["container", "prior_network", "entropy", "synthesis", "output", "other"])
        XCTAssertTrue(stages.values.allSatisfy { $0 >= 0 }, "\(stages)")
        XCTAssertLessThanOrEqual(stages.values.reduce(0, +), pass * (1 + 1e-9), "\(stages)")
        XCTAssertGreaterThan(stages["synthesis"]!, 0)
        XCTAssertEqual(obj["index_prior"] as? String, "ctx-f8")
        XCTAssertEqual(obj["frames"] as? Int, 2)
        let ours = try XCTUnwrap(obj["ours_fps"] as? Double), peer = try XCTUnwrap(obj["peer_fps"] as? Double)
        XCTAssertGreaterThan(ours, 0)
        XCTAssertGreaterThan(try XCTUnwrap(obj["peer_bytes"] as? Int), 0)
        XCTAssertEqual(try XCTUnwrap(obj["ratio"] as? Double), ours / peer, accuracy: 1e-9 * ours / peer)
        XCTAssertEqual(try XCTUnwrap(obj["target_fraction"] as? Double), ours / 3, accuracy: 1e-12)
    }
}
