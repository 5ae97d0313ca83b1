import Foundation
import Tensor

/// One intra training batch: crops [B, 3, crop, crop] in [0, 1] and each sample's rate point.
public struct HyperpriorBatch {
    public var images: Tensor
    public var rows: [Int]
    public init(images: Tensor, rows: [Int]) {
        precondition(images.shape[0] == rows.count, "\(rows.count) rate rows for \(images.shape)")
        self.images = images; self.rows = rows
    }
}

/// Random crops from a `BatchSampler` (frames and photos) with a random rate point per sample.
/// Batch `s` depends only on (seed, s), so a resumed run sees the same batches as an
/// uninterrupted one.
public struct HyperpriorSampler: Sendable {
    public let crops: BatchSampler
    /// Rate points to draw from (indices into the model's lambdas).
    public let rates: Int

    public init(crops: BatchSampler, rates: Int) {
        precondition(rates >= 1)
        self.crops = crops; self.rates = rates
    }

    public func batch(step: Int) -> HyperpriorBatch {
        var rng = RNG(seed: crops.seed ^ (UInt64(step) &* 0x9FB2_1C65_1E98_DF25) ^ 0x4A7E)
        return HyperpriorBatch(images: crops.batch(step: step), rows: (0..<crops.batch).map { _ in rng.int(below: rates) })
    }
}

extension StepPrefetcher where Value == HyperpriorBatch {
    /// Prefetches `sampler`'s batches.
    public convenience init(sampler: HyperpriorSampler) { self.init { sampler.batch(step: $0) } }
}
