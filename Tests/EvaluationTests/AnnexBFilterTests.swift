import Foundation
import Media
import XCTest
@testable import Evaluation

final class AnnexBFilterTests: XCTestCase {
    func testRemovesOnlyUserDataSEI() {
        let sps: [UInt8] = [0, 0, 0, 1, 0x67, 1, 2, 3]
        let info: [UInt8] = [0, 0, 1, 0x06, 0x05, 0x10, 9, 9, 9]     // SEI, payload type 5
        let recovery: [UInt8] = [0, 0, 1, 0x06, 0x06, 0x01, 0x80]   // SEI, payload type 6: kept
        let idr: [UInt8] = [0, 0, 0, 1, 0x65, 0x88, 0x84]
        XCTAssertEqual(AnnexBFilter.removingInfoSEI(sps + info + recovery + idr, codec: .h264), sps + recovery + idr)
        // HEVC prefix SEI (type 39) with payload type 5; a slice (type 19) stays.
        let hevcInfo: [UInt8] = [0, 0, 0, 1, 0x4E, 0x01, 0x05, 0x02, 7, 7]
        let hevcSlice: [UInt8] = [0, 0, 0, 1, 0x26, 0x01, 0xAF]
        XCTAssertEqual(AnnexBFilter.removingInfoSEI(hevcInfo + hevcSlice, codec: .hevc), hevcSlice)
        // Payload type 5 + 255 = 260 is not type 5.
        let long: [UInt8] = [0, 0, 1, 0x06, 0xFF, 0x05, 0x01, 0]
        XCTAssertEqual(AnnexBFilter.removingInfoSEI(long + idr, codec: .h264), long + idr)
        XCTAssertEqual(AnnexBFilter.removingInfoSEI([1, 2, 3], codec: .h264), [1, 2, 3])
    }

    /// A real x264 stream loses its version SEI and still decodes to the same pictures.
    func testX264StreamDecodesTheSameWithoutItsSEI() throws {
        guard VideoWriter.isEncoderAvailable("libx264") else { throw XCTSkip("no libx264 in this FFmpeg build") }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("annexb-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let a = dir.appendingPathComponent("a.h264").path, b = dir.appendingPathComponent("b.h264").path
        let w = try VideoWriter(path: a, codec: "libx264", width: 32, height: 32, frameRate: FrameRate(25),
                                options: ["preset": "medium", "tune": "zerolatency", "crf": "30", "g": "1"])
        for t in 0..<3 {
            var f = VideoFrame(width: 32, height: 32, format: .yuv420p, fill: (y: 80, u: 120, v: 140), index: t)
            for i in 0..<f.y.count { f.y[i] = UInt8((i * 7 + t * 13) % 200 + 16) }
            try w.write(f)
        }
        let stats = try w.finish()
        let original = [UInt8](try Data(contentsOf: URL(fileURLWithPath: a)))
        XCTAssertEqual(original.count, stats.packetBytes)
        let filtered = AnnexBFilter.removingInfoSEI(original, codec: .h264)
        XCTAssertGreaterThan(original.count - filtered.count, 300)
        try Data(filtered).write(to: URL(fileURLWithPath: b))
        let ra = try VideoReader(path: a), rb = try VideoReader(path: b)
        var n = 0
        while let fa = try ra.nextFrame() {
            let fb = try XCTUnwrap(try rb.nextFrame())
            XCTAssertEqual(fa.y, fb.y); XCTAssertEqual(fa.u, fb.u); XCTAssertEqual(fa.v, fb.v)
            n += 1
        }
        XCTAssertEqual(n, 3)
        XCTAssertNil(try rb.nextFrame())
    }
}
