import Foundation
import Models
import ModelsTraining
import Tensor
import TensorTraining

/// Options of a context-prior training run (stored in checkpoints).
public struct ContextPriorTrainOptions: StepOptions, Equatable, Sendable {
    public var steps = 3000
    public var batch = 16
    /// Side of the square token crops, in latent positions.
    public var crop = 16
    public var lr: Float = 2e-3
    public var seed: UInt64 = 1
    public init() {}
}

/// Trains the context index prior on a `TokenDataset`: each sample is a random crop of a random
/// grid, a random level and a random pass; the loss is the cross-entropy of the indices coded in
/// that pass given everything coded before it (lower levels, earlier passes). A temporal prior
/// also sees the previous frame's plane of the level where the grid has one, except in a quarter
/// of the samples (drawn at random), so it also learns to code a stream's first I-frame.
public final class ContextPriorTrainer {
    public let config: ContextPriorConfig
    public let options: ContextPriorTrainOptions
    public let network: ContextPriorNetwork
    public let params = ParameterSet()
    public let adam = Adam()
    public var step = 0
    public var rng: RNG

    public init(config: ContextPriorConfig, options: ContextPriorTrainOptions) throws {
        try config.validate()
        self.config = config; self.options = options
        network = ContextPriorNetwork(config: config)
        rng = RNG(seed: options.seed)
        network.registerParameters(in: params, rng: &rng)
    }

    public var learningRate: Float {
        LRSchedule.warmupCosine(peak: options.lr, warmup: min(200, options.steps / 10), total: options.steps,
                                floor: options.lr * 0.02).lr(at: step)
    }

    /// One sample: a context plus the indices (targets) and which positions the pass codes.
    struct Sample {
        var context: ContextPriorEmbedding.Context
        var targets: [Int32]
        var mask: [Bool]
    }

    /// Share of temporal samples drawn without their previous frame.
    static let previousDropRate: Float = 0.25

    /// A crop of `grid` at (x0, y0), `side` square, for `level` and `pass`; with `usePrevious`
    /// (temporal priors) the previous frame's plane where the grid has one.
    func sample(_ grid: TokenGrid, x0: Int, y0: Int, w: Int, h: Int, level: Int, pass: Int,
                usePrevious: Bool = true) -> Sample {
        func crop(_ plane: [Int32]) -> [Int32] {
            var out = [Int32](repeating: 0, count: w * h)
            for y in 0..<h { for x in 0..<w { out[y * w + x] = plane[(y0 + y) * grid.width + x0 + x] } }
            return out
        }
        let same = crop(grid.planes[level])
        var mask = [Bool](repeating: false, count: w * h)
        // The pass pattern is anchored at the grid's origin, as in the codec.
        for y in 0..<h { for x in 0..<w { mask[y * w + x] = config.pass(x: x0 + x, y: y0 + y, level: level) == pass } }
        let ctx = ContextPriorEmbedding.Context(level: level, pass: pass, width: w, height: h,
                                                lower: (0..<level).map { crop(grid.planes[$0]) }, same: same,
                                                previous: config.temporal && usePrevious
                                                    ? grid.previous.map { crop($0[level]) } : nil)
        return Sample(context: ctx, targets: same, mask: mask)
    }

    /// Batch number `step`: depends only on (seed, step). Crops start at even offsets so the
    /// pass pattern inside a crop is the grid's.
    func batch(_ data: TokenDataset, step: Int) -> [Sample] {
        var r = RNG(seed: options.seed ^ (UInt64(step) &* 0x9E37_79B9_7F4A_7C15))
        let side = options.crop
        return (0..<options.batch).map { _ in
            let g = data.grids[r.int(below: data.grids.count)]
            let w = max(1, min(side, g.width) & ~1), h = max(1, min(side, g.height) & ~1)
            let x0 = r.int(below: (g.width - w) / 2 + 1) * 2, y0 = r.int(below: (g.height - h) / 2 + 1) * 2
            let level = r.int(below: config.levels)
            let pass = r.int(below: config.passCount(level: level))
            // Drawn only for temporal priors, so a spatial prior's batches are what they always were.
            let usePrevious = config.temporal && r.uniform() >= Self.previousDropRate
            return sample(g, x0: x0, y0: y0, w: w, h: h, level: level, pass: pass, usePrevious: usePrevious)
        }
    }

    /// Cross-entropy (nats per coded index) of one batch of same-size samples.
    func loss(_ samples: [Sample]) -> Variable {
        let h0 = ContextPriorEmbedding.forward(samples.map(\.context), config: config, params: params)
        let logits = network.trunk(h0, TrainingBackend(params: params))
        return Ops.maskedCrossEntropy(logits, targets: samples.flatMap(\.targets), mask: samples.flatMap(\.mask))
    }

    /// One optimisation step; returns the batch's cross-entropy in bits per index.
    @discardableResult
    public func trainStep(_ data: TokenDataset) -> Float {
        let samples = batch(data, step: step)
        // Crops of one batch can differ in size (small grids): group by size.
        let groups = Dictionary(grouping: samples) { "\($0.context.width)x\($0.context.height)" }
        params.zeroGrad()
        var total: Float = 0
        for (_, g) in groups.sorted(by: { $0.key < $1.key }) {
            let l = loss(g)
            let weight = Float(g.count) / Float(samples.count)
            l.backward(seed: .scalar(weight))
            total += l.value.item * weight
        }
        clipGradNorm(params, maxNorm: 1)
        adam.update(params, lr: learningRate)
        step += 1
        return total / Float(M_LN2)
    }

    /// Cross-entropy estimate, bits per index per level, on whole grids (every pass of every
    /// level; a temporal prior with the previous frame where the grid has one): `maxGrids` grids
    /// spread evenly over `data` (so every source is represented). A diagnostic: the real figure
    /// comes from coded bytes.
    public func evaluate(_ data: TokenDataset, maxGrids: Int = 8) -> [Double] {
        var bits = [Double](repeating: 0, count: config.levels), counts = [Int](repeating: 0, count: config.levels)
        let n = data.grids.count, picks = min(maxGrids, n)
        let grids = (0..<picks).map { data.grids[$0 * n / picks] }
        Variable.noGrad {
            for g in grids {
                for level in 0..<config.levels {
                    for pass in 0..<config.passCount(level: level) {
                        let s = sample(g, x0: 0, y0: 0, w: g.width, h: g.height, level: level, pass: pass)
                        let n = s.mask.reduce(0) { $0 + ($1 ? 1 : 0) }
                        bits[level] += Double(loss([s]).value.item) / M_LN2 * Double(n)
                        counts[level] += n
                    }
                }
            }
        }
        return zip(bits, counts).map { $0 / Double(max($1, 1)) }
    }

    /// The shipped weights with the configuration in `__metadata__`.
    public func exportWeights(extra: [String: String] = [:]) -> SafeTensorsFile {
        var file = SafeTensorsFile()
        for spec in network.weightSpecs() { file.tensors[spec.name] = SafeTensor(params[spec.name]!.value) }
        file.metadata = [ContextPriorConfig.metadataKey: config.json, "trained_steps": String(step),
                         "format": "dcvc-context-prior-1"].merging(extra) { a, _ in a }
        return file
    }
}

extension ContextPriorTrainer: CheckpointedTrainer {
    public static var configKey: String { ContextPriorConfig.metadataKey }
    public static func restoring(configJSON: String, options: ContextPriorTrainOptions) throws -> Self {
        try Self(config: try ContextPriorConfig.parse(json: configJSON), options: options)
    }
    public var configJSON: String { config.json }
    public var trainedParameters: ParameterSet { params }
}
