// dcvc-dec: decode a .dcv file to Y4M, bit-exactly the same on every machine. Thin: the work is in Codec.
import ArgumentParser
import Bitstream
import Checksum
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

            --md5 prints the MD5 of the Y4M bytes written (header line, FRAME lines and planes: \
            the value `md5sum` gives for the output file) on standard output, as 32 hex digits.

            \(ExitStatus.helpText)
            """)

    @Argument(help: "The .dcv file, or - for standard input.")
    var input: String

    @OptionGroup var common: CommonOptions

    @Flag(name: .long, help: "Print the MD5 of the Y4M output (what md5sum prints for it) on stdout.")
    var md5 = false

    @Option(name: .customLong("max-pixels"), help: "Refuse streams whose width x height is larger (default 8192x4352).")
    var maxPixels = StreamDecoder.Options.defaultMaxPixels

    func validate() throws {
        if md5 && common.output == "-" { throw ValidationError("--md5 prints on stdout; it cannot be used with -o -") }
        if maxPixels < 1 { throw ValidationError("--max-pixels must be at least 1") }
    }

    func run() throws {
        let threads = common.threads ?? defaultThreadCount
        let reader = input == "-" ? try ContainerReader(fileHandle: .standardInput, name: "<stdin>")
                                  : try ContainerReader(path: input)
        let decoder = try StreamDecoder(reader: reader, store: try WeightStore.checked(explicit: common.weights),
                                        options: .init(threads: threads, maxPixels: maxPixels))
        let output = try AtomicOutput(path: common.output, overwrite: common.overwrite)
        var digest = MD5()
        let y4m = try output.writing {
            try Y4MWriter(path: output.writePath, header: decoder.output, observe: md5 ? { digest.update($0) } : nil)
        }
        let header = decoder.header
        let total = header.frameCount > 0 ? min(header.frameCount, common.frames ?? .max) : common.frames
        let progress = ProgressLine(total: total, frameRate: header.frameRate.framesPerSecond, force: common.progress)
        let start = Date()
        while y4m.framesWritten < (common.frames ?? .max), let frame = try decoder.nextFrame() {
            try output.writing { try y4m.write(frame) }
            progress.update(frames: y4m.framesWritten, bytes: reader.bytesRead)
        }
        try output.writing { try y4m.close() }
        try output.commit()
        progress.finish()
        if md5 { print(MD5.hex(digest.finalize())) }
        let seconds = Date().timeIntervalSince(start)
        printError(String(format: "dcvc-dec: %d frames %dx%d, %.2f fps (%d threads)",
                          y4m.framesWritten, header.width, header.height,
                          Double(y4m.framesWritten) / seconds, threads))
    }
}

tuneAllocatorForFrameBuffers()
runTool(Decode.self)
