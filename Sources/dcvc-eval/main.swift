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
        subcommands: [Compare.self])
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
