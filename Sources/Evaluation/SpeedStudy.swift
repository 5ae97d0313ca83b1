import Bitstream
import Codec
import Foundation
import Media

/// Issue #11's speed and memory measurement: on one clip at a fixed size (720p), our codec's
/// encoding fps, its decoding fps with I- and P-frames timed apart, x265's encoding fps on the
/// same frames in the same run, and the peak memory of `dcvc-dec` for a short and a long stream.
///
/// Steps (all on the same source frames, written once to a Y4M file in scratch):
/// 1. `dcvc-enc` codes the longest frame count needed (I + P frames) as a child process.
/// 2. The first `frames` frames of that stream are decoded in this process by `StreamDecoder`
///    (the code `dcvc-dec` runs), each frame timed on its own and filed as I or P by its frame
///    unit's type; model loading is timed apart.
/// 3. `dcvc-dec` decodes the first `frames` and each of `memoryFrames` frames of the stream as a
///    child process (output to /dev/null); its wall time and peak RSS come from GNU time (`ChildRun`).
/// 4. libx265 (through libavcodec) codes the same frames with the anchor's settings.
///
/// A clip shorter than a requested count is played forwards and backwards (frames 0, 1, ...,
/// n-1, n-2, ..., 1, 0, 1, ...), so there is no cut; the frames are not resized: a source of
/// another size than `size` is refused.
public struct SpeedStudy {
    public struct Options: Sendable {
        public var video: String
        /// Required source size (width, height).
        public var size: (width: Int, height: Int) = (1280, 720)
        /// Frames decoded for the fps figures (in-process and by `dcvc-dec`).
        public var frames = 30
        /// Frame counts whose `dcvc-dec` peak memory is compared.
        public var memoryFrames = [30, 300]
        public var threads = 2
        public var lambda = 1024
        public var intraPeriod = 32
        /// x265: constant rate factor and preset (tune zerolatency, keyint = intra period, as the anchor).
        public var x265CRF = 27
        public var x265Preset = "medium"
        /// Where `dcvc-enc` and `dcvc-dec` are.
        public var toolDirectory: String

        public init(video: String, toolDirectory: String) {
            self.video = video
            self.toolDirectory = toolDirectory
        }

        /// Frames coded: enough for the fps figures and for the largest memory count.
        public var codedFrames: Int { max(frames, memoryFrames.max() ?? 0) }
    }

    /// What one run measured.
    public struct Result: Codable, Sendable {
        public struct Memory: Codable, Sendable {
            public var frames: Int
            public var seconds: Double
            public var peakRSSBytes: Int
        }
        public var video: String
        public var width: Int, height: Int
        /// Frames in the source file (before any back-and-forth extension).
        public var sourceFrames: Int
        public var codedFrames: Int
        public var threads: Int, lambda: Int, intraPeriod: Int
        public var streamBytes: Int
        /// `dcvc-enc` wall time over `codedFrames` (model loading included), and the rate it
        /// reports itself (frames over its coding loop only).
        public var encodeSeconds: Double
        public var encodeFPS: Double
        public var encoderReportedFPS: Double?
        /// The P- and I-frame coding rates `dcvc-enc` reports (each type's frames over their
        /// `StreamEncoder.encode` time, the encoder's own decode of the unit included).
        public var encoderReportedPFPS: Double?
        public var encoderReportedIFPS: Double?
        public var encodePeakRSSBytes: Int
        /// In-process decoding of the first `decodedFrames` frames.
        public var decodedFrames: Int
        public var modelLoadSeconds: Double
        public var iFrames: Int, pFrames: Int
        public var iFrameSeconds: Double, pFrameSeconds: Double
        public var iFrameFPS: Double?, pFrameFPS: Double?
        /// `dcvc-dec` as a process on the first `decodedFrames` frames (start-up and loading included).
        public var decoderProcessFPS: Double
        public var memory: [Memory]
        /// libx265 on the same `codedFrames` frames.
        public var x265Settings: String
        public var x265Seconds: Double
        public var x265FPS: Double
        public var x265Bytes: Int
        public var machine: String
    }

