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

    /// Backpropagates `samples`' loss and compares each named parameter's gradient with central
    /// differences at its `top` largest coordinates and `random` random ones.
    private func checkGradients(_ t: ContextPriorTrainer, _ samples: [ContextPriorTrainer.Sample], names: [String],
                                top: Int = 3, random: Int = 0, file: StaticString = #filePath, line: UInt = #line) {
        t.params.zeroGrad()
        t.loss(samples).backward()
        var rng = RNG(seed: 1)
        for name in names {
            let p = t.params[name]!
            let g = p.grad ?? Tensor(shape: p.shape, repeating: 0)
            let largest = g.storage.indices.sorted { abs(g.storage[$0]) > abs(g.storage[$1]) }.prefix(top)
            for i in Array(largest) + (0..<random).map({ _ in rng.int(below: p.value.count) }) {
                let old = p.value.storage[i], eps: Float = 1e-2
                p.value.storage[i] = old + eps
                let plus = Variable.noGrad { t.loss(samples).value.item }
                p.value.storage[i] = old - eps
                let minus = Variable.noGrad { t.loss(samples).value.item }
                p.value.storage[i] = old
                let numeric = (plus - minus) / (2 * eps)
                XCTAssertEqual(g.storage[i], numeric, accuracy: 2e-3 + 0.03 * abs(numeric), "\(name)[\(i)]",
                               file: file, line: line)
            }
        }
    }

    func testEmbeddingAndLossGradientsMatchFiniteDifferences() throws {
        let t = try trainer()
        let samples = t.batch(dataset(), step: 0).filter { $0.context.width == 8 && $0.context.height == 8 }
        XCTAssertFalse(samples.isEmpty)
        checkGradients(t, samples, names: [ContextPriorEmbedding.levelBiasName, ContextPriorEmbedding.sameName(1),
                                           ContextPriorEmbedding.lowerName(0), "prior.head.weight"], random: 3)
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

    /// Noise grids whose previous frame holds the same indices, except every 4th grid (no previous).
    private func repeatedNoise(seed: UInt64 = 10) -> TokenDataset {
        var rng = RNG(seed: seed)
        let grids = (0..<8).map { i -> TokenGrid in
            let planes = (0..<3).map { _ in (0..<(12 * 10)).map { _ in Int32(rng.int(below: 8)) } }
            return TokenGrid(width: 12, height: 10, planes: planes, previous: i % 4 == 3 ? nil : planes)
        }
        return TokenDataset(grids: grids, levels: 3, codebookSize: 8)
    }

    private func temporalTrainer(steps: Int = 300) throws -> ContextPriorTrainer {
        var c = config
        c.temporal = true
        var o = ContextPriorTrainOptions()
        o.steps = steps; o.batch = 8; o.crop = 8; o.lr = 1e-2; o.seed = 4
        return try ContextPriorTrainer(config: c, options: o)
    }

    func testTemporalPriorLearnsToCopyThePreviousFrame() throws {
        let data = repeatedNoise()
        let t = try temporalTrainer()
        // The previous-frame tables get gradients that match finite differences.
        let samples = t.batch(data, step: 0).filter { $0.context.width == 8 && $0.context.height == 8 && $0.context.previous != nil }
        XCTAssertFalse(samples.isEmpty)
        checkGradients(t, samples, names: Set(samples.map(\.context.level)).sorted().map(ContextPriorEmbedding.previousName))
        for _ in 0..<300 { t.trainStep(data) }
        let withPrevious = t.evaluate(TokenDataset(grids: data.grids.filter { $0.previous != nil }, levels: 3, codebookSize: 8))
        let without = t.evaluate(TokenDataset(grids: data.grids.filter { $0.previous == nil }, levels: 3, codebookSize: 8))
        XCTAssertTrue(withPrevious.allSatisfy { $0 < 1.0 }, "noise repeated from the previous frame is nearly free: \(withPrevious)")
        XCTAssertTrue(without.allSatisfy { $0 > 2.0 }, "noise without a previous frame stays far above it: \(without)")
        // A spatial prior's batches do not draw the extra random number.
        let spatial = try trainer()
        XCTAssertTrue(spatial.batch(data, step: 3).allSatisfy { $0.context.previous == nil })
        XCTAssertEqual(spatial.batch(data, step: 3).map(\.context.level), spatial.batch(dataset(), step: 3).map(\.context.level))
    }

    func testTokenDatasetKeepsPreviousFramesThroughItsFile() throws {
        let data = repeatedNoise()
        let path = NSTemporaryDirectory() + "tokens-\(UUID().uuidString).bin"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try data.save(to: path, key: "k")
        XCTAssertEqual(TokenDataset.load(from: path, key: "k"), data)
        XCTAssertNil(TokenDataset.load(from: path, key: "other"))
    }
}
