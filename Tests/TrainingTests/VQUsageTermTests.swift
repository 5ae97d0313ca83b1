import Foundation
import Models
import Tensor
import TensorTraining
import Training
import XCTest

/// The level-0 usage term (`VQTrainer+Usage.swift`).
final class VQUsageTermTests: XCTestCase {
    override func setUp() { TrainingKernels.threads = 1 }

    func usageTrainer(weight: Float?, steps: Int = 30) throws -> VQTrainer {
        let t = try tinyTrainer(steps: steps)
        var o = t.options
        o.usageWeight = weight
        // The tiny model's 16 codes in 4 dimensions are far apart: at the default τ (0.02) the
        // soft assignment is one-hot and carries no gradient, at 0.5 an image's 16 positions
        // are already near the ln 16 maximum. A high rate so that 30 steps show the effect.
        o.usageTemperature = 0.2
        o.lr = 5e-3
        return try VQTrainer(config: t.config, options: o)
    }

    /// A random l2-normalised latent [2, 4, 3, 3] for a trainer whose codebooks are initialised.
    func latent(seed: UInt64) -> Tensor {
        var rng = RNG(seed: seed)
        var z = Tensor(shape: [2, 4, 3, 3], storage: (0..<72).map { _ in rng.normal() })
        for n in 0..<2 { for p in 0..<9 {
            let norm = (0..<4).map { z.storage[n * 36 + $0 * 9 + p] }.reduce(0) { $0 + $1 * $1 }.squareRoot()
            for c in 0..<4 { z.storage[n * 36 + c * 9 + p] /= norm }
        } }
        return z
    }

    func initialisedTrainer() throws -> VQTrainer {
        let t = try usageTrainer(weight: 1)
        t.trainStep(BatchSampler(pool: syntheticPool(), batch: 2, crop: 32, seed: 3).batch(step: 0))
        return t
    }

    func testEntropiesAreBoundedAndTheImageMarginalIsTheLarger() throws {
        let t = try initialisedTrainer()
        let u = t.usageTerm(Variable(latent(seed: 1)))
        // H(mean p) >= mean H(p) (concavity), both in [0, log K].
        XCTAssertGreaterThanOrEqual(u.positionEntropy, 0)
        XCTAssertGreaterThanOrEqual(u.imageEntropy, u.positionEntropy)
        XCTAssertLessThanOrEqual(u.imageEntropy, Float(Foundation.log(16.0)) + 1e-5)
        XCTAssertEqual(u.loss.value.item, -u.imageEntropy, accuracy: 1e-6)
    }

    func testGradientMatchesFiniteDifferences() throws {
        let t = try initialisedTrainer()
        let z0 = latent(seed: 2)
        let z = Variable(z0, requiresGrad: true)
        t.usageTerm(z).loss.backward()
        let grad = try XCTUnwrap(z.grad)
        let eps: Float = 1e-3
        for i in stride(from: 0, to: z0.count, by: 7) {
            var plus = z0, minus = z0
            plus.storage[i] += eps; minus.storage[i] -= eps
            let numeric = (t.usageTerm(Variable(plus)).loss.value.item - t.usageTerm(Variable(minus)).loss.value.item) / (2 * eps)
            XCTAssertEqual(grad.storage[i], numeric, accuracy: 2e-2 * max(1, abs(numeric)), "element \(i)")
        }
    }

    func testTrainingWithTheTermRaisesEachImagesCodeEntropy() throws {
        let sampler = BatchSampler(pool: syntheticPool(), batch: 2, crop: 32, seed: 3)
        func imageEntropyAfterTraining(weight: Float?) throws -> Float {
            let t = try usageTrainer(weight: weight)
            for s in 0..<30 { t.trainStep(sampler.batch(step: s)) }
            return t.usageTerm(t.latent(Variable(sampler.batch(step: 100)))).imageEntropy
        }
        let without = try imageEntropyAfterTraining(weight: nil)
        let with = try imageEntropyAfterTraining(weight: 1)
        XCTAssertGreaterThan(with, without + 0.1, "per-image entropy \(with) nats with the term, \(without) without")
    }

    func testFidelityRecipeLossIsUnchangedWithoutTheTerm() throws {
        // No usage weight: the step's loss is the fidelity recipe's (nll + β commit) and no
        // entropies are reported.
        let t = try usageTrainer(weight: nil)
        let r = t.trainStep(BatchSampler(pool: syntheticPool(), batch: 2, crop: 32, seed: 3).batch(step: 0))
        XCTAssertEqual(r.positionEntropy, 0)
        XCTAssertEqual(r.imageEntropy, 0)
        let expected = r.reconstruction + t.options.msssimWeight * (1 - r.msssim) + t.options.commitment * r.commitment
        XCTAssertEqual(r.loss, expected, accuracy: 1e-5)
    }

    func testNegativeWeightOrTemperatureIsRefused() throws {
        let base = try tinyTrainer()
        for (w, tau) in [(Float(-1), Float?.none), (Float(1), Float(0))] {
            var o = base.options
            o.usageWeight = w; o.usageTemperature = tau
            XCTAssertThrowsError(try VQTrainer(config: base.config, options: o))
        }
    }
}
