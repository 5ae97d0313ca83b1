import Foundation
import Models
import ModelsTraining
import Tensor
import TensorTraining

/// Hyper-parameters of P-frame training (one stage of the four).
public struct InterTrainOptions: StepOptions, Equatable, Sendable {
    /// 1: motion warm-up (warp loss + MV rate); 2: contextual codec, distortion only, motion frozen;
    /// 3: adds the rate, motion frozen; 4: end to end over `pFrames` cascaded P-frames.
    public var stage = 1
    public var steps = 2000
    public var batch = 4
    public var crop = 128
    public var lr: Float = 1e-4
    public var warmup = 50
    public var seed: UInt64 = 1
    /// P-frames per sample (1 in stages 1-3; up to 6 in stage 4: the GOPs hold 7 frames).
    public var pFrames = 1
    public var gradClip: Float = 1.0
    /// Learning-rate multiplier of the per-lambda gains (nil: 1, as every run before it had). At
    /// the network's rate they barely move in thousands of steps, and the rate points stay alike.
    public var gainLRScale: Float?
    /// GOPs decoded per training video (nil in checkpoints older than the field: 64). Kept with
    /// the run so that a resumed run samples the same pool.
    public var gopsPerVideo: Int?
    /// The loss's distortion (nil in checkpoints older than the field: RGB MSE).
    public var distortion: InterDistortion?

    /// GOPs per video this run samples.
    public var gopsPerVideoOrDefault: Int { gopsPerVideo ?? 64 }

    public init() {}

    /// Defaults for `stage`.
    public static func defaults(stage: Int) -> InterTrainOptions {
        var o = InterTrainOptions()
        o.stage = stage
        o.lr = stage == 4 ? 1e-4 : 3e-4
        o.pFrames = stage == 4 ? 6 : 1
        o.batch = stage == 4 ? 2 : 4
        return o
    }

    /// The longest cascade stage 4 trains (the GOP pool then holds GOPs of that many frames plus one).
    public static let maxPFrames = 16

    func validate() throws {
        guard (1...4).contains(stage) else { throw InterConfigError(reason: "stage \(stage) (1...4)") }
        guard (1...Self.maxPFrames).contains(pFrames), stage == 4 || pFrames == 1 else { throw InterConfigError(reason: "\(pFrames) P-frames in stage \(stage)") }
        guard crop % InterConfig.multiple == 0, crop > 0 else { throw InterConfigError(reason: "crop \(crop) is not a multiple of 64") }
        guard batch >= 1, steps >= 0 else { throw InterConfigError(reason: "batch \(batch), steps \(steps)") }
        if let g = gainLRScale, !(g > 0) { throw InterConfigError(reason: "gain learning-rate scale \(g)") }
        if let n = gopsPerVideo, n < 1 { throw InterConfigError(reason: "\(n) GOPs per video") }
    }
}

/// What one step measured (averages over the step's P-frames).
public struct InterStepResult {
    public var loss: Float
    /// RGB PSNR of the reconstruction and its gain over the reference (what copying the previous
    /// frame would give); in stage 1, of the clean previous frame warped by the motion net's flow.
    public var psnr: Float, psnrGain: Float
    /// Estimated bits per pixel of the MV latents + hyper-latents and of the frame latents + hyper-latents.
    public var bppMotion: Float, bppFrame: Float
    /// Residual mode, stages 2-4: RGB PSNR of the motion-compensated prediction x̄ (nil otherwise).
    public var psnrPrediction: Float? = nil
}

/// The P-frame model's training state (weights, Adam, step, RNG) and its step.
public final class InterTrainer: CheckpointedTrainer {
    public typealias Options = InterTrainOptions
    public static let configKey = InterDecoder.configKey
    public let config: InterConfig
    public let options: InterTrainOptions
    public let network: InterNetwork
    public let params = ParameterSet()
    public let adam = Adam()
    public var step = 0
    public var rng: RNG

    public init(config: InterConfig, options: InterTrainOptions) throws {
        try config.validate(); try options.validate()
        self.config = config; self.options = options
        network = InterNetwork(config: config)
        rng = RNG(seed: options.seed)
        network.registerParameters(in: params, rng: &rng)
        // The flow starts at zero (copying the reference), not at the noise of random output convs.
        // Likewise the residual model's prediction starts as the plain warp.
        let startsAtZero = { (n: String) in (n.hasPrefix("motion.") && n.contains(".out.")) || n.hasPrefix("mc.out.") }
        for p in params.parameters where startsAtZero(p.name) {
            p.value = Tensor(shape: p.shape, repeating: 0)
        }
        // Stages 2 and 3 train the contextual codec over a fixed motion path.
        if options.stage == 2 || options.stage == 3 { params.setTrainable(false, where: InterNetwork.isMotionWeight) }
        if let g = options.gainLRScale {
            for name in network.gainNames.encoder + network.gainNames.decoder { adam.lrScale[name] = g }
        }
    }

