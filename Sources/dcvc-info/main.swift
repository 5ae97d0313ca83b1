// dcvc-info: validate a .dcv file and print what it holds. Thin: the work is in Bitstream.
import ArgumentParser
import Bitstream
import Codec
import Foundation
import ToolSupport

struct Info: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dcvc-info",
        abstract: "Validate a .dcv file and print its sequence header and per-frame sizes.",
        discussion: """
            The whole file is validated (magic, version, every unit's length, limits and CRC-32C, \
            frame order, end marker) before anything is printed, so a corrupt file prints nothing on \
            stdout. Sizes are real: a frame's bytes include its unit framing and CRC, and bpp is \
            8 x file bytes / (width x height x frames), headers included.

            --json prints {"file", "version", "sequence": {...}, "frames": [{"index", "type", \
            "bytes", "substreams": [{"name", "bytes"}]}], "totals": {...}}.

            Valid means the container (spec/container.md §7) and the codec syntax of the sequence \
            header and frames (spec/intra.md §1.1 and spec/inter.md §1.1: bit depth, chroma format, tools, models this build \
            has, weight and substream tables; each frame's type, level substreams and index mode \
            bytes, and a P-frame's four substreams and its place after an I-frame) pass the decoder's own checks. The weight files are not loaded and no index is \
            entropy-decoded, so a missing weight file or a corrupt index substream is only found \
            by dcvc-dec. --container-only checks the container alone.

            Exit status: 0 the file is valid and was printed; 1 missing, unreadable, truncated, \
            corrupt or undecodable file (one line on stderr); 64 bad command line.
            """)

    @Argument(help: "The .dcv file to inspect, or - for standard input.")
    var file: String

    @Flag(name: .long, help: "Print JSON instead of the table.")
    var json = false

    @Flag(name: .customLong("container-only"), help: "Check the container only, not the codec syntax (e.g. for another codec's streams).")
    var containerOnly = false

    func run() throws {
        let reader = file == "-"
            ? try ContainerReader(fileHandle: .standardInput, name: "<stdin>")
            : try ContainerReader(path: file)
        // The summary reads to the end marker, so the output is built only from a valid file.
        let codec = containerOnly ? nil : try StreamParameters.validated(reader.header, file: reader.fileName, maxPixels: .max)
        let summary = try ContainerSummary(reading: reader) { try codec?.check($0, file: reader.fileName) }
        let output = json ? summary.json.rendered() + "\n" : summary.text
        FileHandle.standardOutput.write(Data(output.utf8))
    }
}

runTool(Info.self)
