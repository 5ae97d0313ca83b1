import Checksum
import Foundation

/// The weight files a `dcvc-enc` command line codes with, as the tool itself resolves them
/// (`dcvc-enc --list-weights`: the models the stream's header will name, by SHA-256, and the
/// header's coding tools, so a changed default counts as a change).
///
/// A row of our codec carries a digest of that list in its settings, so retraining one model
/// recomputes exactly the rows that load it, and adding a weight file recomputes nothing. The
/// answer depends only on the options, so each distinct option list is resolved once per run.
final class CodecWeights {
    let toolDirectory: String
    let scratch: String
    /// A video the encoder can open (the models do not depend on which).
    let probe: String
    private var digests: [[String]: String] = [:]

    init(toolDirectory: String, scratch: String, probe: String) {
        self.toolDirectory = toolDirectory
        self.scratch = scratch
        self.probe = probe
    }

    /// 12 hex digits of the SHA-256 of the `name sha256` lines for `options`, or "unresolved"
    /// when the encoder refuses them (the point then fails with the encoder's own error when
    /// it is coded, and a failed row is never reused).
    func digest(options: [String]) -> String {
        if let known = digests[options] { return known }
        let stem = (scratch as NSString).appendingPathComponent("weights-\(digests.count)")
        defer {
            try? FileManager.default.removeItem(atPath: stem + ".out")
            try? FileManager.default.removeItem(atPath: stem + ".err")
        }
        let exe = (toolDirectory as NSString).appendingPathComponent("dcvc-enc")
        var result = "unresolved"
        if (try? ChildRun.run(exe, [probe, "-o", stem + ".dcv", "--list-weights"] + options,
                              stdout: stem + ".out", stderrPath: stem + ".err")) != nil,
           let listed = FileManager.default.contents(atPath: stem + ".out"), !listed.isEmpty {
            result = String(SHA256.hex(SHA256.hash(Array(listed))).prefix(12))
        }
        digests[options] = result
        return result
    }
}
