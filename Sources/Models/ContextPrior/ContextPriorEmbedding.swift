import Deterministic
import Tensor

/// The context prior's first layer: a sum of learned vectors per position (spec/intra.md §3.1).
///
/// The forward is plain gathers and Float additions in a fixed order, so it is the same function
/// in training and in the decoder; training wraps it in an autograd node whose backward
/// scatter-adds into the tables.
public enum ContextPriorEmbedding {
    public static func lowerName(_ m: Int) -> String { "prior.embed.lower\(m)" }
    public static func sameName(_ l: Int) -> String { "prior.embed.same\(l)" }
    public static func previousName(_ l: Int) -> String { "prior.embed.prev\(l)" }
    public static let levelBiasName = "prior.bias.level"
    public static let passBiasName = "prior.bias.pass"

    /// What one grid contributes: coding level `level` in pass `pass` of a `width x height` grid.
    public struct Context: Sendable {
        public var level: Int, pass: Int
        public var width: Int, height: Int
        /// Planes of levels `0..<level`, raster order.
        public var lower: [[Int32]]
        /// Level `level`'s plane; read only where `config.pass(x:y:level:) < pass`.
        public var same: [Int32]
        /// Level `level`'s plane of the previous I-frame (temporal priors; nil: none).
        public var previous: [Int32]?

        public init(level: Int, pass: Int, width: Int, height: Int, lower: [[Int32]], same: [Int32],
                    previous: [Int32]? = nil) {
            precondition(lower.count == level && lower.allSatisfy { $0.count == width * height } && same.count == width * height)
            precondition(previous.map { $0.count == width * height } ?? true)
            self.level = level; self.pass = pass; self.width = width; self.height = height
            self.lower = lower; self.same = same; self.previous = previous
        }
    }

    /// `[N, C, h, w]` for contexts of equal size. Per position and channel, in this order:
    /// `levelBias[l] + passBias[p]`, then `+ lower_m[index]` for m = 0, 1, ..., l-1, then
    /// `+ same_l[index]` where the position was coded in an earlier pass, then (temporal priors,
    /// with a previous plane) `+ prev_l[previous index]`. Each `+` is one IEEE single-precision
    /// addition.
    public static func forward(_ contexts: [Context], config: ContextPriorConfig,
                               table: (String) -> Tensor) -> Tensor {
        let c = config.hidden
        let (w, h) = (contexts[0].width, contexts[0].height)
        let hw = w * h
        let levelBias = table(levelBiasName).storage, passBias = table(passBiasName).storage
        let lowers = (0..<max(0, config.levels - 1)).map { table(lowerName($0)).storage }
        let sames = (0..<config.levels).map { table(sameName($0)).storage }
        let previousTables = config.temporal ? (0..<config.levels).map { table(previousName($0)).storage } : []
        var out: [Float] = []
        out.reserveCapacity(contexts.count * c * hw)
        // Accumulated position-major (each position's C sums are contiguous), then transposed to
        // channel-major: the order of the additions per element is the one documented above.
        var byPosition = [Float](repeating: 0, count: hw * c)
        for ctx in contexts {
            precondition(ctx.width == w && ctx.height == h, "contexts of different sizes")
            let l = ctx.level, p = ctx.pass
            precondition(ctx.previous == nil || config.temporal, "a previous plane for a prior without temporal context")
            byPosition.withUnsafeMutableBufferPointer { acc in
                for y in 0..<h {
                    for x in 0..<w {
                        let pos = y * w + x, a = acc.baseAddress! + pos * c
                        for ch in 0..<c { a[ch] = levelBias[l * c + ch] + passBias[p * c + ch] }
                        for m in 0..<l {
                            lowers[m].withUnsafeBufferPointer { t in
                                let row = t.baseAddress! + Int(ctx.lower[m][pos]) * c
                                for ch in 0..<c { a[ch] += row[ch] }
                            }
                        }
                        if config.pass(x: x, y: y, level: l) < p {
                            sames[l].withUnsafeBufferPointer { t in
                                let row = t.baseAddress! + Int(ctx.same[pos]) * c
                                for ch in 0..<c { a[ch] += row[ch] }
                            }
                        }
                        if let previous = ctx.previous {
                            previousTables[l].withUnsafeBufferPointer { t in
                                let row = t.baseAddress! + Int(previous[pos]) * c
                                for ch in 0..<c { a[ch] += row[ch] }
                            }
                        }
                    }
                }
            }
            out += DeterministicKernels.transpose2D(Tensor(shape: [hw, c], storage: byPosition)).storage
        }
        return Tensor(shape: [contexts.count, c, h, w], storage: out)
    }
}
