import Bitstream
import Foundation

/// Our codec, run as the `dcvc-enc` and `dcvc-dec` executables found in `toolDirectory`
/// (the directory of the running `dcvc-eval`, i.e. the same build).
///
/// The encoder gets the method's options, then the point's, then `--frames` and
/// `--intra-period` from the config (and `--threads` if the config sets it). bpp comes from the
/// `.dcv` file's size; the seconds and peak memory are each process's own (start-up and model
/// loading included, measured by GNU time). The decoder writes a temporary Y4M that is read back and measured.
struct DCVCMethod: PointCoder {
    let method: EvalMethod
    let threads: Int?
    let toolDirectory: String
    /// Resolves the weight files a point codes with (see `CodecWeights`), so that rows measured
    /// with other weights are not reused.
    let weights: CodecWeights

    /// The encoder options of a point, without input and output.
    func encoderOptions(_ point: EvalPoint, frames: Int) -> [String] {
        method.args + point.args + ["--frames", String(frames), "--intra-period", String(method.intraPeriod)]
    }

    func settings(_ point: EvalPoint, frames: Int) -> String {
        let options = encoderOptions(point, frames: frames)
        return (["dcvc-enc"] + options).joined(separator: " ") + " (weights \(weights.digest(options: options)))"
    }

    func code(_ clip: SourceClip, point: EvalPoint, frames: Int, scratch: String) throws -> CodedPoint {
        let stem = (scratch as NSString).appendingPathComponent("\(method.name)-\(point.label)")
        let dcv = stem + ".dcv", y4m = stem + ".y4m"
        let threadArgs = threads.map { ["--threads", String($0)] } ?? []
        let enc = try runTool("dcvc-enc", [clip.video.path, "-o", dcv, "-y"] + threadArgs
                              + encoderOptions(point, frames: frames), stem: stem)
        let bytes = try FileManager.default.attributesOfItem(atPath: dcv)[.size] as? Int ?? 0
        let dec = try runTool("dcvc-dec", [dcv, "-o", y4m, "-y"] + threadArgs, stem: stem)
        // Real per-frame sizes: the frame units as stored (the container reader validates the file).
        let summary = try ContainerSummary(path: dcv)
        try? FileManager.default.removeItem(atPath: dcv)
        return CodedPoint(bytes: bytes, encodeSeconds: enc.seconds, decodeSeconds: dec.seconds,
                          encodePeakRSS: enc.peakRSS, decodePeakRSS: dec.peakRSS, decodedPath: y4m,
                          frameUnits: summary.frames.map { ($0.type.description, $0.bytes) })
    }

    /// Runs a tool to completion under GNU time (its wall time and its own peak memory), or
    /// throws its first line of stderr.
    private func runTool(_ name: String, _ args: [String], stem: String) throws -> ChildRun {
        let exe = (toolDirectory as NSString).appendingPathComponent(name)
        let errPath = stem + ".\(name).stderr"
        defer { try? FileManager.default.removeItem(atPath: errPath) }
        return try ChildRun.run(exe, args, stderrPath: errPath)
    }
}
