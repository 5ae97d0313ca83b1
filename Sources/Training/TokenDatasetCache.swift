import Foundation
import Models
import Tensor

/// Where the index priors' training tokens come from: a `TokenDataset` cached on disk, keyed by
/// the tokenizer file's SHA-256 (tokenizing every pool frame takes minutes).
public enum TokenDatasetCache {
    /// Loads `cachePath` when it was made with `tokenizerPath`'s weights; otherwise decodes the
    /// pool (`sources`, `options`, frame cache `frameCache`), tokenizes it and writes the cache.
    /// With `previousFrames` every video frame after its video's first also gets the tokens of the
    /// frame before it (`TokenGrid.previous`, for temporal priors); the cache key says so.
    public static func loadOrBuild(cachePath: String, tokenizerPath: String, sources: [DataSource],
                                   options: FramePoolOptions, frameCache: FrameCache?, previousFrames: Bool = false,
                                   progress: @escaping (String) -> Void) throws -> TokenDataset {
        let key = try SafeTensorsFile.sha256Hex(ofFile: tokenizerPath) + (previousFrames ? "+previous" : "")
        if let ds = TokenDataset.load(from: cachePath, key: key) {
            progress("tokens: \(ds.grids.count) grids, \(ds.positions) positions per level (cached \(cachePath))")
            return ds
        }
        let tokenizer = try VQTokenizer(path: tokenizerPath)
        let pool = try FramePool(sources: sources, options: options, cache: frameCache, progress: progress)
        let previous = previousFrames
            ? try Self.previousFrames(of: pool, options: options, cache: frameCache) : nil
        let t0 = Date()
        let ds = TokenDataset.build(pool: pool, previous: previous, tokenizer: tokenizer, progress: progress)
        progress(String(format: "tokens: %d grids, %d positions per level in %.0f s", ds.grids.count, ds.positions,
                        Date().timeIntervalSince(t0)))
        let dir = (cachePath as NSString).deletingLastPathComponent
        if !dir.isEmpty { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }
        try ds.save(to: cachePath, key: key)
        return ds
    }

    /// For each pool frame, the frame before it in its video (nil for a video's first frame and
    /// for photos, whose only frame is 0), decoded as the pool's frames are. Labels are "path#index".
    static func previousFrames(of pool: FramePool, options: FramePoolOptions, cache: FrameCache?) throws -> [FrameImage?] {
        var wanted: [String: [Int]] = [:]
        let entries = pool.labels.map { label -> (path: String, index: Int)? in
            guard let cut = label.lastIndex(of: "#"), let i = Int(label[label.index(after: cut)...]), i > 0 else { return nil }
            return (String(label[..<cut]), i - 1)
        }
        for case let (path, i)? in entries { wanted[path, default: []].append(i) }
        var decoded: [String: [Int: FrameImage]] = [:]
        for (path, indices) in wanted {
            let sorted = Array(Set(indices)).sorted()
            let frames = try FramePool.decode(path, frames: sorted, options: options, cache: cache)
            decoded[path] = Dictionary(uniqueKeysWithValues: zip(sorted, frames))
        }
        return entries.map { e in e.flatMap { decoded[$0.path]?[$0.index] } }
    }
}
