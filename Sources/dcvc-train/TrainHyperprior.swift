import ArgumentParser
import Foundation
import Models
import ModelsTraining
import Tensor
import TensorTraining
import ToolSupport
import Training

/// `dcvc-train hyperprior`: the mean-scale hyperprior intra codec (the "original DCVC" I-frames).
struct TrainHyperprior: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hyperprior",
        abstract: "Train the mean-scale hyperprior intra codec (one variable-rate model over the lambdas).",
        discussion: """
            Loss: the mean over samples of lambda * MSE + bpp (RGB in [0, 1]), each sample at a random \
            rate point with its own per-lambda latent gains. Crops come from the files MANIFEST lists \
            with purpose 'train' (videos and photos), decoded once into the frame cache. The run \
            directory gets log.csv, loss.svg and ckpt-<step>.safetensors; --resume continues from the \
            newest checkpoint with the configuration and options stored in it. --export writes the \
            shipped weights (with their integer tables) from the newest checkpoint.
            """)

    @OptionGroup var common: RunOptions
    @Option(help: "Crop side in pixels (multiple of 64).") var crop: Int = 128
    @Option(help: "Width of the analysis/synthesis transforms at 1/4 and 1/8.") var channels: Int = HyperpriorConfig().channels
    @Option(help: "Width at 1/2 resolution.") var fineChannels: Int = HyperpriorConfig().fineChannels
    @Option(help: "Residual blocks at 1/2 in each transform.") var residualBlocks: Int = HyperpriorConfig().residualBlocks
    @Option(help: "Latent channels (1/16).") var latent: Int = HyperpriorConfig().latent
    @Option(help: "Hyper-latent channels (1/64).") var hyper: Int = HyperpriorConfig().hyper
    @Option(help: "Steps over which the rate term's weight ramps from 0 to 1.") var rateWarmup: Int = HyperpriorTrainOptions().rateWarmup
    @Option(help: "Start a new run from these weights (an --export file; its configuration replaces the width options; fresh optimizer state).") var initFrom: String?
    @Option(help: "Write the shipped weights (from the newest checkpoint in --out) to this path and exit.") var export: String?
    @Flag(help: "Only print the model's size and MACs per pixel.") var dryRun = false

    func run() throws {
        common.applyThreads(default: 2)
        if let export { return try exportWeights(to: export) }
        var elapsed = 0.0
        let trainer: HyperpriorTrainer
        if let r = try common.resumed(HyperpriorTrainer.self) {
            guard initFrom == nil else { throw ToolError(file: common.out, "--init-from starts a new run; this one resumes") }
            (trainer, elapsed) = r
        } else {
            let config = try initFrom.map { try HyperpriorTrainer.storedConfig(in: SafeTensorsFile.read(from: $0), path: $0) }
                ?? HyperpriorConfig(channels: channels, fineChannels: fineChannels, residualBlocks: residualBlocks,
                                    latent: latent, hyper: hyper)
            var o = HyperpriorTrainOptions()
            if let steps = common.steps { o.steps = steps }
            if let batch = common.batch { o.batch = batch }
            if let lr = common.lr { o.lr = lr }
            o.crop = crop; o.seed = common.seed; o.rateWarmup = rateWarmup
            trainer = try HyperpriorTrainer(config: config, options: o)
            if let initFrom, !dryRun {
                try trainer.loadWeights(from: initFrom)
                printError("starts from \(initFrom)")
            }
        }
        let m = trainer.network.macsPerPixel()
        printError("model: \(trainer.config.json)")
        printError(String(format: "parameters %d; MACs/pixel: decode %.0f (synthesis %.0f, hyper synthesis + prior %.0f), encoder-only %.0f",
                          trainer.params.scalarCount, m.decoder, m.synthesis, m.prior, m.encoder))
        printError("options: \(String(decoding: try JSONEncoder().encode(trainer.options), as: UTF8.self))")
        if dryRun { return }

        let sources = try DataManifest.sources(dataDir: common.data)
        let o = trainer.options
        let t0 = Date()
        let pool = try FramePool(sources: sources,
                                 options: FramePoolOptions(framesPerVideo: common.framesPerVideo, crop: o.crop, seed: o.seed),
                                 cache: try common.frameCache(), progress: { printError($0) })
        printError(String(format: "frame pool: %d frames from %d files in %.1f s", pool.frames.count, sources.count,
                          Date().timeIntervalSince(t0)))
        let sampler = HyperpriorSampler(crops: BatchSampler(pool: pool, batch: o.batch, crop: o.crop, seed: o.seed &+ 0x1A7A),
                                        rates: trainer.config.lambdas.count)
        try common.drive(HyperpriorTrainingRun(trainer: trainer, sampler: sampler), elapsed: elapsed, logEvery: 25)
    }

    func exportWeights(to path: String) throws {
        guard let ckpt = RunCheckpoints.list(common.out).last else { throw ToolError(file: common.out, "no checkpoint to export") }
        let (trainer, _) = try RunCheckpoints.restore(ckpt, as: HyperpriorTrainer.self)
        var file = trainer.exportWeights()
        HyperpriorTables.add(to: &file)
        try writeExportedWeights(file, to: path, source: "\(ckpt) (step \(trainer.step))")
    }
}
