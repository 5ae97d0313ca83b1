import Foundation
import Tensor

/// Random crops from a `FramePool`. Batch `s` depends only on (seed, s), so a resumed run sees
/// the same batches as an uninterrupted one, and batches can be built ahead on another thread.
public struct BatchSampler: Sendable {
    public let pool: FramePool
    public let batch: Int, crop: Int, seed: UInt64

    public init(pool: FramePool, batch: Int, crop: Int, seed: UInt64) {
        self.pool = pool; self.batch = batch; self.crop = crop; self.seed = seed
    }

    /// Batch number `step`: [batch, 3, crop, crop] in [0, 1], random frame, position and
    /// horizontal flip per sample.
    public func batch(step: Int) -> Tensor {
        var rng = RNG(seed: seed ^ (UInt64(step) &* 0xD1B5_4A32_D192_ED03))
        let c = crop, plane = c * c
        var out = [Float](repeating: 0, count: batch * 3 * plane)
        for b in 0..<batch {
            let f = pool.frames[rng.int(below: pool.frames.count)]
            let top = rng.int(below: f.height - c + 1), left = rng.int(below: f.width - c + 1)
            let flip = rng.next() & 1 == 1
            for ch in 0..<3 {
                let src = ch * f.width * f.height, dst = (b * 3 + ch) * plane
                for y in 0..<c {
                    let row = src + (top + y) * f.width + left
                    for x in 0..<c { out[dst + y * c + x] = Float(f.rgb[row + (flip ? c - 1 - x : x)]) * (1 / 255) }
                }
            }
        }
        return Tensor(shape: [batch, 3, c, c], storage: out)
    }
}

/// Builds the next batch on a background thread while the current step runs.
public typealias BatchPrefetcher = StepPrefetcher<Tensor>

extension StepPrefetcher where Value == Tensor {
    /// Prefetches `sampler`'s batches.
    public convenience init(sampler: BatchSampler) { self.init { sampler.batch(step: $0) } }
}