    /// Spreads the rate points apart: row r of each encoder gain times (lambda_r / G)^exponent and
    /// of each decoder gain divided by it, G the lambdas' geometric mean. The reconstruction before
    /// rounding is unchanged; the quantizer's step shrinks with lambda as lambda^-exponent
    /// (1/2 at high rate, where D ~ step^2 and R ~ -log2 step).
    public func spreadGains(exponent: Float) {
        let logs = config.lambdas.map { Foundation.log(Double($0)) }
        let mean = logs.reduce(0, +) / Double(logs.count)
        let factors = logs.map { Float(Foundation.exp((($0 - mean) * Double(exponent)))) }
        for (names, power) in [(network.gainNames.encoder, Float(1)), (network.gainNames.decoder, -1)] {
            for name in names {
                guard let p = params[name] else { preconditionFailure("no parameter \(name)") }
                let c = p.shape[1]
                for (r, f) in factors.enumerated() {
                    for i in (r * c)..<((r + 1) * c) { p.value.storage[i] *= Foundation.pow(f, power) }
                }
            }
        }
    }

    public static func restoring(configJSON: String, options: InterTrainOptions) throws -> InterTrainer {
        try InterTrainer(config: try InterConfig.parse(json: configJSON), options: options)
    }

    public var configJSON: String { config.json }
    public var trainedParameters: ParameterSet { params }

    /// Copies every weight from a checkpoint or weights file (the previous stage's result). A model
    /// without the warped reference loads into one with it: the context's consumers get zero
    /// weights on the new channels, so the network starts out computing what it computed before.
    /// A model of the other coding mode (conditional or residual) gives its motion path only:
    /// the motion net and the MV codec, whose configuration must match.
    public func loadWeights(from path: String) throws {
        let f = try SafeTensorsFile.read(from: path)
        var widen = false
        if let c = f.metadata[Self.configKey] {
            var stored = try InterConfig.parse(json: c)
            if stored.codingMode != config.codingMode { return try loadMotionWeights(f, stored: stored, path: path) }
            if !stored.usesWarpedReference, config.usesWarpedReference {
                stored.warpedReference = true
                widen = true
            }
            guard stored == config else { throw InterConfigError(reason: "\(path) holds another configuration: \(c)") }
        }
        guard widen else { return try params.load(f, path: path, allowExtra: true) }
        let grown = Set(InterNetwork.contextConsumers.map { "\($0).weight" })
        for p in params.parameters {
            guard let t = f.tensors[p.name]?.tensor() else { throw InterConfigError(reason: "\(path) has no tensor \(p.name)") }
            if grown.contains(p.name) {
                p.value = try Self.widenInputs(t, to: p.shape, name: p.name)
            } else {
                guard t.shape == p.shape else { throw InterConfigError(reason: "\(path): \(p.name) is \(t.shape), not \(p.shape)") }
                p.value = t
            }
        }
    }

    /// The motion net's and MV codec's weights from a model of the other coding mode; the rest
    /// keeps its initialisation.
    func loadMotionWeights(_ f: SafeTensorsFile, stored: InterConfig, path: String) throws {
        // The fields the motion path reads (mvDecode's last width is contextChannels).
        var motionOnly = stored
        motionOnly.mode = config.mode; motionOnly.latent = config.latent; motionOnly.hyper = config.hyper
        motionOnly.generatorChannels = config.generatorChannels; motionOnly.warpedReference = config.warpedReference
        guard motionOnly == config else {
            throw InterConfigError(reason: "\(path): its motion path differs from this model's: \(stored.json)")
        }
        for p in params.parameters where InterNetwork.isMotionWeight(p.name) {
            guard let t = f.tensors[p.name]?.tensor() else { throw InterConfigError(reason: "\(path) has no tensor \(p.name)") }
            guard t.shape == p.shape else { throw InterConfigError(reason: "\(path): \(p.name) is \(t.shape), not \(p.shape)") }
            p.value = t
        }
    }

