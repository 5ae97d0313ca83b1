import Foundation
import Models
import ModelsTraining
import Tensor
import TensorTraining

/// Hyper-parameters of hyperprior intra training.
public struct HyperpriorTrainOptions: StepOptions, Equatable, Sendable {
    public var steps = 20_000
    public var batch = 8
    /// Crop side (a multiple of 64).
    public var crop = 128
    /// Peak learning rate (cosine decay to a tenth). On the default model, 64 px crops, 250 steps
    /// reached 16.5 dB at 1e-3 against 12.9 dB at 3e-4 (a short probe, not a tuned value).
    public var lr: Float = 1e-3
    public var warmup = 100
    /// Steps over which the rate term's weight ramps linearly from 0 to 1. From scratch, the full
    /// rate at once collapses the latents onto their means (scales at the floor, nothing coded)
    /// before the synthesis has learnt to use them; under Adam the prior still learns at full
    /// speed from a down-weighted rate.
    public var rateWarmup = 500
    public var seed: UInt64 = 1
    public var gradClip: Float = 1.0

    public init() {}

    func validate() throws {
        guard crop % HyperpriorConfig.multiple == 0, crop > 0 else {
            throw HyperpriorConfigError(reason: "crop \(crop) is not a multiple of \(HyperpriorConfig.multiple)")
        }
        guard batch >= 1, steps >= 0, lr > 0, warmup >= 0, rateWarmup >= 0 else {
            throw HyperpriorConfigError(reason: "batch \(batch), steps \(steps), lr \(lr), warmup \(warmup), rate warmup \(rateWarmup)")
        }
    }
}

/// What one step measured, per sample (so a log can split them by rate point) and on average.
public struct HyperpriorStepResult {
    public var loss: Float
    /// Each sample's rate row, RGB PSNR of its reconstruction (clamped), and estimated bits per
    /// pixel of its latents + hyper-latents and of its hyper-latents alone.
    public var rows: [Int], psnr: [Float], bpp: [Float], bppHyper: [Float]
}

/// The hyperprior intra model's training state (weights, Adam, step, RNG) and its step: each
/// sample at its own rate point, loss the mean over samples of lambda * MSE + bpp.
public final class HyperpriorTrainer: CheckpointedTrainer {
    public typealias Options = HyperpriorTrainOptions
    public static let configKey = HyperpriorDecoder.configKey
    public let config: HyperpriorConfig
    public let options: HyperpriorTrainOptions
    public let network: HyperpriorNetwork
    public let params = ParameterSet()
    public let adam = Adam()
    public var step = 0
    public var rng: RNG

    public init(config: HyperpriorConfig, options: HyperpriorTrainOptions) throws {
        try config.validate(); try options.validate()
        self.config = config; self.options = options
        network = HyperpriorNetwork(config: config)
        rng = RNG(seed: options.seed)
        network.registerParameters(in: params, rng: &rng)
    }

    public static func restoring(configJSON: String, options: HyperpriorTrainOptions) throws -> HyperpriorTrainer {
        try HyperpriorTrainer(config: try HyperpriorConfig.parse(json: configJSON), options: options)
    }

    /// The configuration stored in a weight file written by `exportWeights` (or a checkpoint).
    public static func storedConfig(in file: SafeTensorsFile, path: String) throws -> HyperpriorConfig {
        guard let json = file.metadata[configKey] else {
            throw SafeTensorsError.malformed(path: path, reason: "no \(configKey) in __metadata__")
        }
        return try HyperpriorConfig.parse(json: json)
    }

    /// Starts from the weights of an exported model of the same configuration (a new run from
    /// trained weights: the optimizer state and step start afresh).
    public func loadWeights(from path: String) throws {
        let file = try SafeTensorsFile.read(from: path)
        let stored = try Self.storedConfig(in: file, path: path)
        guard stored == config else { throw HyperpriorConfigError(reason: "\(path) holds another configuration: \(stored.json)") }
        try params.load(file, path: path, allowExtra: true)
    }

    public var configJSON: String { config.json }
    public var trainedParameters: ParameterSet { params }

    /// Learning rate at the current step: linear warmup, cosine decay to a tenth.
    public var learningRate: Float {
        LRSchedule.warmupCosine(peak: options.lr, warmup: options.warmup, total: options.steps, floor: options.lr / 10).lr(at: step)
    }

    /// Weight of the rate term at the current step (1 after `options.rateWarmup` steps).
    public var rateWeight: Float {
        options.rateWarmup == 0 ? 1 : min(1, Float(step + 1) / Float(options.rateWarmup))
    }

    /// One optimisation step.
    @discardableResult
    public func trainStep(_ batch: HyperpriorBatch) -> HyperpriorStepResult {
        let (loss, r) = forward(batch)
        params.zeroGrad()
        loss.backward()
        clipGradNorm(params, maxNorm: options.gradClip)
        adam.update(params, lr: learningRate)
        step += 1
        return r
    }

