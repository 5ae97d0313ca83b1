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
            directory gets log.csv, loss.svg, ckpt-<step>.safetensors (newest 2 kept) and, at the end, \
            prior.safetensors (the shipped weights). --resume continues from the newest checkpoint. \
            With --temporal the prior also conditions on the previous I-frame's index of the same \
            level and position (index mode 3): each training video frame is tokenized with the \
            frame before it (tokens.bin then holds both).
            """)

    @Option(help: "Tokenizer weights (.safetensors with its encoder).") var tokenizer: String
    @OptionGroup var common: RunOptions
    @Option(help: "Crop side in latent positions.") var crop: Int = 16
    @Option(help: "Hidden width.") var hidden: Int = 64
    @Option(help: "Residual 3x3 blocks.") var blocks: Int = 1
    @Option(help: "Passes of level 0: 1, 2 (checkerboard) or 4 (2x2).") var passes: Int = 4
    @Option(help: "Passes of levels 1 and up: 1, 2 or 4.") var upperPasses: Int = 1
    @Option(help: "Held-out evaluation every N steps.") var evalEvery: Int = 500
    @Flag(help: "Also condition on the previous I-frame's indices (a temporal prior, index mode 3).")
    var temporal = false

    func run() throws {
        common.applyThreads(default: 2)
        let resumed = try common.resumed(ContextPriorTrainer.self)
        let dataset = try TokenDatasetCache.loadOrBuild(
            cachePath: (common.out as NSString).appendingPathComponent("tokens.bin"), tokenizerPath: tokenizer,
            sources: try DataManifest.sources(dataDir: common.data),
            options: FramePoolOptions(framesPerVideo: common.framesPerVideo, seed: common.seed),
            frameCache: try common.frameCache(), previousFrames: resumed?.0.config.temporal ?? temporal,
            progress: { printError($0) })
        var train = dataset, held = dataset
        train.grids = dataset.grids.enumerated().filter { $0.offset % 20 != 0 }.map(\.element)
        held.grids = dataset.grids.enumerated().filter { $0.offset % 20 == 0 }.map(\.element)

        var trainer: ContextPriorTrainer
        var elapsed = 0.0
        if let r = resumed {
            (trainer, elapsed) = r
        } else {
            let config = ContextPriorConfig(levels: dataset.levels, codebookSize: dataset.codebookSize,
                                            hidden: hidden, blocks: blocks, passes: passes, upperPasses: upperPasses,
                                            temporal: temporal)
            var o = ContextPriorTrainOptions()
            o.steps = common.steps ?? 3000; o.batch = common.batch ?? 16; o.crop = crop; o.lr = common.lr ?? 2e-3; o.seed = common.seed
            trainer = try ContextPriorTrainer(config: config, options: o)
        }
        guard trainer.config.levels == dataset.levels, trainer.config.codebookSize == dataset.codebookSize else {
            throw ToolError(file: tokenizer, "tokenizer has \(dataset.levels) levels of \(dataset.codebookSize) codes; the prior models \(trainer.config.levels) of \(trainer.config.codebookSize)")
        }
        printError("prior: \(trainer.config.json), \(trainer.params.scalarCount) parameters, "
                   + String(format: "%.0f", trainer.network.macsPerIndex) + " MACs per coded index")
        let trainable = ContextPriorRun(trainer: trainer, train: train, held: held)
        trainable.evalEvery = evalEvery
        try common.drive(trainable, elapsed: elapsed, logEvery: 50)
        let weights = (common.out as NSString).appendingPathComponent("prior.safetensors")
        try trainer.exportWeights(extra: ["tokenizer_sha256": try SafeTensorsFile.sha256Hex(ofFile: tokenizer)])
            .write(to: weights)
        print("\(weights) sha256 \(try SafeTensorsFile.sha256Hex(ofFile: weights))")
    }
}