    /// A conv weight [Co, Ci, k, k] placed in the first Ci input channels of `shape`, zeros after.
    static func widenInputs(_ w: Tensor, to shape: [Int], name: String) throws -> Tensor {
        guard w.shape.count == 4, shape.count == 4, w.shape[0] == shape[0], w.shape[1] <= shape[1],
              w.shape[2] == shape[2], w.shape[3] == shape[3] else {
            throw InterConfigError(reason: "\(name): cannot widen \(w.shape) to \(shape)")
        }
        var out = Tensor(shape: shape, repeating: 0)
        let k = shape[2] * shape[3], old = w.shape[1] * k, new = shape[1] * k
        for o in 0..<shape[0] {
            for i in 0..<old { out.storage[o * new + i] = w.storage[o * old + i] }
        }
        return out
    }

    /// Learning rate at the current step: linear warmup, cosine decay to a tenth.
    public var learningRate: Float {
        LRSchedule.warmupCosine(peak: options.lr, warmup: options.warmup, total: options.steps, floor: options.lr / 10).lr(at: step)
    }

    /// One optimisation step on a GOP batch.
    @discardableResult
    public func trainStep(_ batch: GOPBatch) -> InterStepResult {
        let (loss, r) = forward(batch)
        params.zeroGrad()
        loss.backward()
        clipGradNorm(params, maxNorm: options.gradClip)
        adam.update(params, lr: learningRate)
        step += 1
        return r
    }

    /// The stage's loss on `batch` and what it measured (no parameter change).
    public func forward(_ batch: GOPBatch) -> (Variable, InterStepResult) {
        precondition(batch.frames.count > options.pFrames, "GOP of \(batch.frames.count) frames for \(options.pFrames) P-frames")
        let lambdas = batch.rows.map { Float(config.lambdas[$0]) }
        var ref = Variable(batch.iframe)
        var total: Variable? = nil
        var psnr: Float = 0, gain: Float = 0, bppM: Float = 0, bppY: Float = 0, psnrPred: Float? = nil
        for t in 1...options.pFrames {
            let x = Variable(batch.frames[t])
            let p = codeP(x, reference: ref, rows: batch.rows)
            let pixels = Float(x.shape[0] * x.shape[2] * x.shape[3])
            let rateM = (p.bitsM + p.bitsZm) * (1 / pixels)
            var term: Variable
            switch options.stage {
            case 1:
                // The flow net also learns from its own (unquantized) flow on the clean previous
                // frame: a direct photometric signal that does not pass through the MV codec.
                let direct = Ops.flowWarp(Variable(batch.frames[t - 1]), flow: Self.fullResolution(p.flow, like: x))
                term = weightedDistortion(p.warped, x, lambdas) + weightedDistortion(direct, x, lambdas) + rateM
                // Reported: what the flow gains on clean frames (the coded reference's own error
                // would hide it).
                let q = Self.psnr(direct.value, x.value)
                psnr += q; gain += q - Self.psnr(batch.frames[t - 1], x.value)
            case 2: term = weightedDistortion(p.xhat!, x, lambdas)
            default: term = weightedDistortion(p.xhat!, x, lambdas) + rateM + (p.bitsY! + p.bitsZ!) * (1 / pixels)
            }
            total = total.map { $0 + term } ?? term
            if let xh = p.xhat {
                let q = Self.psnr(xh.value, x.value)
                psnr += q; gain += q - Self.psnr(ref.value, x.value)
            }
            if let pred = p.prediction { psnrPred = (psnrPred ?? 0) + Self.psnr(pred.value, x.value) }
            bppM += rateM.value.item
            if let y = p.bitsY, let z = p.bitsZ { bppY += (y.value.item + z.value.item) / pixels }
            // The codec clamps the reference to [0, 1] (spec/inter.md §2); so does training,
            // straight-through, so the cascade sees what the decoder will.
            if let xh = p.xhat { ref = Ops.clampStraightThrough(xh, 0, 1) }
        }
        let n = Float(options.pFrames)
        let loss = total! * (1 / n)
        return (loss, InterStepResult(loss: loss.value.item, psnr: psnr / n, psnrGain: gain / n, bppMotion: bppM / n,
                                      bppFrame: bppY / n, psnrPrediction: psnrPred.map { $0 / n }))
    }

    struct PFrame {
        /// The motion net's flow at 1/2 and the reference warped by the decoded flow.
        var flow: Variable, warped: Variable
        var bitsM: Variable, bitsZm: Variable
        var xhat: Variable?, bitsY: Variable?, bitsZ: Variable?
        /// Residual mode: the motion-compensated prediction x̄.
        var prediction: Variable?
    }

