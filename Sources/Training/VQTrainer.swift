import Foundation
import Models
import ModelsTraining
import Tensor
import TensorTraining

/// Hyper-parameters of tokenizer training.
public struct VQTrainOptions: Codable, Equatable, Sendable {
    public var steps = 3000
    public var batch = 8
    public var crop = 128
    public var lr: Float = 4e-4
    public var warmup = 100
    public var seed: UInt64 = 1
    /// Reconstruction loss, a `ReconstructionLoss` raw value (a string, so that every
    /// checkpoint's options decode; an unknown one is refused when the trainer is built).
    public var reconstruction = ReconstructionLoss.l1.rawValue
    /// Weight of (1 - MS-SSIM).
    public var msssimWeight: Float = 0.2
    /// Commitment weight (encoder side), beta; the encoder commits to the all-level quantization.
    public var commitment: Float = 0.25
    /// Fraction of samples that train a random prefix 1...L; the others use all L levels.
    public var dropoutProbability: Float = 0.5
    public var emaDecay: Float = 0.99
    /// Steps a code may go unused before it is restarted.
    public var deadAfter = 25
    public var gradClip: Float = 1.0

    /// The reconstruction term's distortion.
    public enum ReconstructionLoss: String, CaseIterable, Sendable {
        case l1
        /// MSE over R, G and B.
        case mse
        /// MSE weighted 6:1:1 over Y, Cb and Cr, the weighting of PSNR YUV 6:1:1 (`InterDistortion.yuv611`).
        case yuv611
        /// The mean of the two: (MSE over R, G, B + the 6:1:1 MSE) / 2, for a model judged in both
        /// PSNR RGB and PSNR YUV 6:1:1.
        case mseYUV611 = "mse+yuv611"

        /// The term on the tape for reconstructions `xhat` of `x` [N, 3, H, W].
        func callAsFunction(_ xhat: Variable, _ x: Variable) -> Variable {
            switch self {
            case .l1: Ops.l1(xhat, x)
            case .mse: Ops.mse(xhat, x)
            case .yuv611: InterDistortion.yuv611.weighted(xhat, x, Array(repeating: 1, count: x.shape[0]))
            case .mseYUV611: (Ops.mse(xhat, x) + Self.yuv611.callAsFunction(xhat, x)) * 0.5
            }
        }
    }

    // Perceptual and adversarial training (docs/training.md, "Perceptual recipe"). Optional so that
    // the options of older checkpoints still decode; nil is the default named, and all-nil is the
    // fidelity recipe exactly (no LPIPS, no discriminator). See `VQTrainOptions+Recipe.swift`.
    /// Weight of LPIPS-Alex (batch mean) added to the reconstruction loss (nil: 0).
    public var perceptualWeight: Float?
    /// Weight of the adversarial term after taming's adaptive scaling (nil: 0, no discriminator).
    public var discWeight: Float?
    /// First step with the adversarial term and discriminator updates (nil: 0).
    public var discStart: Int?
    /// Peak learning rate of the discriminator, on the generator's schedule (nil: `lr`).
    public var discLR: Float?
    /// Width of the discriminator's first conv, taming's ndf (nil: 64).
    public var discChannels: Int?
    /// Strided stages of the discriminator, taming's n_layers (nil: 3).
    public var discLayers: Int?
    /// Whether the discriminator sees real and reconstructed images through `DiffAugment`
    /// (nil: false).
    public var discAugment: Bool?
    /// Weight of the level-0 usage term (`VQTrainer+Usage.swift`; nil: 0, no term).
    public var usageWeight: Float?
    /// Temperature of the usage term's soft assignment (nil: `VQTrainer.defaultUsageTemperature`).
    public var usageTemperature: Float?

    public init() {}
}

/// What one training step measured.
public struct VQStepResult {
    public var loss: Float, reconstruction: Float, msssim: Float, commitment: Float
    /// LPIPS-Alex of the reconstruction (0 when its weight is 0).
    public var lpips: Float = 0
    /// The generator's loss -mean D(x̂), the discriminator's hinge loss and the adaptive weight
    /// λ·discWeight the generator loss entered with (all 0 on steps without the adversarial term).
    public var generator: Float = 0, discriminator: Float = 0, adaptiveWeight: Float = 0
    /// The usage term's mean per-position and per-image entropies in nats (0 when its weight is 0).
    public var positionEntropy: Float = 0, imageEntropy: Float = 0
    public var levelStats: [CodebookTrainer.LevelStats]
    public var prefixes: [Int]
    /// Mean squared latent error per element after 1...L levels (before this step's update).
    public var latentError: [Float]
}

