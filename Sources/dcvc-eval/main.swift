// dcvc-eval: rate-distortion measurements. Thin: the work is in Evaluation.
import ArgumentParser
import Evaluation
import Foundation
import Media
import ToolSupport

struct Eval: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dcvc-eval",
        abstract: "Rate-distortion measurements of the codec against references.",
        subcommands: [Run.self, Compare.self, Speed.self],
        defaultSubcommand: Run.self)
}

/// `dcvc-eval --config FILE`: run an experiment (docs/evaluation.md).
struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a rate-distortion experiment described by a JSON config (the default subcommand).",
        discussion: """
            Codes every video of the config's datasets with every method at every rate point, measures \
            bpp, PSNR (RGB and YUV 6:1:1), SSIM, MS-SSIM and LPIPS, and writes results.csv, \
            results.json, one rd-<metric>.svg per metric and report.md (BD-rate against the anchor) into \
            the config's output directory. Points already in results.json with the same settings are \
            not recomputed. A point that fails is recorded with its error and the run goes on (exit 0). \
            Paths in the config are relative to the current directory; the configs in eval/ are \
            written to run from the repository root. Our codec runs as the dcvc-enc and dcvc-dec \
            beside this executable.

            \(ExitStatus.helpText)
            """)

    @Option(name: .long, help: "The experiment's JSON config (e.g. eval/intra-rvq.json).")
    var config: String

    @Flag(name: .long, help: "Recompute every point, ignoring results already stored.")
    var force = false

    @Flag(name: .customLong("report-only"), help: "Only rewrite the plots and report.md from the stored results.json.")
    var reportOnly = false

    @Flag(name: .long, help: "Show the progress line even when stderr is not a terminal.")
    var progress = false

    func run() throws {
        let cfg: EvalConfig
        do { cfg = try EvalConfig.load(path: config) } catch let e as ConfigError {
            throw ToolError(file: e.file, [e.key, e.reason].compactMap { $0 }.joined(separator: ": "))
        }
        let exe = Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0])
        let runner = EvalRunner(config: cfg, toolDirectory: exe.resolvingSymlinksInPath().deletingLastPathComponent().path)
        runner.force = force
        let status = StatusLine(force: progress)
        runner.warn = { status.log("dcvc-eval: warning: \($0)") }
        if reportOnly {
            let table = try ResultsTable.load(json: (cfg.output as NSString).appendingPathComponent("results.json"))
            guard !table.rows.isEmpty else { throw ToolError(file: cfg.output, "no results.json to report on") }
            try runner.writeReport(table)
            printError("dcvc-eval: report and plots rewritten in \(cfg.output)")
            return
        }
        let start = Date()
        var computed = 0, errors = 0
        runner.progress = { e in
            let tag = "[\(e.index)/\(e.total)] \(e.clip)  \(e.method) \(e.point)"
            switch e.phase {
            case .coding:
                let elapsed = Date().timeIntervalSince(start)
                let filled = 20 * (e.index - 1) / max(e.total, 1)
                let bar = "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: 20 - filled) + "] "
                var line = bar + tag + "  coding  elapsed " + ProgressLine.clock(elapsed)
                if computed > 0 {
                    line += "  ETA " + ProgressLine.clock(elapsed / Double(computed) * Double(e.total - e.index + 1))
                }
                status.show(line)
            case .reused:
                status.log(tag + ": already measured")
            case .measured(let r):
                computed += 1
                if let err = r.error {
                    errors += 1
                    status.log(tag + ": error: " + err)
                } else {
                    status.log(tag + String(format: ": %d bytes  %.4f bpp  PSNR RGB %.2f  YUV %.2f dB  enc %.2f s  dec %.2f s",
                                            r.bytes ?? 0, r.bpp ?? 0, r.psnrRGB ?? 0, r.psnrYUV ?? 0,
                                            r.encodeSeconds ?? 0, r.decodeSeconds ?? 0))
                }
            }
        }
        let table = try runner.run()
        status.finish()
        printError("dcvc-eval: \(table.rows.count) points (\(computed) measured now, \(errors) with errors) in "
                   + ProgressLine.clock(Date().timeIntervalSince(start)) + "; results, plots and report.md in \(cfg.output)")
    }
}

