import ArgumentParser
import Foundation
import Models
import Tensor
import TensorTraining
import ToolSupport
import Training

/// `dcvc-train vq`: the VQGAN + RVQ tokenizer.
struct TrainVQ: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vq",
        abstract: "Train the VQGAN + residual-VQ tokenizer on the data directory's training files.",
        discussion: """
            Frames come from the files MANIFEST lists with purpose 'train' (videos and photos), \
            decoded once into a zstd cache (frame-cache beside the run directory by default). The run directory gets \
            log.csv, loss.svg, ckpt-<step>.safetensors (newest 2 kept, every --checkpoint-minutes) and, at the \
            end, vq.safetensors (the shipped weights). --resume continues from the newest checkpoint \
            with the configuration stored in it.
            """)

    @OptionGroup var common: RunOptions
    @Option(help: "Downsampling factor, 8 or 16.") var f: Int = 8
    @Option(help: "Crop side in pixels.") var crop: Int = 128
    @Option(help: "RVQ levels (1-8).") var levels: Int = 8
    @Option(help: "Codewords per level.") var codebook: Int = 256
    @Option(help: "Code dimension.") var dim: Int = 16
    @Option(help: "Channel widths per stage, comma-separated (default 32,64,128[,128]).") var channels: String?
    @Option(help: "Residual blocks per encoder stage.") var encoderBlocks: Int = 1
    @Option(help: "Residual blocks per decoder stage.") var decoderBlocks: Int = 1
    @Option(help: "Reconstruction loss: l1 or mse.") var rec: String = "l1"
    @Option(help: "Weight of 1 - MS-SSIM.") var msssim: Float = 0.2
    @Option(help: "Fraction of samples trained on a random prefix of levels (quantizer dropout).") var dropout: Float = 0.5
    @Flag(help: "Only print the model's size and MACs per pixel.") var dryRun = false

    func run() throws {
        common.applyThreads(default: 2)
        var trainer: VQTrainer
        var elapsed = 0.0
        if let r = try common.resumed(VQTrainer.self) {
            (trainer, elapsed) = r
        } else {
            var config = VQConfig.standard(f: f, codeDim: dim, codebookSize: codebook, levels: levels)
            if let channels {
                config.channels = try channels.split(separator: ",").map {
                    guard let v = Int($0) else { throw ValidationError("bad --channels \(channels)") }
                    return v
                }
            }
            config.encoderBlocks = encoderBlocks; config.decoderBlocks = decoderBlocks
            var o = VQTrainOptions()
            o.steps = common.steps ?? 3000; o.batch = common.batch ?? 8; o.crop = crop; o.lr = common.lr ?? 4e-4; o.seed = common.seed
            o.reconstruction = rec; o.msssimWeight = msssim; o.dropoutProbability = dropout
            trainer = try VQTrainer(config: config, options: o)
        }
        let macs = trainer.network.macsPerPixel()
        printError("model: \(trainer.config.json)")
        printError(String(format: "parameters %d (encoder+decoder), MACs/pixel: encoder %.0f, decoder %.0f",
                          trainer.network.weightSpecs().encoder.reduce(0) { $0 + $1.shape.reduce(1, *) }
                          + trainer.network.weightSpecs().decoder.reduce(0) { $0 + $1.shape.reduce(1, *) },
                          macs.encoder, macs.decoder))
        if dryRun { return }
        let sources = try DataManifest.sources(dataDir: common.data)
        let t0 = Date()
        let pool = try FramePool(sources: sources,
                                 options: FramePoolOptions(framesPerVideo: common.framesPerVideo, crop: trainer.options.crop,
                                                           seed: trainer.options.seed),
                                 cache: try common.frameCache(), progress: { printError($0) })
        printError(String(format: "frame pool: %d frames from %d files in %.1f s", pool.frames.count, sources.count,
                          Date().timeIntervalSince(t0)))
        let sampler = BatchSampler(pool: pool, batch: trainer.options.batch, crop: trainer.options.crop,
                                   seed: trainer.options.seed &+ 0x5EED)
        try common.drive(VQTrainingRun(trainer: trainer, sampler: sampler), elapsed: elapsed, logEvery: 25)
        let weights = (common.out as NSString).appendingPathComponent("vq.safetensors")
        try trainer.exportWeights().write(to: weights)
        print("\(weights) sha256 \(try SafeTensorsFile.sha256Hex(ofFile: weights))")
    }
}

/// `dcvc-train export-vq`: shipped weights from a run's newest checkpoint.
struct ExportVQ: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export-vq",
        abstract: "Write the tokenizer weights (decoder, codebooks, encoder) from a run's newest checkpoint.")

    @Option(name: .customLong("run"), help: "Run directory (or a checkpoint file).") var runDir: String
    @Option(name: .shortAndLong, help: "Output .safetensors.") var output: String
    @Flag(help: "Leave the encoder out (decoder-only file).") var decoderOnly = false

    func run() throws {
        guard let path = RunCheckpoints.newest(runOrFile: runDir) else {
            throw ToolError(file: runDir, "no checkpoint in the run directory")
        }
        let (trainer, _) = try RunCheckpoints.restore(path, as: VQTrainer.self)
        try writeExportedWeights(trainer.exportWeights(includeEncoder: !decoderOnly), to: output, source: "\(path) (step \(trainer.step))")
    }
}

/// `dcvc-train eval-vq`: PSNR per prefix of levels on a video through the real decoder path.
struct EvalVQ: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval-vq",
        abstract: "RGB PSNR per number of RVQ levels (uncoded index bits) on the first frames of a video.")

    @Option(help: "Weights file (.safetensors from export-vq).") var weights: String
    @Option(help: "Video to evaluate.") var video: String
    @Option(help: "Frames to evaluate.") var frames: Int = 8
    @Option(help: "Threads.") var threads: Int = 2

    func run() throws {
        TrainingKernels.threads = threads
        let tok = try VQTokenizer(path: weights)
        let e = try TokenizerEvaluation(tokenizer: tok, path: video, maxFrames: frames, threads: threads)
        print("\(video)\n\(e.report)", terminator: "")
    }
}