    /// The frame (or residual) latents, hyper-latents and prior of one P-frame, and the decoder
    /// that turns decoded latents into the frame.
    struct FrameCoding {
        var y: Variable, z: Variable, prior: (mean: Variable, scale: Variable)
        var prediction: Variable?
        var decode: (Variable) -> Variable
    }

    /// Conditional mode: the frame over the feature-domain context. Residual mode: the residual
    /// from the motion-compensated prediction, decoded and added back.
    func frameCoding(_ x: Variable, reference ref: Variable, flowHat: Variable, rows: [Int], _ b: TrainingBackend) -> FrameCoding {
        if config.isResidual {
            let pred = network.prediction(reference: ref, flow: flowHat, b)
            let y = network.residualEncode(x, prediction: pred, rows: rows, b)
            let z = network.residualHyperEncode(y, b)
            let prior = network.residualPrior(Ops.roundStraightThrough(z), b)
            return FrameCoding(y: y, z: z, prior: prior, prediction: pred) {
                self.network.residualReconstruct($0, prediction: pred, rows: rows, b)
            }
        }
        let ctx = network.context(reference: ref, flow: flowHat, b)
        let y = network.frameEncode(x, context: ctx, rows: rows, b)
        let z = network.hyperEncode(y, b)
        return FrameCoding(y: y, z: z, prior: network.framePrior(Ops.roundStraightThrough(z), context: ctx, b)) {
            self.network.frameDecode($0, context: ctx, rows: rows, b)
        }
    }

    /// One P-frame through the model with training relaxations: additive noise for the rate,
    /// straight-through rounding for what the decoders see. Stage 1 stops after the motion path.
    func codeP(_ x: Variable, reference ref: Variable, rows: [Int]) -> PFrame {
        let b = TrainingBackend(params: params)
        let flow = network.motion(x, ref, b)
        let m = network.mvEncode(flow, rows: rows, b)
        let zm = network.mvHyperEncode(m, b)
        let bitsZm = RateTerms.factorizedBits(RateTerms.noisy(zm, rng: &rng), logScale: params[InterNetwork.mvHyperLogScale]!)
        let mp = network.mvPrior(Ops.roundStraightThrough(zm), b)
        let mRes = m - mp.mean
        let bitsM = Ops.sum(RateTerms.gaussianBits(RateTerms.noisy(mRes, rng: &rng), scale: mp.scale))
        let flowHat = network.mvDecode(Ops.roundStraightThrough(mRes) + mp.mean, rows: rows, b)
        var out = PFrame(flow: flow, warped: Ops.flowWarp(ref, flow: Self.fullResolution(flowHat, like: x)),
                         bitsM: bitsM, bitsZm: bitsZm)
        if options.stage == 1 { return out }
        let fc = frameCoding(x, reference: ref, flowHat: flowHat, rows: rows, b)
        out.bitsZ = RateTerms.factorizedBits(RateTerms.noisy(fc.z, rng: &rng), logScale: params[network.frameHyperLogScaleName]!)
        let res = fc.y - fc.prior.mean
        out.bitsY = Ops.sum(RateTerms.gaussianBits(RateTerms.noisy(res, rng: &rng), scale: fc.prior.scale))
        out.xhat = fc.decode(Ops.roundStraightThrough(res) + fc.prior.mean)
        out.prediction = fc.prediction
        return out
    }

    /// A flow at 1/2 resolution as a full-resolution flow (bilinear x2, values x2).
    static func fullResolution(_ flow: Variable, like x: Variable) -> Variable {
        Ops.affine(Ops.resizeBilinear(flow, height: x.shape[2], width: x.shape[3]), scale: 2)
    }

    /// Mean over samples of lambda_n * D_n, D the run's distortion (`InterDistortion`).
    func weightedDistortion(_ a: Variable, _ b: Variable, _ lambdas: [Float]) -> Variable {
        (options.distortion ?? .rgb).weighted(a, b, lambdas)
    }

    /// RGB PSNR in dB of `a` (clamped to [0, 1]) against `b`.
    static func psnr(_ a: Tensor, _ b: Tensor) -> Float {
        var se = 0.0
        for i in 0..<a.count { let d = Double(min(1, max(0, a.storage[i])) - b.storage[i]); se += d * d }
        return Float(10 * Foundation.log10(1 / max(se / Double(a.count), 1e-12)))
    }
}