    /// The loss on `batch` (the rate weighted by `rateWeight`) and what it measured (no parameter
    /// change; draws rate noise from `rng`).
    public func forward(_ batch: HyperpriorBatch) -> (Variable, HyperpriorStepResult) {
        let x = Variable(batch.images), rows = batch.rows
        let b = TrainingBackend(params: params)
        let y = network.analysis(x, rows: rows, b)
        let z = network.hyperAnalysis(y, b)
        let bitsZ = RateTerms.factorizedElementBits(RateTerms.noisy(z, rng: &rng), logScale: params[HyperpriorNetwork.hyperLogScale]!)
        let p = network.prior(Ops.roundStraightThrough(z), b)
        let res = y - p.mean
        let bitsY = RateTerms.gaussianBits(RateTerms.noisy(res, rng: &rng), scale: p.scale)
        let xhat = network.synthesis(Ops.roundStraightThrough(res) + p.mean, rows: rows, b)

        let n = x.shape[0], pixels = Float(x.shape[2] * x.shape[3])
        let lambdas = rows.map { Float(config.lambdas[$0]) }
        let rate = (Ops.sum(bitsY) + Ops.sum(bitsZ)) * (rateWeight / (pixels * Float(n)))
        let loss = InterDistortion.rgb.weighted(xhat, x, lambdas) + rate

        let perY = Self.perSample(bitsY.value), perZ = Self.perSample(bitsZ.value)
        let per = 3 * x.shape[2] * x.shape[3]
        let psnr = (0..<n).map { i in
            InterTrainer.psnr(Self.sample(xhat.value, i, per), Self.sample(batch.images, i, per))
        }
        return (loss, HyperpriorStepResult(loss: loss.value.item, rows: rows, psnr: psnr,
                                           bpp: (0..<n).map { (perY[$0] + perZ[$0]) / pixels },
                                           bppHyper: perZ.map { $0 / pixels }))
    }

    /// RGB PSNR and estimated bpp of `images` coded at rate point `rate` with real rounding (no
    /// noise, no draw from `rng`): the bits are those of the rounded symbols under the model's own
    /// densities, before the codec's table quantization.
    public func evaluate(_ images: Tensor, rate: Int) -> (psnr: Float, bpp: Float) {
        precondition(config.lambdas.indices.contains(rate), "rate index \(rate)")
        let b = TrainingBackend(params: params), rows = Array(repeating: rate, count: images.shape[0])
        let y = network.analysis(Variable(images), rows: rows, b).value
        let z = Variable(Self.rounded(network.hyperAnalysis(Variable(y), b).value))
        let p = network.prior(z, b)
        let q = Variable(Self.rounded((Variable(y) - p.mean).value))
        let bits = Ops.sum(RateTerms.gaussianBits(q, scale: p.scale)).value.item
            + RateTerms.factorizedBits(z, logScale: params[HyperpriorNetwork.hyperLogScale]!).value.item
        let xhat = network.synthesis(q + p.mean, rows: rows, b).value
        return (InterTrainer.psnr(xhat, images), bits / Float(images.shape[0] * images.shape[2] * images.shape[3]))
    }

    /// Rounded half to even, as the encoder rounds.
    static func rounded(_ t: Tensor) -> Tensor {
        var t = t
        for i in 0..<t.count { t.storage[i] = t.storage[i].rounded(.toNearestOrEven) }
        return t
    }

    /// Sums of [N, ...] over everything but the first axis.
    static func perSample(_ t: Tensor) -> [Float] {
        let per = t.count / t.shape[0]
        return (0..<t.shape[0]).map { i in t.storage[(i * per)..<((i + 1) * per)].reduce(0, +) }
    }

    /// Sample `i` of a batch whose samples hold `per` values each.
    static func sample(_ t: Tensor, _ i: Int, _ per: Int) -> Tensor {
        Tensor(shape: [per], storage: Array(t.storage[(i * per)..<((i + 1) * per)]))
    }
}

extension RateTerms {
    /// Elementwise bits of hyper-latents `z` [N, C, h, w] under per-channel zero-mean Gaussians of
    /// scale exp(logScale[c]) (`factorizedBits` before its sum, so bits can be split per sample).
    static func factorizedElementBits(_ z: Variable, logScale: Variable) -> Variable {
        let c = z.shape[1]
        precondition(logScale.shape == [c], "log-scale \(logScale.shape) for \(c) channels")
        let s = Ops.mul(Variable(Tensor(shape: z.shape, repeating: 1)), Ops.reshape(Ops.exp(logScale), [1, c, 1, 1]))
        return gaussianBits(z, scale: s)
    }
}
