import Bitstream
import Checksum
import Codec
import Foundation

/// Our codec, run as the `dcvc-enc` and `dcvc-dec` executables found in `toolDirectory`
/// (the directory of the running `dcvc-eval`, i.e. the same build).
///
/// The encoder gets the method's options, then the point's, then `--frames` and
/// `--intra-period` from the config (and `--threads` if the config sets it). bpp comes from the
/// `.dcv` file's size; the seconds are the wall time of each process (start-up and model
/// loading included). The decoder writes a temporary Y4M that is read back and measured.
struct DCVCMethod: PointCoder {
    let method: EvalMethod
    let threads: Int?
    let toolDirectory: String
    /// Identifies the weight files the tools will find (see `WeightFingerprint`), so that rows
    /// measured with other weights are not reused.
    let weights: String

    /// The encoder options of a point, without input and output.
    func encoderOptions(_ point: EvalPoint, frames: Int) -> [String] {
        method.args + point.args + ["--frames", String(frames), "--intra-period", String(method.intraPeriod)]
    }

    func settings(_ point: EvalPoint, frames: Int) -> String {
        (["dcvc-enc"] + encoderOptions(point, frames: frames)).joined(separator: " ") + " (weights \(weights))"
    }

    func code(_ clip: SourceClip, point: EvalPoint, frames: Int, scratch: String) throws -> CodedPoint {
        let stem = (scratch as NSString).appendingPathComponent("\(method.name)-\(point.label)")
        let dcv = stem + ".dcv", y4m = stem + ".y4m"
        let threadArgs = threads.map { ["--threads", String($0)] } ?? []
        let encodeSeconds = try runTool("dcvc-enc", [clip.video.path, "-o", dcv, "-y"] + threadArgs
                                        + encoderOptions(point, frames: frames))
        let bytes = try FileManager.default.attributesOfItem(atPath: dcv)[.size] as? Int ?? 0
        let decodeSeconds = try runTool("dcvc-dec", [dcv, "-o", y4m, "-y"] + threadArgs)
        // Real per-frame sizes: the frame units as stored (the container reader validates the file).
        let summary = try ContainerSummary(path: dcv)
        try? FileManager.default.removeItem(atPath: dcv)
        return CodedPoint(bytes: bytes, encodeSeconds: encodeSeconds, decodeSeconds: decodeSeconds, decodedPath: y4m,
                          frameUnits: summary.frames.map { ($0.type.description, $0.bytes) })
    }

    /// Runs a tool to completion; returns its wall time, or throws its first line of stderr.
    private func runTool(_ name: String, _ args: [String]) throws -> Double {
        let exe = (toolDirectory as NSString).appendingPathComponent(name)
        guard FileManager.default.isExecutableFile(atPath: exe) else {
            throw EvaluationError("\(exe) not found (build it: swift build; dcvc-eval runs the \(name) beside itself)")
        }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: exe)
        p.arguments = args
        let err = Pipe()
        p.standardError = err
        p.standardOutput = FileHandle.nullDevice
        p.standardInput = FileHandle.nullDevice
        var clock = Stopwatch()
        try p.run()
        let text = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        let seconds = clock.lap()
        guard p.terminationReason == .exit, p.terminationStatus == 0 else {
            let line = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
                .first { !$0.isEmpty } ?? "no message"
            let how = p.terminationReason == .exit ? "exit status \(p.terminationStatus)" : "signal \(p.terminationStatus)"
            throw EvaluationError("\(name) failed (\(how)): \(line)")
        }
        return seconds
    }
}

/// A short digest of the `.safetensors` files (names and contents) in the directories the codec
/// tools search (`WeightStore.standard()`).
enum WeightFingerprint {
    static func current() -> String {
        var text = ""
        for dir in WeightStore.standard().directories {
            let names = ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [])
                .filter { $0.hasSuffix(".safetensors") }.sorted()
            for name in names {
                guard let data = FileManager.default.contents(atPath: (dir as NSString).appendingPathComponent(name)) else { continue }
                text += "\(dir)/\(name) \(SHA256.hex(SHA256.hash(data)))\n"
            }
        }
        return String(SHA256.hex(SHA256.hash(Array(text.utf8))).prefix(12))
    }
}
