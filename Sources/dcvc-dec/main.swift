// dcvc-dec: decode a .dcv file to Y4M, bit-exactly the same on every machine. Thin: the work is in Codec.
import ArgumentParser
import Bitstream
import Codec
import Foundation
import Media
import Tensor
import ToolSupport

struct Decode: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dcvc-dec",
        abstract: "Decode a .dcv file to a Y4M video (4:2:0, 8-bit).",
        discussion: """
            The whole container is validated unit by unit (lengths, limits, CRC-32C) before any \
            payload reaches the entropy decoder. The output is bit-identical for any --threads and \
            any machine. It is written to a temporary file and renamed on success; with -o - it \
            streams to standard output.

            \(ExitStatus.helpText)
            """)

    @Argument(help: "The .dcv file, or - for standard input.")
    var input: String

    @OptionGroup var common: CommonOptions

    func run() throws {
        let threads = common.threads ?? defaultThreadCount
        let reader = input == "-" ? try ContainerReader(fileHandle: .standardInput, name: "<stdin>")
                                  : try ContainerReader(path: input)
        let header = reader.header
        let store = WeightStore.standard(explicit: common.weights)
        let tokenizer = try IntraModelRegistry.tokenizer(for: header, store: store, file: input)
        let prior = try IndexPriorRegistry.prior(for: header, store: store, file: input)
        let decoder = try IntraStreamDecoder(header: header, tokenizer: tokenizer, prior: prior, file: input, threads: threads)
        let output = try AtomicOutput(path: common.output, overwrite: common.overwrite)
        let y4m = try Y4MWriter(path: output.writePath, header: Y4MHeader(
            width: header.width, height: header.height,
            frameRate: Media.FrameRate(header.frameRate.numerator, header.frameRate.denominator),
            chroma: .c420jpeg, colorRange: header.colour.fullRange ? .full : .limited))
        let total = header.frameCount > 0 ? min(header.frameCount, common.frames ?? .max) : common.frames
        let progress = ProgressLine(total: total, frameRate: header.frameRate.framesPerSecond, force: common.progress)
        let start = Date()
        while y4m.framesWritten < (common.frames ?? .max), let unit = try reader.nextFrame() {
            try y4m.write(try decoder.decode(unit))
            progress.update(frames: y4m.framesWritten, bytes: reader.bytesRead)
        }
        try y4m.close()
        try output.commit()
        progress.finish()
        let seconds = Date().timeIntervalSince(start)
        printError(String(format: "dcvc-dec: %d frames %dx%d, %.2f fps (%d threads)",
                          y4m.framesWritten, header.width, header.height,
                          Double(y4m.framesWritten) / seconds, threads))
    }
}

runTool(Decode.self)
