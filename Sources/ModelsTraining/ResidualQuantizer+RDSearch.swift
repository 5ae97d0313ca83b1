import Foundation
import Models
import Tensor

extension ResidualQuantizer {
    /// Rate-distortion search of rows [M, D] over the first `levels` levels (encoder side).
    ///
    /// Per row a beam of up to `beam` partial paths is extended level by level by every codeword
    /// and pruned to the `beam` paths of lowest `|residual|² + lambda · bits`, where `bits[l][m·K + k]`
    /// is what code `k` of level `l` costs at row `m` (nil: no rate term). The path of lowest final
    /// cost wins. With `beam` 1 and `lambda` 0 this is the greedy `encode` (nearest codeword of the
    /// running residual, the lowest index on a tie); a wider beam can only lower the final
    /// residual at `lambda` 0 when the beam keeps the greedy path (it does: it is always a
    /// candidate at the lowest cost). Costs are summed in Double so that adding a path's
    /// residual norm never reorders two codewords' distances.
    public func searchRD(rows: Tensor, levels: Int, beam: Int, lambda: Float, bits: [[Float]]?, threads: Int) -> [[Int]] {
        precondition(rows.rank == 2 && rows.shape[1] == dim, "RVQ rows \(rows.shape) for dim \(dim)")
        precondition((1...self.levels).contains(levels) && beam >= 1 && lambda >= 0)
        let m = rows.shape[0], k = codebookSize, d = dim
        if let bits { precondition(bits.count >= levels && bits.prefix(levels).allSatisfy { $0.count == m * k }) }
        let norms = codebooks.map { cb in (0..<k).map { j in (0..<d).reduce(Float(0)) { $0 + cb.storage[j * d + $1] * cb.storage[j * d + $1] } } }
        var out = [[Int]](repeating: [Int](repeating: 0, count: m), count: levels)
        // Each chunk writes only its own rows; the buffers are preallocated so threads never resize them.
        out.withUnsafeMutableBufferPointer { outLevels in
            let columns = (0..<levels).map { outLevels[$0].withUnsafeMutableBufferPointer { $0.baseAddress! } }
            parallelChunks(m, parts: max(1, threads)) { range in
                var search = BeamSearch(dim: d, beam: beam, levels: levels)
                for row in range {
                    let path = search.run(row: rows.storage[(row * d)..<((row + 1) * d)], codebooks: codebooks, norms: norms,
                                          lambda: Double(lambda), bits: bits.map { b in { l, j in b[l][row * k + j] } })
                    for l in 0..<levels { columns[l][row] = path[l] }
                }
            }
        }
        return out
    }

    /// Mean squared norm of the greedy residual after 0, 1, ..., `levels` levels (entry 0 is the
    /// mean squared norm of the rows themselves).
    public func greedyResidualEnergies(rows: Tensor, levels: Int) -> [Double] {
        let (indices, residuals) = encode(rows: rows, levels: levels)
        let m = rows.shape[0], d = dim, cb = codebooks[levels - 1].storage
        var last = residuals[levels - 1].storage
        for i in 0..<m { let j = indices[levels - 1][i]; for c in 0..<d { last[i * d + c] -= cb[j * d + c] } }
        func mean(_ v: [Float]) -> Double { v.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(max(1, m)) }
        return residuals.map { mean($0.storage) } + [mean(last)]
    }
}

/// The per-thread state of `searchRD`: the beam's paths, residuals and costs, reused across rows.
struct BeamSearch {
    let dim: Int, beam: Int, levels: Int
    private var residuals: [Float], next: [Float]
    private var paths: [[Int]], nextPaths: [[Int]]
    private var bits: [Double], nextBits: [Double]
    private var count = 0

    init(dim: Int, beam: Int, levels: Int) {
        self.dim = dim; self.beam = beam; self.levels = levels
        residuals = [Float](repeating: 0, count: beam * dim); next = residuals
        paths = [[Int]](repeating: [], count: beam); nextPaths = paths
        bits = [Double](repeating: 0, count: beam); nextBits = bits
    }

    /// The codes of one row: the beam search of `ResidualQuantizer.searchRD`.
    mutating func run(row: ArraySlice<Float>, codebooks: [Tensor], norms: [[Float]], lambda: Double,
                      bits rate: ((Int, Int) -> Float)?) -> [Int] {
        let d = dim
        for (i, v) in row.enumerated() { residuals[i] = v }
        paths[0] = []; bits[0] = 0; count = 1
        for l in 0..<levels {
            let cb = codebooks[l].storage, k = codebooks[l].shape[0], n = norms[l]
            // The `beam` best (cost, parent, code), kept sorted: insertion into a short list.
            var best: [(cost: Double, parent: Int, code: Int)] = []
            best.reserveCapacity(beam + 1)
            for b in 0..<count {
                var rr: Float = 0
                for c in 0..<d { rr += residuals[b * d + c] * residuals[b * d + c] }
                for j in 0..<k {
                    var dot: Float = 0
                    for c in 0..<d { dot += residuals[b * d + c] * cb[j * d + c] }
                    var cost = Double(rr) + Double(n[j] - 2 * dot)
                    if lambda > 0, let rate { cost += lambda * (bits[b] + Double(rate(l, j))) }
                    if best.count == beam, cost >= best[beam - 1].cost { continue }
                    var at = best.count
                    while at > 0, cost < best[at - 1].cost { at -= 1 }
                    best.insert((cost, b, j), at: at)
                    if best.count > beam { best.removeLast() }
                }
            }
            for (i, e) in best.enumerated() {
                for c in 0..<d { next[i * d + c] = residuals[e.parent * d + c] - cb[e.code * d + c] }
                nextPaths[i] = paths[e.parent] + [e.code]
                nextBits[i] = bits[e.parent] + (rate.map { Double($0(l, e.code)) } ?? 0)
            }
            count = best.count
            swap(&residuals, &next); swap(&paths, &nextPaths); swap(&bits, &nextBits)
        }
        return paths[0]
    }
}
