import ArgumentParser
import Models
import Tensor
import Training

/// Which model `dcvc-bench train` times.
enum TrainBenchModel: String, ExpressibleByArgument, CaseIterable {
    /// The small VQGAN-style autoencoder (scripts/torch_twin.py).
    case reference
    /// The DCVC P-frame model's stage-4 training step (scripts/torch_inter_twin.py).
    case inter
}

/// `dcvc-bench train --model inter`: `InterTrainer.trainStep` of stage 4 (default InterConfig,
/// `pFrames` cascaded P-frames, grad-norm clip 1, Adam) on one fixed random GOP batch, so that
/// neither video decoding nor the I-frame coder is timed.
extension TrainBench {
    func interSubject() throws -> Subject {
        var options = InterTrainOptions.defaults(stage: 4)
        options.batch = batchSize; options.crop = cropSize; options.pFrames = pFrames
        options.steps = warmup + steps
        let config = InterConfig()
        let trainer = try InterTrainer(config: config, options: options)
        let gop = InterBenchBatch.make(batch: batchSize, crop: cropSize, frames: pFrames + 1,
                                       rates: config.lambdas.count, seed: 1)
        return Subject(step: { trainer.trainStep(gop).loss }, params: trainer.params.scalarCount,
                       summary: "P-frame model (stage 4, \(pFrames) P-frames)")
    }
}

/// The fixed GOP batch of the P-frame bench: random 8-bit frames (seeded), each sample its own
/// GOP, drawn through `GOPSampler` like training batches but with the original first frame as
/// the reference (no I-frame coder).
enum InterBenchBatch {
    /// `batch` samples of `frames` frames [batch, 3, crop, crop] in [0, 1], rate points in 0..<rates.
    static func make(batch: Int, crop: Int, frames: Int, rates: Int, seed: UInt64) -> GOPBatch {
        var rng = RNG(seed: seed)
        let gops = (0..<batch).map { _ in
            (0..<frames).map { _ in
                FrameImage(width: crop, height: crop, rgb: (0..<(3 * crop * crop)).map { _ in UInt8(truncatingIfNeeded: rng.next() >> 56) })
            }
        }
        let pool = GOPPool(gops: gops, labels: gops.indices.map { "random#\($0)" })
        let sampler = GOPSampler(pool: pool, batch: batch, crop: crop, frames: frames, rates: rates, maxLevels: 1,
                                 seed: seed, iframeCoder: nil)
        return sampler.batch(step: 0)
    }
}
