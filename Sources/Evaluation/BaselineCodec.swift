import Foundation
import Media

/// x265 or x264 run in-process through libavcodec with the anchor settings of docs/evaluation.md
/// (preset medium, tune zerolatency, keyint = intra period, one crf per rate point).
///
/// The stream is written as a raw Annex B elementary stream, so parameter sets travel in-band
/// and the file is all a decoder needs; bpp counts every byte of it. The encoders' version SEI
/// (text a decoder ignores) is removed from the file before it is counted and decoded.
struct BaselineCodec: PointCoder {
    let method: EvalMethod

    /// libavcodec's encoder name.
    var encoderName: String { method.kind == .x265 ? "libx265" : "libx264" }

    private var fileExtension: String { method.kind == .x265 ? "hevc" : "h264" }

    /// The encoder options of a rate point (`g` is libavcodec's keyint).
    ///
    /// x265 gets `info=0` unless the config's params set `info`: otherwise it repeats a text SEI
    /// of its version and options (about 2.4 kB) before every IDR picture. x264 has no such
    /// switch; its one SEI (about 0.6 kB) is removed from the stream afterwards (`AnnexBFilter`).
    func options(_ point: EvalPoint) -> [String: String] {
        var o = ["preset": method.preset, "tune": method.tune, "crf": formatNumber(point.crf ?? 0),
                 "g": String(method.intraPeriod)]
        var params = method.params ?? ""
        if method.kind == .x265 && !params.split(separator: ":").contains(where: { $0.hasPrefix("info") || $0.hasPrefix("no-info") }) {
            params = params.isEmpty ? "info=0" : params + ":info=0"
        }
        if !params.isEmpty { o[method.kind == .x265 ? "x265-params" : "x264-params"] = params }
        return o
    }

    func settings(_ point: EvalPoint, frames: Int) -> String {
        let o = options(point)
        return encoderName + " " + o.keys.sorted().map { "\($0)=\(o[$0]!)" }.joined(separator: " ") + " frames=\(frames)"
    }

    func code(_ clip: SourceClip, point: EvalPoint, frames: Int, scratch: String) throws -> CodedPoint {
        guard VideoWriter.isEncoderAvailable(encoderName) else {
            throw EvaluationError("this FFmpeg build has no \(encoderName) encoder")
        }
        let path = (scratch as NSString).appendingPathComponent("\(method.name)-\(point.label).\(fileExtension)")
        let source = clip.frames.prefix(frames)
        let first = source.first!
        var clock = Stopwatch()
        let (stats, encodePeak) = try ResidentMemory.measuringPeak {
            let writer = try VideoWriter(path: path, codec: encoderName, width: first.width, height: first.height,
                                         frameRate: clip.frameRate, pixelFormat: .yuv420p, color: first.color,
                                         options: options(point))
            for f in source { try writer.write(f) }
            return try writer.finish()
        }
        let encodeSeconds = clock.lap()
        let bytes = try removeInfoSEI(path, packetBytes: stats.packetBytes)
        _ = clock.lap()
        // A timed decode pass of its own, so the figure does not include our measurements.
        let (decoded, decodePeak) = try ResidentMemory.measuringPeak {
            let reader = try VideoReader(path: path)
            var decoded = 0
            while try reader.nextFrame() != nil { decoded += 1 }
            return decoded
        }
        let decodeSeconds = clock.lap()
        guard decoded == source.count else {
            throw EvaluationError("\(encoderName) stream decodes to \(decoded) frames, \(source.count) were encoded")
        }
        return CodedPoint(bytes: bytes, encodeSeconds: encodeSeconds, decodeSeconds: decodeSeconds,
                          encodePeakRSS: encodePeak, decodePeakRSS: decodePeak, decodedPath: path)
    }

    /// Rewrites the stream without the encoder's version SEI (see `AnnexBFilter`); returns its size.
    private func removeInfoSEI(_ path: String, packetBytes: Int) throws -> Int {
        guard let data = FileManager.default.contents(atPath: path) else { throw EvaluationError("\(path): cannot read back") }
        // A raw stream is the packets and nothing else; anything else means the muxer added bytes.
        guard data.count == packetBytes else {
            throw EvaluationError("\(path): \(data.count) bytes on disk but \(packetBytes) in packets")
        }
        let kept = AnnexBFilter.removingInfoSEI([UInt8](data), codec: method.kind == .x265 ? .hevc : .h264)
        if kept.count != data.count { try writeAtomically(Data(kept), to: path) }
        return kept.count
    }
}

/// Wall-clock intervals.
struct Stopwatch {
    private var last = Date()
    /// Seconds since the previous lap (or since creation), and starts the next.
    mutating func lap() -> Double {
        let now = Date()
        defer { last = now }
        return now.timeIntervalSince(last)
    }
}
