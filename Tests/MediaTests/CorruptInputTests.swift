import Foundation
import ToolTesting
import XCTest
import Media

/// Randomly damaged files: every reader either reads them or throws a MediaError naming the file.
/// Never a crash, never a hang. Fixed seeds, so a failure reproduces.
final class CorruptInputTests: XCTestCase {
    /// Writes `bytes` with a few random bytes overwritten and reads the result to the end.
    private func readDamaged(_ bytes: Data, at url: URL, flips: Int, rng: inout SplitMix64,
                             protectPrefix: Int = 0, open: (String) throws -> FrameSource) throws -> String {
        var damaged = bytes
        for _ in 0..<flips {
            let i = protectPrefix + Int(rng.next() % UInt64(damaged.count - protectPrefix))
            damaged[i] = UInt8(truncatingIfNeeded: rng.next())
        }
        if rng.next() % 4 == 0 { damaged = damaged.prefix(Int(rng.next() % UInt64(damaged.count))) }
        try damaged.write(to: url)
        do {
            let source = try open(url.path)
            var n = 0
            while let f = try source.nextFrame() {
                XCTAssertEqual(f.width, source.width)
                XCTAssertEqual(f.height, source.height)
                n += 1
                XCTAssertLessThan(n, 1000, "runaway reader")
                if n >= 1000 { break }
            }
            return "ok"
        } catch let e as MediaError {
            XCTAssertTrue(e.description.hasPrefix(url.path), "\(e)")
            return "error"
        }
    }

    func testDamagedY4M() throws {
        let dir = try makeTemporaryDirectory(self)
        let path = dir.appendingPathComponent("good.y4m").path
        let writer = try Y4MWriter(path: path, header: Y4MHeader(width: 10, height: 6, frameRate: FrameRate(25)))
        for i in 0..<4 { try writer.write(syntheticFrame(width: 10, height: 6, format: .yuv420p, index: i)) }
        try writer.close()
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        var rng = SplitMix64(seed: 42)
        var outcomes: [String: Int] = [:]
        for k in 0..<120 {
            let r = try readDamaged(bytes, at: dir.appendingPathComponent("d\(k).y4m"), flips: 1 + k % 3, rng: &rng) {
                try Y4MReader(path: $0)
            }
            outcomes[r, default: 0] += 1
        }
        // Most damage lands in pixels (still readable); header/marker damage must be caught.
        XCTAssertGreaterThan(outcomes["error", default: 0], 0)
        XCTAssertGreaterThan(outcomes["ok", default: 0], 0)
    }

    func testDamagedContainers() throws {
        let dir = try makeTemporaryDirectory(self)
        for (name, codec) in [("good.mkv", "ffv1"), ("good.avi", "mpeg4"), ("good.mp4", "mpeg4")] {
            let path = dir.appendingPathComponent(name).path
            try writeClip(path, codec: codec, count: 4, width: 24, height: 16)
            let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
            var rng = SplitMix64(seed: 7)
            for k in 0..<25 {
                _ = try readDamaged(bytes, at: dir.appendingPathComponent("d\(k)-\(name)"), flips: 1 + k % 4, rng: &rng) {
                    try VideoReader(path: $0)
                }
            }
        }
    }
}
