import Foundation
import Media
import Tensor
import TensorTraining
import XCTest
@testable import Evaluation

/// The perceptual training loss (`LPIPSAlex.loss`, float32, differentiable) against the LPIPS
/// metric (`LPIPSModel.distance`, layer terms in double) with the real weights: the same network,
/// so the values agree to float rounding. Measured differences are below 1e-7 (relative 3e-6).
final class LPIPSLossTests: XCTestCase {
    func tensor(_ images: [RGBPlanes]) -> Tensor {
        let (w, h) = (images[0].width, images[0].height)
        return Tensor(shape: [images.count, 3, h, w], storage: images.flatMap(\.data))
    }

    func testLossMatchesTheMetric() throws {
        let path = LPIPSTests.weightsPath
        guard FileManager.default.fileExists(atPath: path) else {
            throw XCTSkip("LPIPS weights absent at \(path): run `make lpips` to test the perceptual loss")
        }
        let metric = try LPIPSModel(path: path), network = try LPIPSAlex(path: path)
        let (w, h) = (64, 48)
        let refs = [MetricTestImages.image(w, h, MetricTestImages.reference), MetricTestImages.image(w, h, MetricTestImages.far),
                    MetricTestImages.image(w, h, MetricTestImages.distorted)]
        let others = [MetricTestImages.image(w, h, MetricTestImages.distorted), MetricTestImages.image(w, h, MetricTestImages.reference),
                      MetricTestImages.image(w, h, MetricTestImages.far)]
        var expected = 0.0
        for (a, b) in zip(others, refs) {
            let d = try metric.distance(a, b)
            expected += d
            let one = network.loss(Variable(tensor([a])), target: tensor([b])).value.item
            XCTAssertEqual(Double(one), d, accuracy: 2e-6 * max(d, 0.01))
        }
        // The loss of a batch is the mean of its samples' distances, with a gradient to the input.
        let x = Variable(tensor(others), requiresGrad: true)
        let loss = network.loss(x, target: tensor(refs))
        XCTAssertEqual(Double(loss.value.item), expected / 3, accuracy: 2e-6 * expected / 3)
        loss.backward()
        XCTAssertEqual(x.grad?.shape, [3, 3, h, w])
        XCTAssertTrue(x.grad!.storage.allSatisfy(\.isFinite))
        XCTAssertGreaterThan(x.grad!.storage.map(abs).max()!, 0)
    }
}
