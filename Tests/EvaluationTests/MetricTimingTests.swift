import Foundation
import Media
import XCTest
@testable import Evaluation

/// Opt-in timing of the metrics on one 1280x720 frame pair: DCVC_METRIC_TIMING=1 swift test
/// --filter MetricTimingTests. Prints seconds per call (median of 3).
final class MetricTimingTests: XCTestCase {
    func testTiming720p() throws {
        guard ProcessInfo.processInfo.environment["DCVC_METRIC_TIMING"] == "1" else {
            throw XCTSkip("set DCVC_METRIC_TIMING=1 to time SSIM, MS-SSIM and LPIPS on 1280x720")
        }
        let (a, b) = MetricTestImages.pair(1280, 720)
        func time(_ label: String, _ body: () throws -> Double) rethrows {
            var times: [Double] = []
            var value = 0.0
            for _ in 0..<3 {
                let t0 = DispatchTime.now().uptimeNanoseconds
                value = try body()
                times.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
            }
            print(String(format: "1280x720 %@: %.3f s (median of 3), value %.6f", label, times.sorted()[1], value))
        }
        try time("ssim") { try ssim(a, b) }
        try time("msssim") { try msssim(a, b) }
        let path = LPIPSTests.weightsPath
        if FileManager.default.fileExists(atPath: path) {
            let model = try LPIPSModel(path: path)
            try time("lpips") { try model.distance(a, b) }
        }
    }
}
