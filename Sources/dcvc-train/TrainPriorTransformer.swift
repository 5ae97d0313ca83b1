import ArgumentParser
import Foundation
import Models
import ModelsTraining
import Tensor
import TensorTraining
import ToolSupport
import Training

/// `dcvc-train prior-transformer`: the transformer index prior over a tokenizer's RVQ indices.
struct TrainPriorTransformer: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prior-transformer",
        abstract: "Train the transformer index prior on a tokenizer's indices of the training frames.",
        discussion: """
            The training frames (MANIFEST purpose 'train', as for 'vq') are tokenized once with --tokenizer \
            and cached (--tokens, default tokens-<tokenizer>.bin beside the run directory). The run \
            directory gets log.csv (bits per index, overall and per level), loss.svg, ckpt-<step>.safetensors \
            (newest 2 kept) and, at the end, prior.safetensors (the shipped weights). --resume continues \
            from the newest checkpoint with the configuration stored in it.
            """)

    @Option(help: "Tokenizer weights (.safetensors).") var tokenizer: String
    @OptionGroup var common: RunOptions
    @Option(help: "Crop side in token positions.") var crop: Int = 16
    @Option(help: "Model width.") var dModel: Int = 64
    @Option(help: "Transformer blocks.") var layers: Int = 2
    @Option(help: "Attention heads.") var heads: Int = 4
    @Option(help: "Rows above the current one that attention sees.") var rowsAbove: Int = 3
    @Option(help: "Columns either side that attention sees.") var columns: Int = 4
    @Option(help: "Token cache file.") var tokens: String?

    func run() throws {
        common.applyThreads(default: 1)
        let stem = ((tokenizer as NSString).lastPathComponent as NSString).deletingPathExtension
        let dataset = try TokenDatasetCache.loadOrBuild(
            cachePath: tokens ?? (common.parent as NSString).appendingPathComponent("tokens-\(stem).bin"), tokenizerPath: tokenizer,
            sources: try DataManifest.sources(dataDir: common.data), options: FramePoolOptions(framesPerVideo: common.framesPerVideo, seed: 1),
            frameCache: try common.frameCache(), progress: { printError($0) })
        var trainer: TransformerPriorTrainer
        var elapsed = 0.0
        if let r = try common.resumed(TransformerPriorTrainer.self) {
            (trainer, elapsed) = r
        } else {
            let config = IndexTransformerConfig(levels: dataset.levels, codebookSize: dataset.codebookSize, dModel: dModel,
                                                layers: layers, heads: heads, rowsAbove: rowsAbove, columns: columns)
            var o = TransformerPriorOptions()
            o.steps = common.steps ?? o.steps; o.batch = common.batch ?? o.batch; o.crop = crop; o.lr = common.lr ?? o.lr; o.seed = common.seed
            trainer = try TransformerPriorTrainer(config: config, options: o)
        }
        guard trainer.config.levels == dataset.levels, trainer.config.codebookSize == dataset.codebookSize else {
            throw ToolError(file: tokenizer, "tokenizer has \(dataset.levels) levels of \(dataset.codebookSize) codes; the prior expects \(trainer.config.levels) of \(trainer.config.codebookSize)")
        }
        printError("model: \(trainer.config.json), \(trainer.network.params.scalarCount) parameters")
        try common.drive(TransformerPriorRun(trainer: trainer, data: dataset), elapsed: elapsed, logEvery: 25)
        let weights = (common.out as NSString).appendingPathComponent("prior.safetensors")
        try trainer.network.weightsFile(extra: ["trained_steps": String(trainer.step),
                                                "tokenizer_sha256": try SafeTensorsFile.sha256Hex(ofFile: tokenizer)])
            .write(to: weights)
        print("\(weights) sha256 \(try SafeTensorsFile.sha256Hex(ofFile: weights))")
    }
}

/// `dcvc-train export-prior`: shipped prior weights from a run's newest checkpoint.
struct ExportPrior: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export-prior",
        abstract: "Write the transformer prior's weights from a run's newest checkpoint (or a checkpoint file).")

    @Option(name: .customLong("run"), help: "Run directory (or a checkpoint file).") var runDir: String
    @Option(name: .shortAndLong, help: "Output .safetensors.") var output: String

    func run() throws {
        guard let path = RunCheckpoints.newest(runOrFile: runDir) else {
            throw ToolError(file: runDir, "no checkpoint in the run directory")
        }
        let (trainer, _) = try RunCheckpoints.restore(path, as: TransformerPriorTrainer.self)
        try trainer.network.weightsFile(extra: ["trained_steps": String(trainer.step)]).write(to: output)
        print("\(output) step \(trainer.step) sha256 \(try SafeTensorsFile.sha256Hex(ofFile: output))")
    }
}
