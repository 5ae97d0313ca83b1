import ArgumentParser
import Foundation
import Models
import Tensor
import TensorTraining
import ToolSupport
import Training

/// `dcvc-train prior`: the context index prior of a trained tokenizer.
struct TrainPrior: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prior",
        abstract: "Train the context index prior (lower levels + already-coded neighbours) on a tokenizer's indices.",
        discussion: """
            The training frames (MANIFEST purpose 'train', as for `vq`) are run once through the \
            tokenizer's encoder; the indices are cached in <out>/tokens.bin, keyed by the tokenizer's \
            SHA-256. Every 20th image is held out for the per-level figures in log.csv. The run \
            directory gets log.csv, ckpt-<step>.safetensors (newest 2 kept) and, at the end, \
            prior.safetensors (the shipped weights). --resume continues from the newest checkpoint.
            """)

    @Option(help: "Tokenizer weights (.safetensors with its encoder).") var tokenizer: String
    @Option(help: "Data directory with MANIFEST.") var data: String
    @Option(help: "Run directory.") var out: String
    @Option(help: "Total training steps (with --resume, extends the stored total).") var steps: Int?
    @Option(help: "Crops per step.") var batch: Int = 16
    @Option(help: "Crop side in latent positions.") var crop: Int = 16
    @Option(help: "Hidden width.") var hidden: Int = 64
    @Option(help: "Residual 3x3 blocks.") var blocks: Int = 1
    @Option(help: "Passes of level 0: 1, 2 (checkerboard) or 4 (2x2).") var passes: Int = 4
    @Option(help: "Passes of levels 1 and up: 1, 2 or 4.") var upperPasses: Int = 1
    @Option(help: "Peak learning rate.") var lr: Float = 2e-3
    @Option(help: "Random seed.") var seed: UInt64 = 1
    @Option(help: "Threads for the training kernels.") var threads: Int = 2
    @Option(help: "Frames taken from each video.") var framesPerVideo: Int = 64
    @Option(help: "Frame cache directory (default: frame-cache beside the run directory).") var cache: String?
    @Option(help: "CSV/progress line every N steps.") var logEvery: Int = 50
    @Option(help: "Held-out evaluation every N steps.") var evalEvery: Int = 500
    @Option(help: "Minutes between checkpoints.") var checkpointMinutes: Double = 4
    @Flag(help: "Continue from the newest checkpoint in --out.") var resume = false

    func run() throws {
        TrainingKernels.threads = threads
        let parent = ((out as NSString).standardizingPath as NSString).deletingLastPathComponent
        let dataset = try TokenDatasetCache.loadOrBuild(
            cachePath: (out as NSString).appendingPathComponent("tokens.bin"), tokenizerPath: tokenizer,
            sources: try DataManifest.sources(dataDir: data),
            options: FramePoolOptions(framesPerVideo: framesPerVideo, seed: seed),
            frameCache: try FrameCache(directory: cache ?? (parent as NSString).appendingPathComponent("frame-cache")),
            progress: { printError($0) })
        var train = dataset, held = dataset
        train.grids = dataset.grids.enumerated().filter { $0.offset % 20 != 0 }.map(\.element)
        held.grids = dataset.grids.enumerated().filter { $0.offset % 20 == 0 }.map(\.element)

        var trainer: ContextPriorTrainer
        var elapsed = 0.0
        if let r = try RunCheckpoints.resumed(ContextPriorTrainer.self, runDir: out, resume: resume, steps: steps,
                                              log: { printError($0) }) {
            (trainer, elapsed) = r
        } else {
            let config = ContextPriorConfig(levels: dataset.levels, codebookSize: dataset.codebookSize,
                                            hidden: hidden, blocks: blocks, passes: passes, upperPasses: upperPasses)
            var o = ContextPriorTrainOptions()
            o.steps = steps ?? 3000; o.batch = batch; o.crop = crop; o.lr = lr; o.seed = seed
            trainer = try ContextPriorTrainer(config: config, options: o)
        }
        guard trainer.config.levels == dataset.levels, trainer.config.codebookSize == dataset.codebookSize else {
            throw ToolError(file: tokenizer, "tokenizer has \(dataset.levels) levels of \(dataset.codebookSize) codes; the prior models \(trainer.config.levels) of \(trainer.config.codebookSize)")
        }
        printError("prior: \(trainer.config.json), \(trainer.params.scalarCount) parameters, "
                   + String(format: "%.0f", trainer.network.macsPerIndex) + " MACs per coded index")
        var loop = ContextPriorRun(runDir: out)
        loop.logEvery = logEvery
        loop.evalEvery = evalEvery
        loop.checkpointSeconds = checkpointMinutes * 60
        try loop.run(trainer, train: train, held: held, elapsed: elapsed, progress: { printError($0) })
        let weights = (out as NSString).appendingPathComponent("prior.safetensors")
        try trainer.exportWeights(extra: ["tokenizer_sha256": try SafeTensorsFile.sha256Hex(ofFile: tokenizer)])
            .write(to: weights)
        print("\(weights) sha256 \(try SafeTensorsFile.sha256Hex(ofFile: weights))")
    }
}
