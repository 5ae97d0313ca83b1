// dcvc-info: validate a .dcv file and print what it holds. Thin: the work is in Bitstream.
import ArgumentParser
import Bitstream
import Foundation

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

            Exit codes:
              0  the file is valid and was printed
              1  bad input: missing, unreadable, truncated or corrupt file (one line on stderr)
              2  usage error
            """)

    @Argument(help: "The .dcv file to inspect, or - for standard input.")
    var file: String

    @Flag(name: .long, help: "Print JSON instead of the table.")
    var json = false

    func run() throws {
        let reader = file == "-"
            ? try ContainerReader(fileHandle: .standardInput, name: "<stdin>")
            : try ContainerReader(path: file)
        // The summary reads to the end marker, so the output is built only from a valid file.
        let summary = try ContainerSummary(reading: reader)
        let output = json ? summary.json.rendered() + "\n" : summary.text
        FileHandle.standardOutput.write(Data(output.utf8))
    }
}

/// Exit codes of the discussion above; ArgumentParser's own usage code (64) is mapped to 2.
enum ExitStatus {
    static let badInput: Int32 = 1
    static let usage: Int32 = 2
}

func fail(_ message: String, _ status: Int32) -> Never {
    FileHandle.standardError.write(Data("dcvc-info: \(message)\n".utf8))
    exit(status)
}

do {
    var command = try Info.parseAsRoot()
    try command.run()
} catch let error as ContainerError {
    fail(error.description, ExitStatus.badInput)
} catch {
    if Info.exitCode(for: error) == .success { Info.exit(withError: error) }  // --help
    fail(Info.message(for: error) + " (see dcvc-info --help)", ExitStatus.usage)
}
