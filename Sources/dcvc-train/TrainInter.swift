import ArgumentParser
import Foundation
import Models
import Tensor
import ToolSupport
import Training

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
            a random number of RVQ levels. Each stage runs in <out>/stage<N> (log.csv, \
            ckpt-<step>.safetensors); a new stage starts from the previous stage's newest checkpoint. \
            --export writes the shipped weights from the stage's newest checkpoint.
            """)

    @Option(help: "Data directory with MANIFEST.") var data: String = "data"
    @Option(help: "Run directory (one subdirectory per stage).") var out: String = "runs/inter"
    @Option(help: "Stage 1...4.") var stage: Int = 1
    @Option(help: "Total steps of this stage (with --resume, replaces the stored total).") var steps: Int?
    @Option(help: "Batch size (default: 4, stage 4: 2).") var batch: Int?
    @Option(help: "Crop side in pixels (multiple of 64).") var crop: Int = 128
    @Option(help: "Peak learning rate (default 3e-4, stage 4: 1e-4).") var lr: Float?
    @Option(help: "P-frames per sample in stage 4 (4...6).") var pFrames: Int?
    @Option(help: "Random seed.") var seed: UInt64 = 1
    @Option(help: "Threads for the training kernels.") var threads: Int = 2
    @Option(help: "GOPs decoded per training video.") var gopsPerVideo: Int = 64
    @Option(help: "Frame cache directory (default: frame-cache beside the run directory).") var cache: String?
    @Option(help: "I-frame tokenizer weights.") var tokenizer: String = "weights/vqgan-f8.safetensors"
    @Option(help: "Weights to start a new stage from (default: the previous stage's newest checkpoint).") var initFrom: String?
    @Option(help: "CSV/progress line every N steps.") var logEvery: Int = 10
    @Option(help: "Minutes between checkpoints.") var checkpointMinutes: Double = 5
    @Option(help: "Stop (with a checkpoint) after this many minutes of training.") var minutes: Double?
    @Option(help: "Write the shipped weights (from this stage's newest checkpoint) to this path and exit.") var export: String?
    @Flag(help: "Continue from the newest checkpoint of this stage.") var resume = false
    @Flag(help: "Only print the model's size and MACs per pixel.") var dryRun = false

    func run() throws {
        TrainingKernels.threads = threads
        let stageDir = (out as NSString).appendingPathComponent("stage\(stage)")
        if let export { return try exportWeights(from: stageDir, to: export) }
        var elapsed = 0.0
        let trainer: InterTrainer
        if let (t, e) = try RunCheckpoints.resumed(InterTrainer.self, runDir: stageDir, resume: resume, steps: steps,
                                                   log: { printError($0) }) {
            trainer = t; elapsed = e
        } else {
            var o = InterTrainOptions.defaults(stage: stage)
            if let steps { o.steps = steps }
            if let batch { o.batch = batch }
            if let lr { o.lr = lr }
            if let pFrames { o.pFrames = pFrames }
            o.crop = crop; o.seed = seed
            trainer = try InterTrainer(config: InterConfig(), options: o)
            if stage > 1, !dryRun {
                let prev = (out as NSString).appendingPathComponent("stage\(stage - 1)")
                guard let from = initFrom ?? RunCheckpoints.list(prev).last else {
                    throw ToolError(file: prev, "stage \(stage) starts from stage \(stage - 1): no checkpoint there (or give --init-from)")
                }
                try trainer.loadWeights(from: from)
                printError("stage \(stage) starts from \(from)")
            }
        }
        let macs = trainer.network.macsPerPixel()
        printError("model: \(trainer.config.json)")
        printError(String(format: "parameters %d; MACs/pixel: decode %.0f, encoder-only %.0f (encoder total %.0f)",
                          trainer.params.scalarCount, macs.decoder, macs.encoder, macs.decoder + macs.encoder))
        printError("options: \(String(decoding: try JSONEncoder().encode(trainer.options), as: UTF8.self))")
        if dryRun { return }

        let videos = try DataManifest.sources(dataDir: data).filter { $0.kind == .video }.map(\.path)
        let cacheDir = try FrameCache(directory: cache ?? (((out as NSString).standardizingPath as NSString)
            .deletingLastPathComponent as NSString).appendingPathComponent("frame-cache"))
        let t0 = Date()
        let o = trainer.options
        let pool = try GOPPool(videos: videos, length: 7, gopsPerVideo: gopsPerVideo, crop: o.crop, seed: o.seed,
                               cache: cacheDir, progress: { printError($0) })
        printError(String(format: "GOP pool: %d GOPs from %d videos in %.1f s", pool.gops.count, videos.count,
                          Date().timeIntervalSince(t0)))
        let tok = try VQTokenizer(path: tokenizer)
        // The decoder runs on the training kernels here (the deterministic ones give the same
        // frame up to float rounding, several times slower).
        // It runs on the prefetch thread: frozen weights instead of `Variable.noGrad` (a global
        // switch that would cut the training step's graph on the main thread).
        let decoderParams = ParameterSet()
        for (name, w) in tok.decoderWeights.sorted(by: { $0.key < $1.key }) { decoderParams.add(name, w) }
        decoderParams.setTrainable(false) { _ in true }
        tok.encoderParams?.setTrainable(false) { _ in true }
        let f = tok.config.factor
        let coder: (Tensor, Int) -> Tensor = { img, levels in
            let (h, w) = (img.shape[2] / f, img.shape[3] / f)
            let z = tok.quantizer.decoderInput(indices: Array(tok.encode(img).prefix(levels)), prefix: [levels],
                                               gains: tok.gains, height: h, width: w)
            return tok.network.decode(Variable(z), TrainingBackend(params: decoderParams)).value
        }
        let sampler = GOPSampler(pool: pool, batch: o.batch, crop: o.crop, frames: o.pFrames + 1,
                                 rates: trainer.config.lambdas.count, maxLevels: tok.config.levels,
                                 seed: o.seed &+ 0x60B, iframeCoder: coder)
        var loop = InterTrainingRun(runDir: stageDir)
        loop.logEvery = logEvery
        loop.checkpointSeconds = checkpointMinutes * 60
        loop.timeLimit = minutes.map { $0 * 60 }
        try loop.run(trainer, sampler: sampler, elapsed: elapsed, progress: { printError($0) })
    }

    func exportWeights(from stageDir: String, to path: String) throws {
        guard let ckpt = RunCheckpoints.list(stageDir).last else { throw ToolError(file: stageDir, "no checkpoint to export") }
        let (trainer, _) = try RunCheckpoints.restore(ckpt, as: InterTrainer.self)
        let dir = (path as NSString).deletingLastPathComponent
        if !dir.isEmpty { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }
        var file = trainer.exportWeights()
        InterTables.add(to: &file)
        try file.write(to: path)
        print("\(path) from \(ckpt) (stage \(trainer.options.stage), step \(trainer.step)) sha256 \(try SafeTensorsFile.sha256Hex(ofFile: path))")
    }
}