/// The tokenizer's training state (weights, Adam, codebooks, step, RNG) and its step.
public final class VQTrainer {
    public let config: VQConfig
    public let options: VQTrainOptions
    public let network: VQGANNetwork
    public let params = ParameterSet()
    public let codebooks: CodebookTrainer
    public let adam = Adam()
    public var step = 0
    public var rng: RNG
    let msssim: MSSSIM
    /// `options.reconstruction`, parsed once.
    let reconstructionLoss: VQTrainOptions.ReconstructionLoss
    /// The patch discriminator (nil unless `discWeight` > 0), its weights and its Adam (taming's
    /// betas 0.5, 0.9); all three are in checkpoints.
    public let discriminator: PatchDiscriminator?
    public let discParams = ParameterSet()
    public let discAdam = Adam(beta1: 0.5, beta2: 0.9)
    /// The frozen LPIPS network of the perceptual term; required when `perceptualWeight` > 0
    /// (`dcvc-train vq` loads data/lpips), not part of checkpoints.
    public var perceptual: LPIPSAlex?

    public init(config: VQConfig, options: VQTrainOptions) throws {
        try config.validate()
        try options.validatePerceptual()
        guard let loss = VQTrainOptions.ReconstructionLoss(rawValue: options.reconstruction) else {
            let known = VQTrainOptions.ReconstructionLoss.allCases.map(\.rawValue).joined(separator: ", ")
            throw VQTrainingError(path: "options", "reconstruction loss \(options.reconstruction): one of \(known)")
        }
        reconstructionLoss = loss
        self.config = config; self.options = options
        network = VQGANNetwork(config: config)
        rng = RNG(seed: options.seed)
        network.registerParameters(in: params, rng: &rng)
        codebooks = CodebookTrainer(params: params, levels: config.levels, size: config.codebookSize, dim: config.codeDim,
                                    decay: options.emaDecay, deadAfter: options.deadAfter)
        msssim = VQTrainer.msssim(forSide: options.crop)
        if options.adversarialWeight > 0 {
            let d = PatchDiscriminator(channels: options.discChannels ?? 64, layers: options.discLayers ?? 3)
            // Its own random stream: the generator's initialisation and draws stay those of a
            // run without a discriminator.
            var drng = RNG(seed: options.seed ^ 0xD15C)
            d.registerParameters(in: discParams, rng: &drng)
            discriminator = d
        } else {
            discriminator = nil
        }
    }

    /// MS-SSIM with as many of the five standard scales as the crop allows (weights renormalised).
    static func msssim(forSide side: Int) -> MSSSIM {
        let all: [Float] = [0.0448, 0.2856, 0.3001, 0.2363, 0.1333]
        var n = 5
        while n > 1 && 10 * (1 << (n - 1)) + 1 > side { n -= 1 }
        let w = Array(all.prefix(n)), s = w.reduce(0, +)
        return MSSSIM(windowSize: 11, sigma: 1.5, weights: w.map { $0 / s })
    }

    /// Learning rate at the current step: linear warmup, cosine decay to a tenth.
    public var learningRate: Float {
        LRSchedule.warmupCosine(peak: options.lr, warmup: options.warmup, total: options.steps, floor: options.lr / 10).lr(at: step)
    }

    /// Encoder output, l2-normalised per position, [N, D, h, w] (on the tape).
    public func latent(_ x: Variable) -> Variable {
        Ops.l2NormalizeChannels(network.encode(x, TrainingBackend(params: params)))
    }

    /// One step's forward pass, its losses on the tape, and the quantizer's bookkeeping.
    public struct Forward {
        /// The reconstruction [B, 3, H, W] and the loss terms.
        public let xhat: Variable, reconstruction: Variable, msssim: Variable, commitment: Variable
        /// LPIPS-Alex of the reconstruction (nil when its weight is 0).
        public let lpips: Variable?
        /// The level-0 usage term and its entropies (nil when its weight is 0).
        public let usage: (loss: Variable, positionEntropy: Float, imageEntropy: Float)?
        /// reconstruction + w(1 - MS-SSIM) + w_p LPIPS: taming's "nll", every term computed from
        /// x̂ alone (the adaptive weight balances the GAN term against it).
        public let nll: Variable
        let indices: [[Int]], residuals: [Tensor], prefixes: [Int], latentError: [Float]

        /// The terms that reach the encoder only: commitment, then the usage term if any.
        func encoderLoss(_ options: VQTrainOptions) -> Variable {
            let c = options.commitment * commitment
            guard let usage else { return c }
            return c + options.usageTermWeight * usage.loss
        }
    }

