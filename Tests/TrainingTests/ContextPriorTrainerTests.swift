import Foundation
import Models
import Tensor
import TensorTraining
@testable import Training
import XCTest

final class ContextPriorTrainerTests: XCTestCase {
    override func setUp() { TrainingKernels.threads = 1 }

    private let config = ContextPriorConfig(levels: 3, codebookSize: 8, hidden: 8, blocks: 1, passes: 4, upperPasses: 2)

    /// Grids with structure a prior can learn: level 0 is constant along rows, level 1 copies
    /// level 0, level 2 is noise.
    private func dataset(seed: UInt64 = 9) -> TokenDataset {
        var rng = RNG(seed: seed)
        let grids = (0..<6).map { _ -> TokenGrid in
            let w = 12, h = 10
            let rows = (0..<h).map { _ in Int32(rng.int(below: 8)) }
            let l0 = (0..<(w * h)).map { rows[$0 / w] }
            let l2 = (0..<(w * h)).map { _ in Int32(rng.int(below: 8)) }
            return TokenGrid(width: w, height: h, planes: [l0, l0, l2])
        }
        return TokenDataset(grids: grids, levels: 3, codebookSize: 8)
    }

    private func trainer(steps: Int = 300) throws -> ContextPriorTrainer {
        var o = ContextPriorTrainOptions()
        o.steps = steps; o.batch = 8; o.crop = 8; o.lr = 1e-2; o.seed = 4
        return try ContextPriorTrainer(config: config, options: o)
    }

    func testEmbeddingAndLossGradientsMatchFiniteDifferences() throws {
        let t = try trainer()
        let data = dataset()
        let samples = t.batch(data, step: 0).filter { $0.context.width == 8 && $0.context.height == 8 }
        XCTAssertFalse(samples.isEmpty)
        t.params.zeroGrad()
        let loss = t.loss(samples)
        loss.backward()
        var rng = RNG(seed: 1)
        for name in [ContextPriorEmbedding.levelBiasName, ContextPriorEmbedding.sameName(1),
                     ContextPriorEmbedding.lowerName(0), "prior.head.weight"] {
            let p = t.params[name]!
            let g = p.grad ?? Tensor(shape: p.shape, repeating: 0)
            // Check the coordinates with the largest gradients and a few random ones.
            let top = g.storage.indices.sorted { abs(g.storage[$0]) > abs(g.storage[$1]) }.prefix(3)
            for i in Array(top) + (0..<3).map({ _ in rng.int(below: p.value.count) }) {
                let old = p.value.storage[i], eps: Float = 1e-2
                p.value.storage[i] = old + eps
                let plus = Variable.noGrad { t.loss(samples).value.item }
                p.value.storage[i] = old - eps
                let minus = Variable.noGrad { t.loss(samples).value.item }
                p.value.storage[i] = old
                let numeric = (plus - minus) / (2 * eps)
                XCTAssertEqual(g.storage[i], numeric, accuracy: 2e-3 + 0.03 * abs(numeric), "\(name)[\(i)]")
            }
        }
    }

    func testTrainingLearnsTheStructureAndResumeIsExact() throws {
        let data = dataset()
        let t = try trainer()
        let before = t.evaluate(data)
        XCTAssertEqual(before[0], 3, accuracy: 0.3, "an untrained prior costs about log2 K = 3 bits")
        for _ in 0..<300 { t.trainStep(data) }
        let after = t.evaluate(data)
        XCTAssertLessThan(after[1], 1.0, "level 1 copies level 0: nearly free given the lower level")
        XCTAssertLessThan(after[0], 2.2, "level 0 is constant along rows")
        XCTAssertGreaterThan(after[2], 2.5, "noise stays near log2 K")

        // A run stopped after 150 steps and resumed from its checkpoint ends where an
        // uninterrupted run ends.
        let dir = NSTemporaryDirectory() + "ctxprior-train-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let first = try trainer()
        for _ in 0..<150 { first.trainStep(data) }
        let path = try RunCheckpoints.save(first, runDir: dir, elapsed: 1)
        let (resumed, elapsed) = try RunCheckpoints.restore(path, as: ContextPriorTrainer.self)
        XCTAssertEqual(elapsed, 1)
        for _ in 150..<300 { resumed.trainStep(data) }
        for name in t.params.names { XCTAssertEqual(resumed.params[name]!.value, t.params[name]!.value, name) }
    }
}
