import ArgumentParser
import Bitstream
import Codec
import CodecEncoder
import Foundation
import Media

/// `dcvc-bench decode`: all-intra decoding speed the way issue #15 states its target (720p,
/// 4 RVQ levels with the context prior, 2 threads, >= 3 fps), beside libavcodec's HEVC decoder on
/// an x265 stream of the same frames coded in the same run, with a breakdown by decoder stage.
///
/// The frames are coded in memory by `StreamEncoder` (as dcvc-enc codes them) and decoded by
/// `StreamDecoder` (as dcvc-dec decodes them), each frame timed; the stage breakdown is a further
/// pass through the decoder's public stages (`DecodeStages`). All times are wall time.
struct DecodeBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decode",
        abstract: "All-intra decoding fps, ours vs libavcodec HEVC on x265 (ratio = ours / peer), and where our time goes.")

    @Option(help: "Source video (any libavformat input or Y4M).") var video = "data/videos/bigbuckbunny.mp4"
    @Option(help: "Frames coded and decoded (from the start of the video).") var frames = 8
    @Option(help: "Decoder threads, ours and the peer's.") var threads = 2
    @Option(help: "Timed decoding passes (best and median are reported).") var `repeat` = 3
    @Option(help: "I-frame model (an RVQ tokenizer).") var model = "vqgan-f8"
    @Option(help: "RVQ levels sent per frame.") var levels = 4
    @Option(name: .customLong("index-prior"), help: "Index prior: a name, none, or auto.") var indexPrior = "ctx-f8"
    @Option(help: "Directory holding model weights (default: $DCVC_WEIGHTS, ./weights, the package's weights/).")
    var weights: String?
    @Option(name: .customLong("peer-crf"), help: "x265 constant rate factor of the peer stream.") var peerCRF = 32.0
    @Option(name: .customLong("peer-preset"), help: "x265 preset of the peer stream.") var peerPreset = "medium"
    @Option(name: .customLong("peer-intra-period"), help: "x265 keyint of the peer stream (1: all-intra, as ours).")
    var peerIntraPeriod = 1
    @Flag(name: .customLong("no-peer"), help: "Skip the x265/libavcodec peer.") var noPeer = false
    @Option(name: .customLong("target-fps"), help: "The decoding target the result is compared with.") var targetFPS = 3.0
    @Flag(help: "Print JSON: {ours_fps, ours_median_fps, peer_fps, ratio, stages_s_per_frame, ...}.") var json = false

    func validate() throws {
        guard frames >= 1 else { throw ValidationError("--frames must be at least 1") }
        guard (1...256).contains(threads) else { throw ValidationError("--threads must be 1...256") }
        guard `repeat` >= 1 else { throw ValidationError("--repeat must be at least 1") }
        guard peerIntraPeriod >= 1 else { throw ValidationError("--peer-intra-period must be at least 1") }
    }

    func run() throws {
        let source = try VideoReader(path: video, maxFrames: frames)
        var input: [VideoFrame] = []
        while let f = try source.nextFrame() { input.append(f) }
        guard let first = input.first else { throw BenchFailure("\(video): no video frames") }
        let store = try WeightStore.checked(explicit: weights)

        // Code the frames as dcvc-enc does (all-intra), into memory.
        let encoder = try StreamEncoder(first: first, frameRate: source.frameRate, store: store,
                                        options: .init(model: model, levels: levels, indexPrior: .init(indexPrior),
                                                       threads: threads, intraPeriod: 1))
        let sink = MemorySink()
        let writer = try ContainerWriter(sink: sink, header: encoder.header, name: "<bench stream>")
        for f in input { _ = try writer.write(try encoder.encode(f)) }
        try writer.finish()
        let stream = sink.bytes

        // Timed passes: each opens a fresh StreamDecoder (its start-up timed apart) and times
        // every nextFrame call.
        var passSeconds: [Double] = [], initSeconds: [Double] = [], frameSeconds: [Double] = []
        var decoded: [VideoFrame] = []
        var priorName = "none"
        var lastDecoder: StreamDecoder!
        for pass in 0..<`repeat` {
            let t0 = now()
            let decoder = try StreamDecoder(reader: try ContainerReader(bytes: stream, name: "<bench stream>"), store: store,
                                            options: .init(threads: threads))
            initSeconds.append(now() - t0)
            priorName = decoder.prior?.name ?? "none"
            var total = 0.0, index = 0
            while true {
                let t = now()
                guard let frame = try decoder.nextFrame() else { break }
                let dt = now() - t
                total += dt
                frameSeconds.append(dt)
                if pass == 0 {
                    decoded.append(frame)
                } else if frame != decoded[index] {
                    throw BenchFailure("decode pass \(pass + 1): frame \(index) differs from pass 1")
                }
                index += 1
            }
            guard index == input.count else { throw BenchFailure("the stream decodes to \(index) frames, \(input.count) were coded") }
            passSeconds.append(total)
            lastDecoder = decoder
        }
        // Reading and hashing the weight files the header names (the digest cache now skips the others).
        let w0 = now()
        for ref in lastDecoder.header.weights { _ = try store.load(ref) }
        let weightSeconds = now() - w0

        let stages = try DecodeStages.measure(stream: stream, decoder: lastDecoder, threads: threads, expected: decoded)

        var peer: HEVCPeer.Result?
        var peerNote = "skipped (--no-peer)"
        if !noPeer {
            let dir = NSTemporaryDirectory() + "dcvc-bench-decode-\(UUID().uuidString)"
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let p = try HEVCPeer(crf: peerCRF, preset: peerPreset, intraPeriod: peerIntraPeriod, threads: threads)
                .run(frames: input, frameRate: source.frameRate, directory: dir, repeats: `repeat`)
            peer = p
            peerNote = p.settings
        }

        let n = Double(input.count)
        let pixels = Double(first.width * first.height) * n
        let ours = DecodeRates(seconds: passSeconds, frames: n)
        let theirs = peer.map { DecodeRates(seconds: $0.seconds, frames: n) }
        let ratio = theirs.map { ours.best / $0.best }
        let report = DecodeReport(
            video: (video as NSString).lastPathComponent, width: first.width, height: first.height, frames: input.count,
            model: model, levels: levels, prior: priorName, threads: threads, bytes: stream.count, bpp: Double(stream.count) * 8 / pixels,
            ours: ours, initSeconds: initSeconds, weightSeconds: weightSeconds, stages: stages,
            peer: theirs, peerBytes: peer?.bytes, peerNote: peerNote, ratio: ratio, targetFPS: targetFPS)
        print(json ? try report.json() : report.text())
    }
}

/// Frames per second of several timed passes over the same frames.
struct DecodeRates {
    var seconds: [Double]
    var frames: Double
    /// The fastest pass (least disturbed by other load).
    var best: Double { frames / seconds.min()! }
    var median: Double { frames / seconds.sorted()[seconds.count / 2] }
}
