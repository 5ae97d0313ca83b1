import Media
import XCTest
@testable import Evaluation

final class PSNRTests: XCTestCase {
    func testKnownErrors() throws {
        let a = VideoFrame(width: 4, height: 4, format: .yuv420p, fill: (y: 100, u: 128, v: 128))
        var b = a
        b.y[0] = 116                       // one sample off by 16: MSE_Y = 256 / 16 = 16
        b.u[0] = 120                       // 2x2 chroma, one off by 8: MSE_U = 64 / 4 = 16
        let e = try PlaneErrors(a, b)
        XCTAssertEqual(e.y, 16); XCTAssertEqual(e.u, 16); XCTAssertEqual(e.v, 0)
        XCTAssertEqual(e.yuv, (6 * 16 + 16) / 8)
        XCTAssertEqual(psnr(mse: 16), 10 * log10(255.0 * 255 / 16), accuracy: 1e-12)
        XCTAssertEqual(psnr(mse: 0), 100)
    }

    func testSequenceAveragesMSENotPSNR() throws {
        let a = VideoFrame(width: 2, height: 2, format: .yuv420p, fill: (y: 0, u: 0, v: 0))
        var b = a, c = a
        b.y = [2, 2, 2, 2]   // MSE 4
        c.y = [6, 6, 6, 6]   // MSE 36
        var s = SequencePSNR()
        s.add(try PlaneErrors(a, b)); s.add(try PlaneErrors(a, c))
        XCTAssertEqual(s.frames, 2)
        XCTAssertEqual(s.y, psnr(mse: 20), accuracy: 1e-12)
    }

    func testMismatchedFramesAreAnError() {
        let a = VideoFrame(width: 2, height: 2, format: .yuv420p, fill: (y: 0, u: 0, v: 0))
        let b = VideoFrame(width: 4, height: 2, format: .yuv420p, fill: (y: 0, u: 0, v: 0))
        XCTAssertThrowsError(try PlaneErrors(a, b))
    }
}
