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
            with the configuration stored in it. --recipe perceptual adds LPIPS-Alex (data/lpips) and a \
            patch discriminator (docs/training.md, "Perceptual recipe"); --init-from fine-tunes a shipped \
            tokenizer (its configuration replaces the architecture flags, except that --encoder-blocks and \
            --decoder-blocks may deepen it).
            """)

    @OptionGroup var common: RunOptions
    @Option(help: "Downsampling factor, 8 or 16.") var f: Int = 8
    @Option(help: "Crop side in pixels.") var crop: Int = 128
    @Option(help: "RVQ levels (1-8).") var levels: Int = 8
    @Option(help: "Codewords per level.") var codebook: Int = 256
    @Option(help: "Code dimension.") var dim: Int = 16
    @Option(help: "Channel widths per stage, comma-separated (default 32,64,128[,128]).") var channels: String?
    @Option(help: "Residual blocks per encoder stage (default 1; with --init-from, more than the file's adds blocks that start as identities).")
    var encoderBlocks: Int?
    @Option(help: "Residual blocks per decoder stage (default 1; with --init-from, as --encoder-blocks).") var decoderBlocks: Int?
    @Option(help: "Reconstruction loss: l1, mse (RGB), yuv611 (MSE weighted 6:1:1 over Y, Cb, Cr) or mse+yuv611 (their mean).") var rec: String = "l1"
    @Option(help: "Weight of 1 - MS-SSIM.") var msssim: Float = 0.2
    @Option(help: "Fraction of samples trained on a random prefix of levels (quantizer dropout).") var dropout: Float = 0.5
    @Option(help: "Loss recipe: fidelity (L1 + MS-SSIM) or perceptual (+ LPIPS 1.0, GAN 0.8 from step 1000); the flags below override it.")
    var recipe: VQTrainOptions.Recipe = .fidelity
    @Option(help: "Weight of LPIPS-Alex in the reconstruction loss (fidelity: 0).") var perceptualWeight: Float?
    @Option(help: "Weight of the adaptive-weighted GAN term (fidelity: 0, no discriminator).") var discWeight: Float?
    @Option(help: "First step of the GAN term and discriminator updates.") var discStart: Int?
    @Option(help: "Peak discriminator learning rate (default: --lr).") var discLr: Float?
    @Option(help: "Discriminator width, taming's ndf (default 64).") var discChannels: Int?
    @Option(help: "Discriminator strided stages, taming's n_layers (default 3).") var discLayers: Int?
    @Flag(help: "Show the discriminator real and reconstructed images through DiffAugment (colour, translation, cutout).")
    var discAugment = false
    @Option(help: "Weight of the level-0 usage term (per-image code entropy; default 0, off).") var usageWeight: Float?
    @Option(help: "Temperature of the usage term's soft assignment (default 0.02).") var usageTemperature: Float?
    @Option(help: "Start from this tokenizer weights file (with encoder), e.g. weights/vqgan-f8.safetensors.") var initFrom: String?
    @Flag(help: "Only print the model's size and MACs per pixel.") var dryRun = false

    func run() throws {
        common.applyThreads(default: 2)
        var trainer: VQTrainer
        var elapsed = 0.0
        if let r = try common.resumed(VQTrainer.self) {
            (trainer, elapsed) = r
        } else {
            var config = VQConfig.standard(f: f, codeDim: dim, codebookSize: codebook, levels: levels)
            let initFile = try initFrom.map { try SafeTensorsFile.read(from: $0) }
            if let initFile, let initFrom {
                config = try VQTokenizer(file: initFile, path: initFrom).config
                printError("initialising from \(initFrom): its configuration replaces the architecture flags but the block counts")
            } else if let channels {
                config.channels = try channels.split(separator: ",").map {
                    guard let v = Int($0) else { throw ValidationError("bad --channels \(channels)") }
                    return v
                }
            }
            if let encoderBlocks { config.encoderBlocks = encoderBlocks }
            if let decoderBlocks { config.decoderBlocks = decoderBlocks }
            var o = VQTrainOptions()
            o.steps = common.steps ?? 3000; o.batch = common.batch ?? 8; o.crop = crop; o.lr = common.lr ?? 4e-4; o.seed = common.seed
            o.reconstruction = rec; o.msssimWeight = msssim; o.dropoutProbability = dropout
            o.apply(recipe)
            if let perceptualWeight { o.perceptualWeight = perceptualWeight }
            if let discWeight { o.discWeight = discWeight }
            if let discStart { o.discStart = discStart }
            if let discLr { o.discLR = discLr }
            if let discChannels { o.discChannels = discChannels }
            if let discLayers { o.discLayers = discLayers }
            if discAugment { o.discAugment = true }
            if let usageWeight { o.usageWeight = usageWeight }
            if let usageTemperature { o.usageTemperature = usageTemperature }
            trainer = try VQTrainer(config: config, options: o)
            if let initFile, let initFrom { try trainer.initialize(from: initFile, path: initFrom) }
        }
        try trainer.loadPerceptualLoss(path: LPIPSAlex.defaultPath(dataDir: common.data))
        let o = trainer.options
        printError(String(format: "losses: %@ + %.2g (1 - MS-SSIM)", o.reconstruction, o.msssimWeight)
                   + (o.lpipsWeight > 0 ? String(format: " + %.2g LPIPS", o.lpipsWeight) : "")
                   + (o.adversarialWeight > 0
                      ? String(format: " + GAN (adaptive x %.2g from step %d, disc lr %.2g)", o.adversarialWeight,
                               o.discriminatorStart, o.discLR ?? o.lr)
                      + (o.augmentsDiscriminatorInput ? ", DiffAugment" : "") : "")
                   + (o.usageTermWeight > 0
                      ? String(format: " + %.2g level-0 usage (τ %.2g)", o.usageTermWeight,
                               o.usageTemperature ?? VQTrainer.defaultUsageTemperature) : ""))
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
        abstract: "RGB PSNR, PSNR YUV 6:1:1 of full-resolution YCbCr (and with --lpips LPIPS-Alex) per number of RVQ levels (uncoded index bits), "
            + "codebook usage and index repeats between frames, on the first frames of a video.")

    @Option(help: "Weights file (.safetensors from export-vq).") var weights: String
    @Option(help: "Video to evaluate.") var video: String
    @Option(help: "Frames to evaluate.") var frames: Int = 8
    @Option(help: "Threads.") var threads: Int = 2
    @Flag(help: "Skip the decoder: codebook usage and repeats only (no PSNR).") var indicesOnly = false
    @Flag(help: "Also the mean LPIPS-Alex per number of levels (weights from <data>/lpips, `make lpips`).") var lpips = false
    @Option(help: "Data directory holding lpips/ (with --lpips).") var data = "data"

    func run() throws {
        TrainingKernels.threads = threads
        let tok = try VQTokenizer(path: weights)
        let network = try lpips ? LPIPSAlex(path: LPIPSAlex.defaultPath(dataDir: data)) : nil
        let e = try TokenizerEvaluation(tokenizer: tok, path: video, maxFrames: frames, threads: threads,
                                        decode: !indicesOnly, lpips: network)
        print("\(video)\n\(e.report)", terminator: "")
    }
}

extension VQTrainOptions.Recipe: ExpressibleByArgument {}
