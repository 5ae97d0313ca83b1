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
        subcommands: [Run.self, Compare.self],
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

runTool(Eval.self)
