import Foundation
import Media

/// The decode peer: libavcodec's HEVC decoder on an x265 stream of the same frames, coded in the
/// same run through `VideoWriter` (libx265 in-process, as dcvc-eval's anchor) and decoded through
/// `VideoReader` (frames copied out as 8-bit 4:2:0, as ours are).
struct HEVCPeer {
    var crf: Double
    var preset: String
    /// Frames from one I-frame to the next (1: all-intra, like the stream it is compared with).
    var intraPeriod: Int
    var threads: Int

    /// What the peer coded and how fast it decoded.
    struct Result {
        var bytes: Int
        /// Seconds to decode every frame, one value per repetition (opening the decoder included).
        var seconds: [Double]
        var settings: String
    }

    /// The encoder options: dcvc-eval's anchor settings (preset, tune zerolatency, keyint) at `crf`,
    /// with x265's version SEI off.
    var options: [String: String] {
        ["preset": preset, "tune": "zerolatency", "crf": String(format: "%g", crf), "g": String(intraPeriod),
         "x265-params": "info=0"]
    }

    /// Codes `frames` into a raw HEVC stream in `directory`, then decodes it `repeats` times.
    func run(frames: [VideoFrame], frameRate: FrameRate, directory: String, repeats: Int) throws -> Result {
        guard VideoWriter.isEncoderAvailable("libx265") else { throw BenchFailure("this FFmpeg build has no libx265 encoder") }
        let first = frames[0]
        let path = (directory as NSString).appendingPathComponent("peer.hevc")
        let writer = try VideoWriter(path: path, codec: "libx265", width: first.width, height: first.height,
                                     frameRate: frameRate, pixelFormat: .yuv420p, color: first.color, options: options)
        for f in frames { try writer.write(f) }
        let stats = try writer.finish()
        var seconds: [Double] = []
        for _ in 0..<max(1, repeats) {
            let t0 = now()
            let reader = try VideoReader(path: path, threads: threads)
            var decoded = 0
            while try reader.nextFrame() != nil { decoded += 1 }
            seconds.append(now() - t0)
            guard decoded == frames.count else {
                throw BenchFailure("\(path): the x265 stream decodes to \(decoded) frames, \(frames.count) were coded")
            }
        }
        let settings = "libx265 " + options.keys.sorted().map { "\($0)=\(options[$0]!)" }.joined(separator: " ")
            + ", decoded by libavcodec hevc (\(threads) threads)"
        return Result(bytes: stats.packetBytes, seconds: seconds, settings: settings)
    }
}
