import Models
import Tensor
import TensorTraining

/// Trains the RVQ codebooks without gradients: k-means initialisation from the first batch's
/// residuals, exponential-moving-average (EMA) k-means updates every step, and restart of codes
/// that went unused for `deadAfter` steps with randomly chosen current residuals.
///
/// Its state lives in the model's `ParameterSet` (codebooks, EMA counts and sums, last-use
/// steps, an initialised flag) so checkpoints carry it; those variables never get a gradient,
/// so Adam leaves them alone.
public final class CodebookTrainer {
    public let levels: Int, size: Int, dim: Int
    public var decay: Float
    public var deadAfter: Int
    public var kmeansIterations: Int
    let codebook: [Variable], emaCount: [Variable], emaSum: [Variable], lastUsed: [Variable]
    let initialized: Variable

    /// Registers the quantizer state in `params`.
    public init(params: ParameterSet, levels: Int, size: Int, dim: Int, decay: Float = 0.99,
                deadAfter: Int = 25, kmeansIterations: Int = 10) {
        self.levels = levels; self.size = size; self.dim = dim
        self.decay = decay; self.deadAfter = deadAfter; self.kmeansIterations = kmeansIterations
        var cb: [Variable] = [], cnt: [Variable] = [], sum: [Variable] = [], last: [Variable] = []
        for l in 0..<levels {
            let base = "quantizer.level\(l)"
            cb.append(params.add(ResidualQuantizer.codebookName(l), Tensor.zeros([size, dim])))
            cnt.append(params.add("\(base).ema_count", Tensor.zeros([size])))
            sum.append(params.add("\(base).ema_sum", Tensor.zeros([size, dim])))
            last.append(params.add("\(base).last_used", Tensor.zeros([size])))
        }
        codebook = cb; emaCount = cnt; emaSum = sum; lastUsed = last
        initialized = params.add("quantizer.initialized", Tensor.zeros([1]))
    }

    /// Whether k-means initialisation has run.
    public var isInitialized: Bool { initialized.value.storage[0] != 0 }

    /// The current codebooks as a quantizer.
    public var quantizer: ResidualQuantizer { ResidualQuantizer(codebooks: codebook.map(\.value)) }

    /// Level-by-level k-means on `rows` (the l2-normalised latents [M, D]): level 0 spherical,
    /// later levels on the residual left by the levels before.
    public func initialize(rows: Tensor, rng: inout RNG) {
        var r = rows
        for l in 0..<levels {
            let (centers, counts) = KMeans.fit(r, k: size, iterations: kmeansIterations, spherical: l == 0, rng: &rng)
            codebook[l].value = centers
            emaCount[l].value = Tensor(shape: [size], storage: counts.map { max(Float($0), 1) })
            var s = centers
            for k in 0..<size { for c in 0..<dim { s.storage[k * dim + c] *= emaCount[l].value.storage[k] } }
            emaSum[l].value = s
            let idx = TrainingKernels.nearestCodeword(r, codebook: centers)
            let q = TrainingKernels.gatherRows(centers, idx)
            for i in 0..<r.count { r.storage[i] -= q.storage[i] }
        }
        initialized.value.storage[0] = 1
    }

    /// Takes trained codebooks (fine-tuning): each code's EMA count becomes `count`, its EMA sum
    /// codeword · count and its last use `step`, and the quantizer counts as initialised.
    public func restart(from codebooks: [Tensor], count: Float, step: Int) {
        precondition(codebooks.count == levels && codebooks.allSatisfy { $0.shape == [size, dim] },
                     "restart with \(codebooks.map(\.shape)) for \(levels) levels of [\(size), \(dim)]")
        for l in 0..<levels {
            codebook[l].value = codebooks[l]
            emaCount[l].value = Tensor(shape: [size], repeating: count)
            emaSum[l].value = TrainingKernels.map(codebooks[l]) { $0 * count }
            lastUsed[l].value = Tensor(shape: [size], repeating: Float(step))
        }
        initialized.value.storage[0] = 1
    }

    /// Statistics of one update, per level.
    public struct LevelStats {
        public var perplexity: Float
        /// Codes unused for `deadAfter` steps before this update (each was restarted).
        public var dead: Int
    }

    /// One EMA step from this batch's assignments (`indices[l]` of `residuals[l]`), then restarts
    /// of dead codes with random residual rows of the same level.
    @discardableResult
    public func update(indices: [[Int]], residuals: [Tensor], step: Int, rng: inout RNG) -> [LevelStats] {
        var stats: [LevelStats] = []
        for l in 0..<levels {
            let rows = residuals[l], idx = indices[l], m = idx.count
            var counts = [Float](repeating: 0, count: size)
            var sums = [Float](repeating: 0, count: size * dim)
            for (i, k) in idx.enumerated() {
                counts[k] += 1
                for c in 0..<dim { sums[k * dim + c] += rows.storage[i * dim + c] }
            }
            var cnt = emaCount[l].value, sm = emaSum[l].value, cb = codebook[l].value, last = lastUsed[l].value
            for k in 0..<size {
                cnt.storage[k] = decay * cnt.storage[k] + (1 - decay) * counts[k]
                for c in 0..<dim { sm.storage[k * dim + c] = decay * sm.storage[k * dim + c] + (1 - decay) * sums[k * dim + c] }
                if counts[k] > 0 { last.storage[k] = Float(step) }
            }
            // Laplace smoothing keeps rarely used codes from dividing by ~0.
            let total = cnt.storage.reduce(0, +), eps: Float = 1e-5
            for k in 0..<size {
                let n = (cnt.storage[k] + eps) / (total + Float(size) * eps) * total
                for c in 0..<dim { cb.storage[k * dim + c] = sm.storage[k * dim + c] / n }
                if l == 0 { normalizeRow(&cb, k) }
            }
            var dead = 0
            for k in 0..<size where Float(step) - last.storage[k] >= Float(deadAfter) {
                dead += 1
                let src = rng.int(below: m)
                for c in 0..<dim { cb.storage[k * dim + c] = rows.storage[src * dim + c] }
                if l == 0 { normalizeRow(&cb, k) }
                cnt.storage[k] = 1
                for c in 0..<dim { sm.storage[k * dim + c] = cb.storage[k * dim + c] }
                last.storage[k] = Float(step)
            }
            codebook[l].value = cb; emaCount[l].value = cnt; emaSum[l].value = sm; lastUsed[l].value = last
            stats.append(LevelStats(perplexity: CodebookTrainer.perplexity(counts: counts), dead: dead))
        }
        return stats
    }

    /// exp(entropy) of the empirical index distribution: K when uniform, 1 when collapsed.
    public static func perplexity(counts: [Float]) -> Float {
        let total = counts.reduce(0, +)
        guard total > 0 else { return 0 }
        var h: Double = 0
        for c in counts where c > 0 { let p = Double(c / total); h -= p * _log(p) }
        return Float(_exp(h))
    }

    func normalizeRow(_ t: inout Tensor, _ k: Int) {
        var s: Float = 0
        for c in 0..<dim { s += t.storage[k * dim + c] * t.storage[k * dim + c] }
        let inv = 1 / max(s.squareRoot(), 1e-12)
        for c in 0..<dim { t.storage[k * dim + c] *= inv }
    }
}
