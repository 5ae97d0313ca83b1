import Foundation
import Tensor

/// Groups of consecutive frames for P-frame training, decoded once (through the frame cache) and
/// kept in memory: `gopsPerVideo` GOPs of `length` frames per video, at random starts spread over
/// the video, each frame downscaled as `FramePool` does (halving while the short side exceeds
/// `targetShortSide`).
public struct GOPPool: Sendable {
    /// Frames of each GOP.
    public var gops: [[FrameImage]]
    /// "path#start" per GOP, for reports.
    public var labels: [String]

    /// A pool already in memory (every GOP the same length and frame size within a GOP).
    public init(gops: [[FrameImage]], labels: [String]) {
        precondition(!gops.isEmpty && gops.count == labels.count)
        self.gops = gops; self.labels = labels
    }

    /// Decodes `gopsPerVideo` GOPs of `length` frames from each video in `paths`. A video that
    /// cannot be opened, holds fewer than `length` frames or is smaller than `crop` stops with an
    /// error naming the file.
    public init(videos paths: [String], length: Int, gopsPerVideo: Int, targetShortSide: Int = 540, crop: Int,
                seed: UInt64, cache: FrameCache?, progress: ((String) -> Void)? = nil) throws {
        let options = FramePoolOptions(framesPerVideo: gopsPerVideo, targetShortSide: targetShortSide, crop: crop, seed: seed)
        var gops: [[FrameImage]] = [], labels: [String] = []
        for (vi, path) in paths.enumerated() {
            var rng = RNG(seed: seed &+ UInt64(vi) &* 0x9E37_79B9)
            let total = try cache?.frameCount(source: path) ?? FramePool.countFrames(path)
            try cache?.storeFrameCount(total, source: path)
            guard total >= length else { throw DataError.tooShort(path: path, frames: total, needed: length) }
            let starts = GOPPool.starts(total: total, length: length, count: gopsPerVideo, rng: &rng)
            let indices = Array(Set(starts.flatMap { $0..<($0 + length) })).sorted()
            let frames = try FramePool.decode(path, frames: indices, options: options, cache: cache)
            let byIndex = Dictionary(uniqueKeysWithValues: zip(indices, frames))
            for s in starts {
                gops.append((s..<(s + length)).map { byIndex[$0]! }); labels.append("\(path)#\(s)")
            }
            progress?("\(path): \(starts.count) GOPs of \(length) from \(total) frames, \(frames[0].width)x\(frames[0].height)")
        }
        if gops.isEmpty { throw DataError.noData(reason: "no videos for the GOP sampler") }
        self.gops = gops; self.labels = labels
    }

    /// `count` GOP starts, one per equal segment of the valid start range at a random offset; at
    /// most one per `length` frames, so a short video is not drawn more often than its content.
    static func starts(total: Int, length: Int, count: Int, rng: inout RNG) -> [Int] {
        let range = total - length + 1
        let n = max(1, min(count, total / length))
        let seg = Double(range) / Double(n)
        return Array(Set((0..<n).map { i in min(range - 1, Int(Double(i) * seg) + rng.int(below: max(1, Int(seg)))) })).sorted()
    }
}

/// One training sample set: the GOP's frames as [B, 3, crop, crop] tensors in [0, 1], the coded
/// I-frame (the first P-frame's reference), and per sample the rate point and I-frame levels.
public struct GOPBatch {
    public var frames: [Tensor]
    public var iframe: Tensor
    public var rows: [Int]
    public var levels: [Int]
}

/// Random GOP crops from a `GOPPool`. Batch `s` depends only on (seed, s), so a resumed run sees the
/// same batches as an uninterrupted one.
public struct GOPSampler: @unchecked Sendable {
    public let pool: GOPPool
    public let batch: Int, crop: Int, frames: Int, seed: UInt64
    /// Rate points to draw from (indices into the model's lambdas).
    public let rates: Int
    /// The highest number of I-frame levels drawn (1...maxLevels).
    public let maxLevels: Int
    /// Codes one crop [1, 3, crop, crop] as an I-frame at the given number of levels and returns
    /// its reconstruction (nil: the original frame is the reference).
    public let iframeCoder: ((Tensor, Int) -> Tensor)?

    public init(pool: GOPPool, batch: Int, crop: Int, frames: Int, rates: Int, maxLevels: Int, seed: UInt64,
                iframeCoder: ((Tensor, Int) -> Tensor)?) {
        precondition(pool.gops.allSatisfy { $0.count >= frames })
        self.pool = pool; self.batch = batch; self.crop = crop; self.frames = frames; self.rates = rates
        self.maxLevels = maxLevels; self.seed = seed; self.iframeCoder = iframeCoder
    }

    /// Batch number `step`: per sample a random GOP, crop position, horizontal flip, rate point and
    /// number of I-frame levels.
    public func batch(step: Int) -> GOPBatch {
        var rng = RNG(seed: seed ^ (UInt64(step) &* 0xA24B_AED4_963E_E407))
        let c = crop, plane = c * c
        var out = [[Float]](repeating: [Float](repeating: 0, count: batch * 3 * plane), count: frames)
        var rows: [Int] = [], levels: [Int] = []
        for b in 0..<batch {
            let gop = pool.gops[rng.int(below: pool.gops.count)]
            let f0 = gop[0]
            let top = rng.int(below: f0.height - c + 1), left = rng.int(below: f0.width - c + 1)
            let flip = rng.next() & 1 == 1
            rows.append(rng.int(below: rates)); levels.append(1 + rng.int(below: maxLevels))
            for t in 0..<frames {
                let f = gop[t]
                for ch in 0..<3 {
                    let src = ch * f.width * f.height, dst = (b * 3 + ch) * plane
                    for y in 0..<c {
                        let row = src + (top + y) * f.width + left
                        for x in 0..<c { out[t][dst + y * c + x] = Float(f.rgb[row + (flip ? c - 1 - x : x)]) * (1 / 255) }
                    }
                }
            }
        }
        let tensors = out.map { Tensor(shape: [batch, 3, c, c], storage: $0) }
        var iframe = tensors[0]
        if let coder = iframeCoder {
            for b in 0..<batch {
                let one = Tensor(shape: [1, 3, c, c], storage: Array(iframe.storage[(b * 3 * plane)..<((b + 1) * 3 * plane)]))
                let rec = coder(one, levels[b])
                for i in 0..<(3 * plane) { iframe.storage[b * 3 * plane + i] = min(1, max(0, rec.storage[i])) }
            }
        }
        return GOPBatch(frames: tensors, iframe: iframe, rows: rows, levels: levels)
    }
}

extension StepPrefetcher where Value == GOPBatch {
    /// Prefetches `sampler`'s GOP batches.
    public convenience init(sampler: GOPSampler) { self.init { sampler.batch(step: $0) } }
}
