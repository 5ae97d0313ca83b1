import Foundation
import Models
import ModelsTraining
import Tensor
import TensorTraining

/// Options of a transformer-prior training run (stored in its checkpoints).
public struct TransformerPriorOptions: StepOptions, Equatable, Sendable {
    public var steps = 4000
    public var batch = 16
    /// Crop side in token positions.
    public var crop = 16
    public var lr: Float = 1e-3
    public var warmup = 200
    public var seed: UInt64 = 1
    public init() {}
}

/// One training state of the transformer prior: network, Adam, RNG and step. A step draws
/// `batch` random `crop x crop` windows of random grids, each at a random level, and minimises
/// the mean cross-entropy of the indices.
public final class TransformerPriorTrainer {
    public let network: IndexTransformer
    public let options: TransformerPriorOptions
    public let adam = Adam()
    public var rng: RNG
    public var step = 0

    public init(config: IndexTransformerConfig, options: TransformerPriorOptions) throws {
        var r = RNG(seed: options.seed)
        network = try IndexTransformer(config: config, rng: &r)
        self.options = options
        rng = r
    }

    public var config: IndexTransformerConfig { network.config }

    public var learningRate: Float {
        LRSchedule.warmupCosine(peak: options.lr, warmup: options.warmup, total: options.steps, floor: options.lr * 0.05)
            .lr(at: step)
    }

    /// A random batch from `data` (grids smaller than the crop are never drawn).
    public func sample(_ data: TokenDataset) -> IndexTransformerBatch {
        let c = options.crop
        let usable = data.grids.indices.filter { data.grids[$0].width >= c && data.grids[$0].height >= c }
        precondition(!usable.isEmpty, "no token grid of at least \(c)x\(c)")
        var levels: [Int] = [], planes: [[[Int32]]] = []
        for _ in 0..<options.batch {
            let g = data.grids[usable[rng.int(below: usable.count)]]
            let l = rng.int(below: config.levels)
            let x0 = rng.int(below: g.width - c + 1), y0 = rng.int(below: g.height - c + 1)
            var crop: [[Int32]] = []
            for m in 0...l {
                var p = [Int32](repeating: 0, count: c * c)
                for y in 0..<c { for x in 0..<c { p[y * c + x] = g.planes[m][(y0 + y) * g.width + x0 + x] } }
                crop.append(p)
            }
            levels.append(l); planes.append(crop)
        }
        return IndexTransformerBatch(config: config, height: c, width: c, levels: levels, planes: planes)
    }

    /// Result of one step: mean bits per index, and bits summed / positions counted per level.
    public struct StepResult {
        public var bits: Double
        public var levelBits: [Double], levelCount: [Int]
    }

    /// One Adam step on `batch`.
    public func trainStep(_ batch: IndexTransformerBatch) -> StepResult {
        let lr = learningRate
        network.params.zeroGrad()
        let logits = network.logits(batch)
        let loss = Ops.crossEntropy(logits, targets: batch.targets)
        loss.backward()
        clipGradNorm(network.params, maxNorm: 1)
        adam.update(network.params, lr: lr)
        step += 1
        let r = Self.bitsPerLevel(logits: logits.value, batch: batch, levels: config.levels)
        return StepResult(bits: Double(loss.value.item) / Foundation.log(2), levelBits: r.bits, levelCount: r.count)
    }

    /// Cross-entropy in bits of each position, summed per level.
    public static func bitsPerLevel(logits: Tensor, batch: IndexTransformerBatch, levels: Int) -> (bits: [Double], count: [Int]) {
        let k = logits.shape.last!, hw = batch.height * batch.width
        var bits = [Double](repeating: 0, count: levels), count = [Int](repeating: 0, count: levels)
        logits.storage.withUnsafeBufferPointer { lg in
            for i in 0..<batch.targets.count {
                let row = lg.baseAddress! + i * k
                var m = -Float.infinity
                for j in 0..<k { m = max(m, row[j]) }
                var s = 0.0
                for j in 0..<k { s += Foundation.exp(Double(row[j] - m)) }
                let l = batch.levels[i / hw]
                bits[l] += (Foundation.log(s) - Double(row[batch.targets[i]] - m)) / Foundation.log(2)
                count[l] += 1
            }
        }
        return (bits, count)
    }
}

extension TransformerPriorTrainer: CheckpointedTrainer {
    public static var configKey: String { IndexTransformerConfig.metadataKey }
    public static func restoring(configJSON: String, options: TransformerPriorOptions) throws -> Self {
        try Self(config: try IndexTransformerConfig.parse(json: configJSON), options: options)
    }
    public var configJSON: String { config.json }
    public var trainedParameters: ParameterSet { network.params }
}