    public let options: Options
    /// Progress lines for the user.
    public var log: (String) -> Void = { _ in }

    public init(options: Options) { self.options = options }

    /// The source frame shown at position `i` of a clip of `n` frames played forwards and backwards.
    public static func sourceIndex(_ i: Int, count n: Int) -> Int {
        guard n > 1 else { return 0 }
        let period = 2 * n - 2, k = i % period
        return k < n ? k : period - k
    }

    public func run(scratch: String) throws -> Result {
        let o = options
        let started = Date()
        let log = { (line: String) in self.log(String(format: "[%6.1f s] ", Date().timeIntervalSince(started)) + line) }
        guard o.frames >= 1, o.memoryFrames.allSatisfy({ $0 >= 1 }) else {
            throw EvaluationError("frame counts must be at least 1")
        }
        let total = o.codedFrames
        // 1. The source frames, as the encoders will see them.
        let source = try openVideo(path: o.video, maxFrames: total)
        guard source.width == o.size.width, source.height == o.size.height else {
            throw EvaluationError("\(o.video) is \(source.width)x\(source.height), not \(o.size.width)x\(o.size.height); give a clip of that size (frames are not resized)")
        }
        var frames: [VideoFrame] = []
        while let f = try source.nextFrame() {
            guard f.format == .yuv420p else { throw EvaluationError("\(o.video): frame \(frames.count) is \(f.format.rawValue), not 4:2:0") }
            frames.append(f)
        }
        guard !frames.isEmpty else { throw EvaluationError("\(o.video): no frames") }
        let y4mPath = (scratch as NSString).appendingPathComponent("source.y4m")
        let writer = try Y4MWriter(path: y4mPath, header: Y4MHeader(for: frames[0]))
        var sequence: [VideoFrame] = []
        for i in 0..<total {
            var f = frames[SpeedStudy.sourceIndex(i, count: frames.count)]
            f.index = i
            try writer.write(f)
            sequence.append(f)
        }
        try writer.close()
        let sourceFrames = frames.count
        frames = []
        log("source: \(o.video) \(o.size.width)x\(o.size.height), \(sourceFrames) frames read"
            + (total > sourceFrames ? ", played back and forth to \(total)" : ""))

        // 2. Our encoder, as a process.
        let dcv = (scratch as NSString).appendingPathComponent("ip.dcv")
        let threadArgs = ["--threads", String(o.threads)]
        log("dcvc-enc: \(total) frames, intra period \(o.intraPeriod), lambda \(o.lambda), \(o.threads) threads")
        let enc = try ChildRun.run(tool("dcvc-enc"), [y4mPath, "-o", dcv, "-y", "--frames", String(total),
                                                     "--intra-period", String(o.intraPeriod), "--lambda", String(o.lambda)]
                                   + threadArgs, stderrPath: (scratch as NSString).appendingPathComponent("enc.err"))
        let summary = try ContainerSummary(path: dcv)
        guard summary.frames.count == total else {
            throw EvaluationError("\(dcv): \(summary.frames.count) frames coded, \(total) asked for")
        }

        // 3. In-process decoding, frame by frame.
        let decoded = min(o.frames, total)
        log("decoding \(decoded) frames in-process, \(o.threads) threads")
        var clock = Stopwatch()
        let decoder = try StreamDecoder(reader: ContainerReader(path: dcv), store: WeightStore.standard(),
                                        options: .init(threads: o.threads))
        let load = clock.lap()
        var iTime = 0.0, pTime = 0.0, iCount = 0, pCount = 0
        for i in 0..<decoded {
            guard try decoder.nextFrame() != nil else { throw EvaluationError("\(dcv): ends after \(i) frames") }
            let t = clock.lap()
            if summary.frames[i].type == .intra { iTime += t; iCount += 1 } else { pTime += t; pCount += 1 }
        }

        // 4. dcvc-dec as a process: fps with start-up, and peak memory per frame count.
        let dec = tool("dcvc-dec"), decErr = (scratch as NSString).appendingPathComponent("dec.err")
        func decode(_ n: Int) throws -> ChildRun {
            log("dcvc-dec: \(n) frames")
            return try ChildRun.run(dec, [dcv, "-o", "-", "--frames", String(n)] + threadArgs, stderrPath: decErr)
        }
        let timed = try decode(decoded)
        var memory: [Result.Memory] = []
        for n in o.memoryFrames {
            let r = n == decoded ? timed : try decode(n)
            memory.append(.init(frames: n, seconds: r.seconds, peakRSSBytes: r.peakRSS))
        }

        // 5. x265 on the same frames, in this process through libavcodec.
        let x265Options = ["preset": o.x265Preset, "tune": "zerolatency", "crf": String(o.x265CRF),
                           "g": String(o.intraPeriod), "x265-params": "info=0:pools=\(o.threads)"]
        log("libx265: \(total) frames")
        let hevc = (scratch as NSString).appendingPathComponent("x265.hevc")
        _ = clock.lap()
        let x265 = try VideoWriter(path: hevc, codec: "libx265", width: o.size.width, height: o.size.height,
                                   frameRate: source.frameRate, pixelFormat: .yuv420p, color: sequence[0].color,
                                   options: x265Options)
        for f in sequence { try x265.write(f) }
        let stats = try x265.finish()
        let x265Seconds = clock.lap()

        return Result(video: o.video, width: o.size.width, height: o.size.height, sourceFrames: sourceFrames,
                      codedFrames: total, threads: o.threads, lambda: o.lambda, intraPeriod: o.intraPeriod,
                      streamBytes: summary.fileBytes, encodeSeconds: enc.seconds, encodeFPS: Double(total) / enc.seconds,
                      encoderReportedFPS: SpeedStudy.reportedFPS(enc.stderr),
                      encoderReportedPFPS: SpeedStudy.reportedCodingFPS(enc.stderr, frameType: "P"),
                      encoderReportedIFPS: SpeedStudy.reportedCodingFPS(enc.stderr, frameType: "I"), encodePeakRSSBytes: enc.peakRSS,
                      decodedFrames: decoded, modelLoadSeconds: load, iFrames: iCount, pFrames: pCount,
                      iFrameSeconds: iTime, pFrameSeconds: pTime,
                      iFrameFPS: iCount > 0 ? Double(iCount) / iTime : nil, pFrameFPS: pCount > 0 ? Double(pCount) / pTime : nil,
                      decoderProcessFPS: Double(decoded) / timed.seconds, memory: memory,
                      x265Settings: "libx265 " + x265Options.keys.sorted().map { "\($0)=\(x265Options[$0]!)" }.joined(separator: " "),
                      x265Seconds: x265Seconds, x265FPS: Double(stats.frames) / x265Seconds, x265Bytes: stats.packetBytes,
                      machine: "\(Report.cpuModel()), \(ProcessInfo.processInfo.activeProcessorCount) cores")
    }

    private func tool(_ name: String) -> String { (options.toolDirectory as NSString).appendingPathComponent(name) }

    /// The "N.NN fps" figure of a tool's summary line on stderr, if any.
    static func reportedFPS(_ stderr: String) -> Double? {
        guard let line = stderr.split(whereSeparator: \.isNewline).last(where: { $0.contains(" fps") }) else { return nil }
        let words = line.split(separator: " ")
        guard let i = words.firstIndex(where: { $0.hasPrefix("fps") }), i > 0 else { return nil }
        return Double(words[i - 1])
    }

    /// The "T N.NN fps" figure for frame type `frameType` ("I" or "P") after "; coding " in
    /// `dcvc-enc`'s summary line, if any ("-" when no frame of that type was coded).
    static func reportedCodingFPS(_ stderr: String, frameType: String) -> Double? {
        guard let line = stderr.split(whereSeparator: \.isNewline).last(where: { $0.contains("; coding ") }),
              let tail = line.range(of: "; coding ").map({ line[$0.upperBound...] }) else { return nil }
        for part in tail.components(separatedBy: ", ") {
            let words = part.split(separator: " ")
            if words.count == 3, words[0] == frameType, words[2] == "fps" { return Double(words[1]) }
        }
        return nil
    }
}
