import Media
import XCTest
@testable import Evaluation

/// SSIM and MS-SSIM against pytorch-msssim 1.0.0 and skimage 0.19.3, values computed by
/// scripts/metric_references.py on MetricTestImages (identical 8-bit inputs on both sides).
///
/// We compute pytorch-msssim's algorithm with its Gaussian window evaluated in Double. Given that
/// window (its `win=` argument, in float64) pytorch-msssim agrees with us to ~1e-15; pinned at 1e-9.
/// skimage (Gaussian weights, σ 1.5, population covariance) crops the 5-sample border of its
/// reflect-padded map, which leaves exactly the valid map: also ~1e-15, pinned at 1e-9.
/// pytorch-msssim's default window is built in float32, which moves SSIM by ~3.5e-6 and MS-SSIM by
/// ~1.5e-6 on these images: pinned at 1e-5.
final class SSIMTests: XCTestCase {
    struct Reference {
        let name: String, width: Int, height: Int
        /// pytorch_msssim.ssim with the float64 window, with its default window, and skimage.
        let ssim: Double, ssimFloat32Window: Double, ssimSkimage: Double
        /// MS-SSIM (pytorch-msssim's loop, our scale rule) with the float64 and float32 windows.
        let msssim: Double, msssimFloat32Window: Double
        let scales: Int
    }

    static let references = [
        Reference(name: "large", width: 199, height: 193,
                  ssim: 0.5462473253992352, ssimFloat32Window: 0.546250199513374, ssimSkimage: 0.5462473253992354,
                  msssim: 0.9384375719487054, msssimFloat32Window: 0.9384380800697683, scales: 5),
        Reference(name: "qcif", width: 176, height: 144,
                  ssim: 0.5612462832455115, ssimFloat32Window: 0.5612489610916973, ssimSkimage: 0.5612462832455115,
                  msssim: 0.9307359076467931, msssimFloat32Window: 0.9307364470326726, scales: 4),
        Reference(name: "tiny", width: 40, height: 32,
                  ssim: 0.552073185803268, ssimFloat32Window: 0.5520766622698864, ssimSkimage: 0.5520731858032676,
                  msssim: 0.8399609175500222, msssimFloat32Window: 0.8399624673332767, scales: 2),
    ]

    func testSSIMMatchesPytorchMSSSIMAndSkimage() throws {
        for r in Self.references {
            let (a, b) = MetricTestImages.pair(r.width, r.height)
            let s = try ssim(a, b)
            XCTAssertEqual(s, r.ssim, accuracy: 1e-9, "\(r.name): SSIM vs pytorch_msssim.ssim (float64 window)")
            XCTAssertEqual(s, r.ssimSkimage, accuracy: 1e-9, "\(r.name): SSIM vs skimage")
            XCTAssertEqual(s, r.ssimFloat32Window, accuracy: 1e-5, "\(r.name): SSIM vs pytorch_msssim.ssim (default)")
        }
    }

    func testMSSSIMMatchesPytorchMSSSIM() throws {
        for r in Self.references {
            XCTAssertEqual(msssimScaleCount(width: r.width, height: r.height), r.scales, r.name)
            let (a, b) = MetricTestImages.pair(r.width, r.height)
            let m = try msssim(a, b)
            XCTAssertEqual(m, r.msssim, accuracy: 1e-9, "\(r.name): MS-SSIM (float64 window)")
            XCTAssertEqual(m, r.msssimFloat32Window, accuracy: 1e-5, "\(r.name): MS-SSIM (default window)")
        }
    }

    func testIdenticalImagesScoreOne() throws {
        let a = MetricTestImages.image(48, 40, MetricTestImages.reference)
        XCTAssertEqual(try ssim(a, a), 1, accuracy: 1e-12)
        XCTAssertEqual(try msssim(a, a), 1, accuracy: 1e-12)
        let flat = RGBPlanes(width: 11, height: 11, fill: (r: 0.5, g: 0.2, b: 0.9))
        XCTAssertEqual(try ssim(flat, flat), 1, accuracy: 1e-12)
    }

    func testSymmetric() throws {
        let (a, b) = MetricTestImages.pair(64, 50)
        XCTAssertEqual(try ssim(a, b), try ssim(b, a), accuracy: 1e-12)
        XCTAssertEqual(try msssim(a, b), try msssim(b, a), accuracy: 1e-12)
    }

    func testScaleRule() {
        // 5 scales exactly where pytorch-msssim allows them (shorter side > 160).
        XCTAssertEqual(msssimScaleCount(width: 161, height: 400), 5)
        XCTAssertEqual(msssimScaleCount(width: 400, height: 160), 4)
        XCTAssertEqual(msssimScaleCount(width: 1280, height: 720), 5)
        XCTAssertEqual(msssimScaleCount(width: 20, height: 20), 1)
        XCTAssertEqual(msssimScaleCount(width: 21, height: 21), 2)     // pools to 11x11
        XCTAssertEqual(msssimScaleCount(width: 10, height: 100), 0)
        XCTAssertEqual(msssimWeights(scales: 5), msssimStandardWeights)
        for n in 1...4 {
            let w = msssimWeights(scales: n)
            XCTAssertEqual(w.reduce(0, +), 1, accuracy: 1e-15)
            XCTAssertEqual(w[0] / msssimStandardWeights[0], w[n - 1] / msssimStandardWeights[n - 1], accuracy: 1e-12)
        }
    }

    func testAveragePoolMatchesPytorchPadding() {
        // 3x1 -> 2x1: padding 1 on each side of the odd axis, zeros counted in the divisor 4;
        // the even axis of 2 rows pools without padding.
        let p = MetricPlane(width: 3, height: 2, values: [4, 8, 12,
                                                          0, 4, 8])
        let q = averagePool2x2(p)
        XCTAssertEqual(q.width, 2); XCTAssertEqual(q.height, 1)
        let expected: [Double] = [(4.0 + 0.0) / 4, (8.0 + 12.0 + 4.0 + 8.0) / 4]
        XCTAssertEqual(q.values, expected)
    }

    func testMismatchedOrTooSmallImagesThrow() {
        let a = RGBPlanes(width: 32, height: 32, fill: (r: 0, g: 0, b: 0))
        let b = RGBPlanes(width: 32, height: 30, fill: (r: 0, g: 0, b: 0))
        XCTAssertThrowsError(try ssim(a, b)) { XCTAssertTrue("\($0)".contains("differ in size")) }
        XCTAssertThrowsError(try msssim(a, b)) { XCTAssertTrue("\($0)".contains("differ in size")) }
        let small = RGBPlanes(width: 10, height: 40, fill: (r: 0, g: 0, b: 0))
        XCTAssertThrowsError(try ssim(small, small)) { XCTAssertTrue("\($0)".contains("window")) }
        XCTAssertThrowsError(try msssim(small, small)) { XCTAssertTrue("\($0)".contains("window")) }
    }
}