    /// The forward pass of a step on images [B, 3, H, W] in [0, 1]: k-means initialisation on
    /// the first call, quantizer dropout draws from `rng`, the decoder cut at `cut` if given.
    public func forward(_ images: Tensor, cut: LayerCut? = nil) -> Forward {
        let x = Variable(images)
        let zn = latent(x)
        let (n, h, w) = (zn.shape[0], zn.shape[2], zn.shape[3])
        let rows = LatentLayout.rows(zn.value)
        if !codebooks.isInitialized { codebooks.initialize(rows: rows, rng: &rng) }
        let (indices, residuals) = codebooks.quantizer.encode(rows: rows)
        // Quantizer dropout: every sample trains the reconstruction from a random prefix 1...L.
        let prefixes = QuantizerDropout.prefixes(count: n, levels: config.levels, probability: options.dropoutProbability, rng: &rng)
        let zFull = codebooks.quantizer.dequantize(indices: indices, prefix: Array(repeating: config.levels, count: n), height: h, width: w)
        var latentError = residuals.dropFirst().map { Self.meanSquare($0.storage) }
        latentError.append(Self.meanSquare(zip(zn.value.storage, zFull.storage).map { $0 - $1 }))
        let gains = codebooks.quantizer.levelGains
        let input = codebooks.quantizer.decoderInput(indices: indices, prefix: prefixes, gains: gains, height: h, width: w)
        let xhat = network.decode(Ops.straightThroughLevels(zn, input: input, prefix: prefixes, gains: gains),
                                  TrainingBackend(params: params, cut: cut))
        let rec = reconstructionLoss(xhat, x)
        let ms = msssim(xhat, x)
        let commit = Ops.mse(zn, Variable(zFull))
        var nll = rec + Ops.affine(ms, scale: -options.msssimWeight, shift: options.msssimWeight)
        var lpips: Variable? = nil
        if options.lpipsWeight > 0 {
            guard let perceptual else { preconditionFailure("perceptualWeight > 0 but no LPIPS network attached") }
            let p = perceptual.loss(xhat, target: images)
            lpips = p
            nll = nll + options.lpipsWeight * p
        }
        let usage = options.usageTermWeight > 0 ? usageTerm(zn) : nil
        return Forward(xhat: xhat, reconstruction: rec, msssim: ms, commitment: commit, lpips: lpips, usage: usage, nll: nll,
                       indices: indices, residuals: residuals, prefixes: prefixes, latentError: latentError)
    }

    /// One optimisation step on images [B, 3, H, W] in [0, 1]: the generator (encoder, decoder),
    /// then the discriminator when the adversarial term is on, then the codebooks.
    @discardableResult
    public func trainStep(_ images: Tensor) -> VQStepResult {
        let adversarial = isAdversarial
        let cut = adversarial ? LayerCut(name: Self.lastLayer) : nil
        let f = forward(images, cut: cut)
        params.zeroGrad()
        var result = VQStepResult(loss: 0, reconstruction: f.reconstruction.value.item, msssim: f.msssim.value.item,
                                  commitment: f.commitment.value.item, levelStats: [], prefixes: f.prefixes,
                                  latentError: f.latentError)
        result.lpips = f.lpips?.value.item ?? 0
        result.positionEntropy = f.usage?.positionEntropy ?? 0
        result.imageEntropy = f.usage?.imageEntropy ?? 0
        let encoderLoss = f.encoderLoss(options)
        if let cut {
            let g = generatorBackward(f, cut: cut, encoderLoss: encoderLoss)
            result.generator = g.loss; result.adaptiveWeight = g.weight
            result.loss = f.nll.value.item + g.weight * g.loss + encoderLoss.value.item
        } else {
            let loss = f.nll + encoderLoss
            loss.backward()
            result.loss = loss.value.item
        }
        clipGradNorm(params, maxNorm: options.gradClip)
        adam.update(params, lr: learningRate)
        if adversarial { result.discriminator = discriminatorStep(real: images, fake: f.xhat.value) }
        result.levelStats = codebooks.update(indices: f.indices, residuals: f.residuals, step: step, rng: &rng)
        step += 1
        return result
    }

    static func meanSquare(_ x: [Float]) -> Float {
        Float(x.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(max(1, x.count)))
    }

    /// RGB PSNR (dB, output clamped to [0, 1]) of the reconstruction from each prefix length in
    /// `prefixes`, on `images`. No parameter changes.
    public func psnr(_ images: Tensor, prefixes: [Int]) -> [Float] {
        let zn = latent(Variable(images)).value
        let (n, h, w) = (zn.shape[0], zn.shape[2], zn.shape[3])
        let q = codebooks.quantizer
        let indices = q.encode(rows: LatentLayout.rows(zn)).indices
        return prefixes.map { p in
            let input = q.decoderInput(indices: indices, prefix: Array(repeating: p, count: n), gains: q.levelGains, height: h, width: w)
            let y = network.decode(Variable(input), TrainingBackend(params: params)).value
            var se: Double = 0
            for i in 0..<y.count { let d = Double(min(1, max(0, y.storage[i])) - images.storage[i]); se += d * d }
            return Float(10 * Foundation.log10(1 / max(se / Double(y.count), 1e-12)))
        }
    }
}

/// Quantizer dropout: the number of RVQ levels each sample is reconstructed from.
public enum QuantizerDropout {
    /// `count` prefix lengths: with `probability` uniform in 1...levels, otherwise all levels
    /// (as in DAC, so the full-rate reconstruction keeps half the signal).
    public static func prefixes(count: Int, levels: Int, probability: Float = 1, rng: inout RNG) -> [Int] {
        (0..<count).map { _ in rng.uniform() < probability ? 1 + rng.int(below: levels) : levels }
    }
}
