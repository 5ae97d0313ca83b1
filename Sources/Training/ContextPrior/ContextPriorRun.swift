import Foundation
import Models
import Tensor

/// `dcvc-train prior` for `TrainingDriver`: each log row has the training cross-entropy in bits
/// per index since the previous row and, every `evalEvery` steps and at the last step, the bits
/// per level on the held-out grids.
public final class ContextPriorRun: Trainable {
    public let trainer: ContextPriorTrainer
    let train: TokenDataset, held: TokenDataset
    public var evalEvery = 500
    var sum = 0.0, n = 0

    public init(trainer: ContextPriorTrainer, train: TokenDataset, held: TokenDataset) {
        self.trainer = trainer
        self.train = train
        self.held = held
    }

    public var logColumns: [String] {
        ["bits"] + (0..<trainer.config.levels).map { "held_bits_l\($0)" } + ["held_bits_mean"]
    }

    public func trainStep() throws -> Double {
        let bits = Double(trainer.trainStep(train))
        sum += bits; n += 1
        return bits
    }

    public func logRow() -> [String] {
        let L = trainer.config.levels
        var row = [String(format: "%.4f", sum / Double(max(n, 1)))]
        sum = 0; n = 0
        if trainer.step % max(1, evalEvery) == 0 || trainer.step == trainer.options.steps {
            let bits = trainer.evaluate(held)
            row += (bits + [bits.reduce(0, +) / Double(L)]).map { String(format: "%.4f", $0) }
        } else {
            row += Array(repeating: "", count: L + 1)
        }
        return row
    }
}
