import ArgumentParser

/// Options every coding tool shares, with the meanings x265 and dav1d users expect.
public struct CommonOptions: ParsableArguments {
    @Option(name: [.short, .long], help: "Output file (- for standard output where the format allows).")
    public var output: String

    @Flag(name: [.customShort("y"), .customLong("overwrite")], help: "Overwrite an existing output file.")
    public var overwrite = false

    @Option(name: .long, help: "Stop after this many frames.")
    public var frames: Int?

    @Option(name: .long, help: "Worker threads (default: all cores). Decoded output does not depend on it.")
    public var threads: Int?

    @Flag(name: .long, help: "Show the progress line even when stderr is not a terminal.")
    public var progress = false

    @Option(name: .long, help: "Directory holding model weights (default: $DCVC_WEIGHTS, ./weights, the package's weights/).")
    public var weights: String?

    public init() {}

    public func validate() throws {
        if let frames, frames < 1 { throw ValidationError("--frames must be at least 1") }
        if let threads, !(1...256).contains(threads) { throw ValidationError("--threads must be 1...256") }
    }
}