/// `dcvc-eval compare REF TEST`: PSNR of a decoded video against its source.
struct Compare: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "PSNR (Y, U, V and YUV 6:1:1) of a test video against a reference, frame by frame.",
        discussion: """
            Both videos are read with libavformat (or our Y4M reader) and compared in 8-bit YUV 4:2:0. \
            Figures are the PSNR of the mean of per-frame MSE. Extra frames of the longer video are \
            ignored; the count compared is printed.

            \(ExitStatus.helpText)
            """)

    @Argument(help: "The reference (source) video.")
    var reference: String

    @Argument(help: "The video to measure, e.g. a decoded .y4m.")
    var test: String

    @Option(name: .long, help: "Compare at most this many frames.")
    var frames: Int?

    @Flag(name: .long, help: "Print JSON.")
    var json = false

    func run() throws {
        let ref = try openVideo(path: reference, maxFrames: frames)
        let tst = try openVideo(path: test, maxFrames: frames)
        var seq = SequencePSNR()
        while let a = try ref.nextFrame(), let b = try tst.nextFrame() {
            do { seq.add(try PlaneErrors(a, b)) } catch {
                throw ToolError(file: test, frame: seq.frames, "\(error)")
            }
        }
        guard seq.frames > 0 else { throw ToolError(file: test, "no frames to compare") }
        if json {
            print(String(format: "{\"frames\": %d, \"psnr_y\": %.4f, \"psnr_u\": %.4f, \"psnr_v\": %.4f, \"psnr_yuv\": %.4f}",
                         seq.frames, seq.y, seq.u, seq.v, seq.yuv))
        } else {
            print(String(format: "%d frames  PSNR Y %.2f  U %.2f  V %.2f  YUV(6:1:1) %.2f dB",
                         seq.frames, seq.y, seq.u, seq.v, seq.yuv))
        }
    }
}

/// `dcvc-eval speed`: issue #11's 720p speed and memory figures (docs/evaluation.md).
struct Speed: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure encoding and decoding fps (P-frames apart from I-frames), x265's fps and dcvc-dec's peak memory.",
        discussion: """
            Reads the first frames of --video (which must be --size; it is not resized), played forwards \
            and backwards when it is shorter than needed, and writes them to a temporary Y4M. dcvc-enc \
            (beside this executable) codes max(--frames, --memory-frames) of them with I- and P-frames; \
            the first --frames are decoded in this process with each frame timed and filed as I or P by \
            its frame unit; dcvc-dec decodes the first --frames and each --memory-frames count as a child \
            process under /usr/bin/time, which reports its peak RSS; libx265 codes the same frames (preset \
            --x265-preset, tune zerolatency, keyint = --intra-period). Prints a Markdown report and \
            writes speed.md and speed.json into --output. Use a release build.

            \(ExitStatus.helpText)
            """)

    @Option(name: .long, help: "The source clip.")
    var video = "data/videos/bigbuckbunny.mp4"

    @Option(name: .long, help: "Required source size, WIDTHxHEIGHT.")
    var size = "1280x720"

    // 30: the fps decode doubles as the 30-frame memory point (one dcvc-dec run fewer).
    @Option(name: .long, help: "Frames decoded for the fps figures.")
    var frames = 30

    @Option(name: .customLong("memory-frames"), help: "Comma-separated frame counts whose dcvc-dec peak memory is compared.")
    var memoryFrames = "30,300"

    @Option(name: .long, help: "Threads of dcvc-enc and dcvc-dec (and x265's pool).")
    var threads = 2

    @Option(name: .long, help: "P-frame rate point of dcvc-enc.")
    var lambda = 1024

    @Option(name: .customLong("intra-period"), help: "Intra period of dcvc-enc and keyint of x265.")
    var intraPeriod = 32

    @Option(name: .customLong("x265-preset"), help: "x265 preset.")
    var x265Preset = "medium"

    @Option(name: .customLong("x265-crf"), help: "x265 constant rate factor.")
    var x265CRF = 27

    @Option(name: .long, help: "Directory for speed.md and speed.json.")
    var output = "runs/speed"

    func run() throws {
        let dims = size.lowercased().split(separator: "x").compactMap { Int($0) }
        guard dims.count == 2, dims.allSatisfy({ $0 > 0 }) else { throw ValidationError("--size \(size): expected WIDTHxHEIGHT") }
        let counts = memoryFrames.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !counts.isEmpty, counts.allSatisfy({ $0 >= 1 }), frames >= 1, threads >= 1, intraPeriod >= 1 else {
            throw ValidationError("--frames, --memory-frames, --threads and --intra-period must be positive")
        }
        let exe = Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0])
        var o = SpeedStudy.Options(video: video, toolDirectory: exe.resolvingSymlinksInPath().deletingLastPathComponent().path)
        o.size = (dims[0], dims[1])
        o.frames = frames; o.memoryFrames = counts; o.threads = threads
        o.lambda = lambda; o.intraPeriod = intraPeriod; o.x265Preset = x265Preset; o.x265CRF = x265CRF
        var study = SpeedStudy(options: o)
        study.log = { printError("dcvc-eval speed: \($0)") }
        let scratch = (NSTemporaryDirectory() as NSString).appendingPathComponent("dcvc-speed-\(getpid())")
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let result: SpeedStudy.Result
        do { result = try study.run(scratch: scratch) } catch let e as EvaluationError {
            throw ToolError(file: video, e.description)
        }
        let command = "dcvc-eval speed " + CommandLine.arguments.dropFirst(2).joined(separator: " ")
        let text = result.markdown(command: command)
        try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
        try Data(text.utf8).write(to: URL(fileURLWithPath: (output as NSString).appendingPathComponent("speed.md")))
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys]
        try enc.encode(result).write(to: URL(fileURLWithPath: (output as NSString).appendingPathComponent("speed.json")))
        print(text, terminator: "")
    }
}

tuneAllocatorForFrameBuffers()
runTool(Eval.self)
