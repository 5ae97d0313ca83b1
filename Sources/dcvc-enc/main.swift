// dcvc-enc: read a video, code it with the neural codec, write a .dcv file. Thin: the work is in Codec.
import ArgumentParser
import Bitstream
import Checksum
import Codec
import CodecEncoder
import Foundation
import Media
import Tensor
import ToolSupport

struct Encode: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dcvc-enc",
        abstract: "Encode a video (anything libavformat reads, or Y4M) into a .dcv file.",
        discussion: """
            I-frames are coded by a VQGAN encoder and a residual vector quantizer; --rvq-layers sets \
            how many levels are sent (more levels, more bits, better quality). Between I-frames \
            (every --intra-period frames) P-frames are coded by the DCVC inter model at rate point \
            --lambda. Without --rvq-layers the I-frames send 6 levels at every lambda (chosen from \
            RD measurements of the two models together, docs/results.md). The motion vectors have \
            their own rate point, --mv-lambda; without it the DCVC model codes them at 512 for \
            lambda 256, 512 and 1024 and at 1024 for lambda 2048 (the lowest GOP cost measured, \
            docs/results.md), other inter models at --lambda. The output is written to a temporary \
            file and renamed on success.

            --intra-model hyperprior codes the I-frames with the mean-scale hyperprior codec instead \
            (spec/hyperprior.md) at rate point --lambda (no RVQ levels, no index prior). It needs \
            weights/intra-hyperprior.safetensors, written by `dcvc-train hyperprior --export \
            weights/intra-hyperprior.safetensors` after training (docs/training.md).

            \(ExitStatus.helpText)
            """)

    @Argument(help: "Input video file, or - for standard input.")
    var input: String

    @OptionGroup var common: CommonOptions

    // .unconditional: `--rvq-layers -1` is a value to refuse, not a missing one.
    @Option(name: .customLong("rvq-layers"), parsing: .unconditional,
            help: "RVQ levels sent per I-frame (1...8; default: from --lambda).")
    var rvqLayers: Int?

    @Option(name: .customLong("intra-period"), parsing: .unconditional,
            help: "Frames from one I-frame to the next; 1 codes every frame as an I-frame, 0 only the first.")
    var intraPeriod = StreamEncoder.defaultIntraPeriod

    @Option(name: .long, parsing: .unconditional,
            help: "Rate point of the P-frames (and of hyperprior I-frames): 256, 512, 1024 or 2048 (lambda of lambda*MSE + bpp).")
    var lambda = StreamEncoder.defaultLambda

    @Option(name: .customLong("mv-lambda"), parsing: .unconditional,
            help: "Rate point of the P-frames' motion vectors: 256, 512, 1024 or 2048 (default: from --lambda).")
    var mvLambda: Int?

    @Option(name: .customLong("inter-model"), help: "P-frame model.")
    var interModel = StreamEncoder.defaultInterModel

    @Option(name: [.customLong("intra-model"), .customLong("model")],
            help: "I-frame model: vqgan-f8, vqgan-f16 (RVQ, fidelity-trained), vqgan-f8-mse (vqgan-f8 fine-tuned on MSE: higher PSNR), vqgan-f8-mse-deep (vqgan-f8-mse with a second block per stage: higher PSNR still, 40 kMAC/pixel to decode), vqgan-f8-yuv (vqgan-f8-mse-deep trained on for PSNR YUV 6:1:1: the highest PSNR YUV), vqgan-f8-rgb (vqgan-f8-yuv trained on for PSNR RGB: the highest PSNR RGB), vqgan-f8-mix (vqgan-f8-rgb trained on for both PSNRs: +2 dB over vqgan-f8 in RGB and YUV), vqgan-f8-mix-usage (vqgan-f8-mix's training with a codebook usage term added: at least 90 % of level 0's codes used within 32 frames, 0.8 dB below vqgan-f8-mix), vqgan-f8-perceptual, vqgan-f16-perceptual (RVQ, LPIPS + GAN fine-tunes: sharper at low rates, lower PSNR) or hyperprior (needs weights/intra-hyperprior.safetensors).")
    var model = "vqgan-f8"

    @Option(name: .customLong("index-prior"),
            help: "Learned index prior: auto (the model's context prior when its weights are found), none, or a name (the -temporal priors, ctx-f8-temporal, ctx-f8-perceptual-temporal, ctx-f16-perceptual-temporal, ctx-f8-yuv-temporal, ctx-f8-mix-temporal and ctx-f8-mix-usage-temporal, also condition each I-frame on the previous one: for all-intra video).")
    var indexPrior = "auto"

    @Option(name: .customLong("rd-search"), parsing: .unconditional,
            help: "Choose the I-frames' RVQ codes by rate-distortion search with this beam width (1 or more; 0: greedy, the default). See docs/results.md.")
    var rdSearch = 0

    @Option(name: .customLong("rd-lambda"), parsing: .unconditional,
            help: "With --rd-search: multiplier on the frame's lambda (the slope of its greedy rate ladder); 0 searches on latent error alone.")
    var rdLambda = 1.0

    @Option(name: .customLong("rd-iterations"), parsing: .unconditional,
            help: "With --rd-search: search rounds, each with the index prior's bits re-evaluated on the codes of the round before.")
    var rdIterations = 1

    @Flag(name: .customLong("rd-decoder-check"),
          help: "With --rd-search: decode the searched and the greedy codes and keep, per latent position, those whose pixel block costs less.")
    var rdDecoderCheck = false

    @Flag(name: .customLong("list-weights"),
          help: "Print the weight files these options code with (name and SHA-256, one per line), then the header's coding tools (key=value, sorted), and exit without coding.")
    var listWeights = false

    func validate() throws {
        if let rvqLayers, !(1...8).contains(rvqLayers) { throw ValidationError("--rvq-layers \(rvqLayers): must be 1...8") }
        guard intraPeriod >= 0 else { throw ValidationError("--intra-period \(intraPeriod): must be 0 or more") }
        guard rdSearch >= 0 else { throw ValidationError("--rd-search \(rdSearch): must be 0 or more") }
        guard rdLambda >= 0, rdLambda.isFinite else { throw ValidationError("--rd-lambda \(rdLambda): must be 0 or more") }
        guard rdIterations >= 1 else { throw ValidationError("--rd-iterations \(rdIterations): must be 1 or more") }
        if ModelRegistry.isHyperprior(model) {
            if rvqLayers != nil { throw ValidationError("--rvq-layers: intra model \(model) sends no RVQ levels (its rate follows --lambda)") }
            if rdSearch != 0 { throw ValidationError("--rd-search: intra model \(model) has no rate-distortion search") }
        }
        for (option, value) in [("--lambda", lambda), ("--mv-lambda", mvLambda)] {
            if let value, !InterStreamSyntax.ratePoints.contains(value) {
                throw ValidationError("\(option) \(value): must be one of \(InterStreamSyntax.ratePoints.map(String.init).joined(separator: ", "))")
            }
        }
    }

    func run() throws {
        let threads = common.threads ?? defaultThreadCount
        let source = try VideoReader(path: input, maxFrames: common.frames)
        guard let first = try source.nextFrame() else {
            throw ToolError(file: input, "no video frames")
        }
        let encoder = try StreamEncoder(first: first, frameRate: source.frameRate,
                                        store: try WeightStore.checked(explicit: common.weights),
                                        options: .init(model: model, levels: rvqLayers ?? StreamEncoder.defaultLevels(lambda: lambda),
                                                       indexPrior: .init(indexPrior), threads: threads,
                                                       intraPeriod: intraPeriod, lambda: lambda, mvLambda: mvLambda, interModel: interModel,
                                                       rdSearch: rdSearch == 0 ? nil : RDSearch(beam: rdSearch, lambdaScale: rdLambda,
                                                                                                 iterations: rdIterations, decoderCheck: rdDecoderCheck)))
        if listWeights {
            for w in encoder.header.weights { print("\(w.name) \(SHA256.hex(w.sha256))") }
            // The tools too: a default that changes (RVQ levels, MV rate point) changes the coding.
            for (key, value) in encoder.header.tools.sorted(by: { $0.key < $1.key }) { print("\(key)=\(value)") }
            return
        }
        let output = try AtomicOutput(path: common.output, overwrite: common.overwrite)
        let writer = try output.writing {
            try ContainerWriter(sink: FileSink(fileHandle: output.fileHandle), header: encoder.header, name: common.output)
        }
        let total = common.frames.map { min($0, source.frameCountEstimate ?? $0) } ?? source.frameCountEstimate
        let progress = ProgressLine(total: total, frameRate: source.frameRate.framesPerSecond, force: common.progress)
        let start = Date()
        var frame: VideoFrame? = first
        var intraFrames = 0
        // Coding time by frame type (the encoder's work only, not reading or writing).
        var intraSeconds = 0.0, interSeconds = 0.0
        while let f = frame {
            let t0 = Date()
            let unit = try encoder.encode(f)
            let t = Date().timeIntervalSince(t0)
            if unit.type == .intra { intraFrames += 1; intraSeconds += t } else { interSeconds += t }
            _ = try output.writing { try writer.write(unit) }
            progress.update(frames: writer.framesWritten, bytes: writer.bytesWritten)
            frame = try source.nextFrame()
        }
        try output.writing { try writer.finish() }
        try output.commit()
        progress.finish()
        let seconds = Date().timeIntervalSince(start)
        let frames = writer.framesWritten, fileBytes = writer.bytesWritten
        let bpp = Double(fileBytes) * 8 / Double(first.width * first.height * frames)
        let kbps = Double(fileBytes) * 8 / 1000 / (Double(frames) / source.frameRate.framesPerSecond)
        func rate(_ n: Int, _ s: Double) -> String { n > 0 && s > 0 ? String(format: "%.2f fps", Double(n) / s) : "-" }
        printError(String(format: "dcvc-enc: %d frames %dx%d (%d I, %d P), %d bytes, %.4f bpp, %.1f kb/s, %.2f fps (%d threads), index prior %@; coding I %@, P %@",
                          frames, first.width, first.height, intraFrames, frames - intraFrames, fileBytes, bpp, kbps,
                          Double(frames) / seconds, threads, encoder.prior?.name ?? "none",
                          rate(intraFrames, intraSeconds), rate(frames - intraFrames, interSeconds)))
    }
}

tuneAllocatorForFrameBuffers()
runTool(Encode.self)
