import ArgumentParser
import Foundation
import Models
import ModelsTraining
import Tensor
import TensorTraining
import ToolSupport
import Training

extension InterMode: ExpressibleByArgument {}
extension InterDistortion: ExpressibleByArgument {}

/// `dcvc-train inter`: the DCVC P-frame model, in four stages.
struct TrainInter: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inter",
        abstract: "Train the DCVC P-frame model (motion, MV codec, contextual codec) stage by stage.",
        discussion: """
            Stages: 1 motion warm-up (lambda * warp MSE + MV rate); 2 contextual codec on distortion, \
            motion frozen; 3 adds the rate; 4 end to end, lambda * MSE + bpp over cascaded P-frames. \
            GOPs of 7 frames come from the videos MANIFEST lists with purpose 'train', decoded once \
            (frame cache); the first reference is the I-frame as the tokenizer (--tokenizer) codes it at \
            a random number of RVQ levels. --mode residual trains the DVC baseline instead (the same \
            motion path; the residual from a motion-compensated prediction is coded with a hyperprior); \
            --init-from a model of the other mode takes its motion net and MV codec only. Each stage runs \
            in <out>/stage<N> (log.csv, loss.svg, ckpt-<step>.safetensors); a new stage starts from the \
            previous stage's newest checkpoint. --export writes the shipped weights (with their integer tables) from the stage's newest checkpoint.
            """)

    @OptionGroup var common: RunOptions
    @Option(help: "Stage 1...4.") var stage: Int = 1
    @Option(help: "Coding mode: conditional (DCVC) or residual (DVC baseline); a resumed run must name its own.")
    var mode: InterMode = .conditional
    @Option(help: "Crop side in pixels (multiple of 64).") var crop: Int = 128
    @Option(help: "P-frames per sample in stage 4 (1...16; default 6): the cascade the loss runs over.") var pFrames: Int?
    @Option(help: "GOPs decoded per training video (a new run only; default 64; a resumed run keeps its own).") var gopsPerVideo: Int?
    @Option(help: "I-frame tokenizer weights.") var tokenizer: String = "weights/vqgan-f8.safetensors"
    @Option(help: "Weights to start a new stage from (default: the previous stage's newest checkpoint).") var initFrom: String?
    @Option(help: "Write the shipped weights (from this stage's newest checkpoint) to this path and exit.") var export: String?
    @Option(help: "Learning-rate multiplier of the per-lambda latent gains (a new run only; default 1).") var gainLrScale: Float?
    @Option(help: ArgumentHelp("On a new run from earlier weights, spread the rate points: encoder gains times (lambda/G)^E, decoder gains divided by it.",
                               valueName: "E")) var spreadGains: Float?
    @Option(help: "The loss's distortion: rgb (MSE over R, G, B) or yuv611 ((6 MSE_Y + MSE_Cb + MSE_Cr) / 8, as PSNR YUV 6:1:1 weighs it); a new run only, default rgb.")
    var distortion: InterDistortion?
    @Flag(help: "Only print the model's size and MACs per pixel.") var dryRun = false

    func run() throws {
        common.applyThreads(default: 2)
        var run = common
        run.out = (common.out as NSString).appendingPathComponent("stage\(stage)")
        if let export { return try exportWeights(from: run.out, to: export) }
        var elapsed = 0.0
        let trainer: InterTrainer
        if let r = try run.resumed(InterTrainer.self) {
            guard gainLrScale == nil, spreadGains == nil, distortion == nil else {
                throw ToolError(file: run.out, "--gain-lr-scale, --spread-gains and --distortion start a new run; a resumed run keeps its own")
            }
            // Checkpoints older than the stored field hold no pool size: the flag still sets it.
            if let n = gopsPerVideo, let kept = r.0.options.gopsPerVideo, n != kept {
                throw ToolError(file: run.out, "--gops-per-video \(n): the resumed run samples \(kept) GOPs per video")
            }
            guard r.0.config.codingMode == mode else {
                throw ToolError(file: run.out, "--mode \(mode.rawValue): the resumed run is \(r.0.config.codingMode.rawValue)")
            }
            (trainer, elapsed) = r
        } else {
            var o = InterTrainOptions.defaults(stage: stage)
            if let steps = common.steps { o.steps = steps }
            if let batch = common.batch { o.batch = batch }
            if let lr = common.lr { o.lr = lr }
            if let pFrames { o.pFrames = pFrames }
            o.gainLRScale = gainLrScale
            o.gopsPerVideo = gopsPerVideo
            o.distortion = distortion
            o.crop = crop; o.seed = common.seed
            trainer = try InterTrainer(config: InterConfig(mode: mode == .residual ? .residual : nil), options: o)
            if stage == 1, let from = initFrom, !dryRun {
                try trainer.loadWeights(from: from)
                printError("stage 1 starts from \(from)")
            } else if stage > 1, !dryRun {
                let prev = (common.out as NSString).appendingPathComponent("stage\(stage - 1)")
                guard let from = initFrom ?? RunCheckpoints.list(prev).last else {
                    throw ToolError(file: prev, "stage \(stage) starts from stage \(stage - 1): no checkpoint there (or give --init-from)")
                }
                try trainer.loadWeights(from: from)
                printError("stage \(stage) starts from \(from)")
            }
            if let e = spreadGains {
                guard stage > 1, !dryRun else { throw ToolError(file: run.out, "--spread-gains needs earlier weights (stage 2-4)") }
                trainer.spreadGains(exponent: e)
                printError("rate points spread: gains times (lambda/G)^\(e)")
            }
        }
        let macs = trainer.network.macsPerPixel()
        printError("model: \(trainer.config.json)")
        printError(String(format: "parameters %d; MACs/pixel: decode %.0f, encoder-only %.0f (encoder total %.0f)",
                          trainer.params.scalarCount, macs.decoder, macs.encoder, macs.decoder + macs.encoder))
        printError("options: \(String(decoding: try JSONEncoder().encode(trainer.options), as: UTF8.self))")
        if dryRun { return }

        let videos = try DataManifest.sources(dataDir: common.data).filter { $0.kind == .video }.map(\.path)
        let t0 = Date()
        let o = trainer.options
        // GOPs of 7 frames unless the cascade needs more (the cache keeps one pool per length).
        let pool = try GOPPool(videos: videos, length: max(7, o.pFrames + 1), gopsPerVideo: gopsPerVideo ?? o.gopsPerVideoOrDefault, crop: o.crop, seed: o.seed,
                               cache: try common.frameCache(), progress: { printError($0) })
        printError(String(format: "GOP pool: %d GOPs from %d videos in %.1f s", pool.gops.count, videos.count,
                          Date().timeIntervalSince(t0)))
        let sampler = GOPSampler(pool: pool, batch: o.batch, crop: o.crop, frames: o.pFrames + 1,
                                 rates: trainer.config.lambdas.count, maxLevels: 8, seed: o.seed &+ 0x60B,
                                 iframeCoder: try Self.iframeCoder(tokenizer))
        try run.drive(InterTrainingRun(trainer: trainer, sampler: sampler), elapsed: elapsed, logEvery: 10)
    }

    /// The I-frame as the codec decodes it, at a given number of levels. It runs on the prefetch
    /// thread with frozen weights (never `Variable.noGrad`, a global switch that would cut the
    /// training step's graph on the main thread), and on the training kernels (the deterministic
    /// decoder gives the same frame up to float rounding, several times slower).
    static func iframeCoder(_ path: String) throws -> (Tensor, Int) -> Tensor {
        let tok = try VQTokenizer(path: path)
        let decoderParams = ParameterSet()
        for (name, w) in tok.decoderWeights.sorted(by: { $0.key < $1.key }) { decoderParams.add(name, w) }
        decoderParams.setTrainable(false) { _ in true }
        let f = tok.config.factor
        return { img, levels in
            let (h, w) = (img.shape[2] / f, img.shape[3] / f)
            let l = min(levels, tok.config.levels)
            let z = tok.quantizer.decoderInput(indices: Array(tok.encode(img).prefix(l)), prefix: [l],
                                               gains: tok.gains, height: h, width: w)
            return tok.network.decode(Variable(z), TrainingBackend(params: decoderParams)).value
        }
    }

    func exportWeights(from stageDir: String, to path: String) throws {
        guard let ckpt = RunCheckpoints.list(stageDir).last else { throw ToolError(file: stageDir, "no checkpoint to export") }
        let (trainer, _) = try RunCheckpoints.restore(ckpt, as: InterTrainer.self)
        var file = trainer.exportWeights()
        InterTables.add(to: &file, network: trainer.network)
        try writeExportedWeights(file, to: path, source: "\(ckpt) (stage \(trainer.options.stage), step \(trainer.step))")
    }
}
