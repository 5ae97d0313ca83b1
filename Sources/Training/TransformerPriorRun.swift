import Foundation
import Models
import Tensor

/// `dcvc-train prior-transformer` for `TrainingDriver`: random crops of the token grids; each log
/// row has the bits per index since the previous row, overall and per level.
public final class TransformerPriorRun: Trainable {
    public let trainer: TransformerPriorTrainer
    let data: TokenDataset
    var sum = 0.0, n = 0
    var levelBits: [Double], levelCount: [Int]

    public init(trainer: TransformerPriorTrainer, data: TokenDataset) {
        self.trainer = trainer
        self.data = data
        levelBits = [Double](repeating: 0, count: trainer.config.levels)
        levelCount = [Int](repeating: 0, count: trainer.config.levels)
    }

    public var logColumns: [String] { ["bits"] + (0..<trainer.config.levels).map { "bits_l\($0)" } }

    public func trainStep() throws -> Double {
        let r = trainer.trainStep(trainer.sample(data))
        sum += r.bits; n += 1
        for l in 0..<levelBits.count { levelBits[l] += r.levelBits[l]; levelCount[l] += r.levelCount[l] }
        return r.bits
    }

    public func logRow() -> [String] {
        let row = [String(format: "%.4f", sum / Double(max(n, 1)))]
            + zip(levelBits, levelCount).map { $1 > 0 ? String(format: "%.4f", $0 / Double($1)) : "" }
        sum = 0; n = 0
        levelBits = levelBits.map { _ in 0 }; levelCount = levelCount.map { _ in 0 }
        return row
    }
}
