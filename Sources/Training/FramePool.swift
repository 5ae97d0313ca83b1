import Foundation
import Media
import Tensor

/// Which frames the sampler uses, decoded once: `framesPerVideo` frames of each video spread over
/// its length (positions drawn from the seed) and every photo, each downscaled by halving while
/// its short side exceeds `targetShortSide` (hides the sources' compression artefacts).
public struct FramePoolOptions: Sendable {
    public var framesPerVideo: Int
    public var targetShortSide: Int
    public var crop: Int
    public var seed: UInt64
    public init(framesPerVideo: Int = 64, targetShortSide: Int = 540, crop: Int = 128, seed: UInt64 = 1) {
        self.framesPerVideo = framesPerVideo; self.targetShortSide = targetShortSide; self.crop = crop; self.seed = seed
    }
}

/// The decoded frames the training batches are cut from.
public struct FramePool: Sendable, Equatable {
    public var frames: [FrameImage]
    /// "path#frame" per entry, for reports.
    public var labels: [String]

    /// A pool of frames already in memory.
    public init(frames: [FrameImage], labels: [String]) {
        precondition(frames.count == labels.count && !frames.isEmpty)
        self.frames = frames; self.labels = labels
    }

    /// Decodes (or loads from `cache`) the frames `options` select from `sources`. A source that
    /// cannot be opened, or has fewer frames than selected, is an error naming the file.
    public init(sources: [DataSource], options: FramePoolOptions, cache: FrameCache?,
                progress: ((String) -> Void)? = nil) throws {
        var frames: [FrameImage] = [], labels: [String] = []
        for (si, src) in sources.enumerated() {
            var rng = RNG(seed: options.seed &+ UInt64(si) &* 0x9E37_79B9)
            let wanted: [Int]
            switch src.kind {
            case .photo: wanted = [0]
            case .video: wanted = try FramePool.selectFrames(src.path, count: options.framesPerVideo, cache: cache, rng: &rng)
            }
            let got = try FramePool.decode(src.path, frames: wanted, options: options, cache: cache)
            for (i, f) in zip(wanted, got) { frames.append(f); labels.append("\(src.path)#\(i)") }
            progress?("\(src.path): \(got.count) frame(s), \(got.first.map { "\($0.width)x\($0.height)" } ?? "")")
        }
        if frames.isEmpty { throw DataError.noData(reason: "no frames selected") }
        self.frames = frames; self.labels = labels
    }

    /// `count` frame indices spread over the stream: one per equal segment at a random offset.
    /// A stream with fewer than `count` frames is an error naming the file.
    /// The stream's length is counted by decoding it once (container estimates can be far off:
    /// tree.avi claims 440 frames and holds 68); the count is kept in the cache.
    static func selectFrames(_ path: String, count: Int, cache: FrameCache?, rng: inout RNG) throws -> [Int] {
        let total = try cache?.frameCount(source: path) ?? countFrames(path)
        try cache?.storeFrameCount(total, source: path)
        guard total >= count else { throw DataError.tooShort(path: path, frames: total, needed: count) }
        let n = count
        let seg = Double(total) / Double(n)
        return (0..<n).map { i in min(total - 1, Int(Double(i) * seg) + rng.int(below: max(1, Int(seg)))) }
    }

    /// Frames in the stream, by decoding all of them.
    static func countFrames(_ path: String) throws -> Int {
        let reader = try VideoReader(path: path)
        var n = 0
        while try reader.nextFrame() != nil { n += 1 }
        return n
    }

    /// The frames `indices` (ascending) of `path`, from the cache when all are there.
    static func decode(_ path: String, frames indices: [Int], options: FramePoolOptions, cache: FrameCache?) throws -> [FrameImage] {
        // The number of halvings depends on the source size, so the cache key is looked up at
        // every plausible count (0...4).
        if let cache {
            var cached: [FrameImage] = []
            outer: for i in indices {
                for h in 0...4 { if let f = try cache.load(source: path, index: i, halvings: h) { cached.append(f); continue outer } }
                break
            }
            if cached.count == indices.count { return cached }
        }
        let need = (indices.max() ?? 0) + 1
        let reader = try VideoReader(path: path, maxFrames: need)
        let wanted = Set(indices)
        var out: [Int: FrameImage] = [:]
        var n = 0
        while n < need, let frame = try reader.nextFrame() {
            if wanted.contains(n) {
                let (img, halvings) = FrameImage(ColorConversion.toRGB(frame)).downscaled(targetShortSide: options.targetShortSide, crop: options.crop)
                guard img.width >= options.crop, img.height >= options.crop else {
                    throw DataError.tooSmall(path: path, width: img.width, height: img.height, crop: options.crop)
                }
                try cache?.store(img, source: path, index: n, halvings: halvings)
                out[n] = img
            }
            n += 1
        }
        guard n >= need else { throw DataError.tooShort(path: path, frames: n, needed: need) }
        return indices.map { out[$0]! }
    }
}
