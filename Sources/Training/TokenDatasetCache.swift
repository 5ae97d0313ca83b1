import Foundation
import Models
import Tensor

/// Where the index priors' training tokens come from: a `TokenDataset` cached on disk, keyed by
/// the tokenizer file's SHA-256 (tokenizing every pool frame takes minutes).
public enum TokenDatasetCache {
    /// Loads `cachePath` when it was made with `tokenizerPath`'s weights; otherwise decodes the
    /// pool (`sources`, `options`, frame cache `frameCache`), tokenizes it and writes the cache.
    public static func loadOrBuild(cachePath: String, tokenizerPath: String, sources: [DataSource],
                                   options: FramePoolOptions, frameCache: FrameCache?,
                                   progress: @escaping (String) -> Void) throws -> TokenDataset {
        let key = try SafeTensorsFile.sha256Hex(ofFile: tokenizerPath)
        if let ds = TokenDataset.load(from: cachePath, key: key) {
            progress("tokens: \(ds.grids.count) grids, \(ds.positions) positions per level (cached \(cachePath))")
            return ds
        }
        let tokenizer = try VQTokenizer(path: tokenizerPath)
        let pool = try FramePool(sources: sources, options: options, cache: frameCache, progress: progress)
        let t0 = Date()
        let ds = TokenDataset.build(pool: pool, tokenizer: tokenizer, progress: progress)
        progress(String(format: "tokens: %d grids, %d positions per level in %.0f s", ds.grids.count, ds.positions,
                        Date().timeIntervalSince(t0)))
        let dir = (cachePath as NSString).deletingLastPathComponent
        if !dir.isEmpty { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }
        try ds.save(to: cachePath, key: key)
        return ds
    }
}
