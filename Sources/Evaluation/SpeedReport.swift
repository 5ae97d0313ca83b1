import Foundation

extension SpeedStudy.Result {
    /// Largest ratio of peak memory between the longest and the shortest decode still read as
    /// "about the same" (memory must not grow with the stream's length).
    public static let memoryRatioLimit = 1.10

    /// Peak RSS of the longest `memory` decode over that of the shortest, if both were measured.
    public var memoryRatio: Double? {
        guard let a = memory.min(by: { $0.frames < $1.frames }), let b = memory.max(by: { $0.frames < $1.frames }),
              a.frames < b.frames, a.peakRSSBytes > 0 else { return nil }
        return Double(b.peakRSSBytes) / Double(a.peakRSSBytes)
    }

    /// The measurement as Markdown: conditions, the figures against issue #11's targets, memory.
    public func markdown(command: String, date: Date = Date()) -> String {
        func f(_ v: Double?, _ d: Int = 2) -> String { v.map { String(format: "%.\(d)f", $0) } ?? "n/a" }
        func mib(_ b: Int) -> String { String(format: "%.1f MiB", Double(b) / 1_048_576) }
        func verdict(_ v: Double?, atLeast t: Double) -> String { v.map { $0 >= t ? "yes" : "**no**" } ?? "n/a" }
        var s = "# Speed and memory at \(width)x\(height)\n\n"
        s += "- Command: `\(command)` at \(ISO8601DateFormatter().string(from: date)).\n"
        s += "- Machine: \(machine); our tools with `--threads \(threads)`.\n"
        s += "- Source: `\(video)`, \(sourceFrames) frames read"
        s += codedFrames > sourceFrames ? ", played forwards and backwards to \(codedFrames) frames (no cut).\n" : ".\n"
        s += "- Our stream: \(codedFrames) frames, intra period \(intraPeriod), `--lambda \(lambda)` (I-frame levels from the lambda), "
        s += "\(streamBytes) bytes (" + f(Double(streamBytes) * 8 / Double(width * height * codedFrames), 4) + " bpp).\n\n"
        s += "| figure | value | target (issue #11) | met |\n|---|---:|---|---|\n"
        s += "| P-frame decoding (in-process, \(pFrames) P-frames) | \(f(pFrameFPS)) fps | >= 1 fps | \(verdict(pFrameFPS, atLeast: 1)) |\n"
        s += "| I-frame decoding (in-process, \(iFrames) I-frames) | \(f(iFrameFPS)) fps | | |\n"
        s += "| `dcvc-dec` process, first \(decodedFrames) frames (start-up and model loading included) | \(f(decoderProcessFPS)) fps | | |\n"
        s += "| model loading (in-process decoder) | \(f(modelLoadSeconds)) s | | |\n"
        s += "| encoding, `dcvc-enc` process over \(codedFrames) frames (start-up included) | \(f(encodeFPS, 3)) fps | >= 0.5 fps | \(verdict(encodeFPS, atLeast: 0.5)) |\n"
        s += "| encoding, as `dcvc-enc` reports it (its coding loop) | \(f(encoderReportedFPS, 3)) fps | | |\n"
        s += "| P-frame encoding, as `dcvc-enc` reports it (P-frames' coding time) | \(f(encoderReportedPFPS, 3)) fps | >= 0.5 fps | \(verdict(encoderReportedPFPS, atLeast: 0.5)) |\n"
        s += "| I-frame encoding, as `dcvc-enc` reports it | \(f(encoderReportedIFPS, 3)) fps | | |\n"
        s += "| x265 encoding, same \(codedFrames) frames (\(x265Settings)) | \(f(x265FPS)) fps | shown beside | |\n"
        s += "\n**Peak memory of `dcvc-dec`** (peak resident set size of the process, as GNU time reports it from `wait4`)\n\n"
        s += "| frames decoded | peak RSS | wall s |\n|---:|---:|---:|\n"
        for m in memory.sorted(by: { $0.frames < $1.frames }) {
            s += "| \(m.frames) | \(mib(m.peakRSSBytes)) | \(f(m.seconds)) |\n"
        }
        if let r = memoryRatio {
            s += "\nLongest over shortest: \(f(r, 3))x (target: about the same; read as met at most "
            s += "\(f(SpeedStudy.Result.memoryRatioLimit)): \(r <= SpeedStudy.Result.memoryRatioLimit ? "yes" : "**no**")).\n"
        }
        s += "\n`dcvc-enc` peak RSS over \(codedFrames) frames: \(mib(encodePeakRSSBytes)).\n\n"
        s += "P- and I-frame rates are frames over the summed wall time of `StreamDecoder.nextFrame()` for those "
        s += "frames (each frame timed on its own; its type from the stream's frame unit), in the process that "
        s += "runs the study, with the same code and thread count as `dcvc-dec`.\n"
        return s
    }
}
