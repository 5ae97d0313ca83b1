import Foundation
import Tensor
import TensorTraining

@inline(__always) func _log(_ x: Double) -> Double { Foundation.log(x) }
@inline(__always) func _exp(_ x: Double) -> Double { Foundation.exp(x) }

/// Lloyd's k-means for codebook initialisation.
public enum KMeans {
    /// Clusters rows [M, D] into `k` centres (initialised from distinct random rows, or rows with
    /// small noise when M < k). Empty clusters are re-seeded from random rows. `spherical` keeps
    /// centres at unit norm. Returns the centres [k, D] and the final cluster sizes.
    public static func fit(_ x: Tensor, k: Int, iterations: Int, spherical: Bool, rng: inout RNG) -> (Tensor, [Int]) {
        let m = x.shape[0], d = x.shape[1]
        precondition(m > 0)
        var centers = Tensor.zeros([k, d])
        // Partial Fisher-Yates for distinct starting rows.
        var order = Array(0..<m)
        for j in 0..<k {
            let src: Int
            if j < m { let r = j + rng.int(below: m - j); order.swapAt(j, r); src = order[j] } else { src = rng.int(below: m) }
            for c in 0..<d { centers.storage[j * d + c] = x.storage[src * d + c] + (j < m ? 0 : 0.01 * rng.normal()) }
        }
        if spherical { normalizeRows(&centers) }
        var counts = [Int](repeating: 0, count: k)
        for _ in 0..<max(1, iterations) {
            let idx = TrainingKernels.nearestCodeword(x, codebook: centers)
            var sums = [Double](repeating: 0, count: k * d)
            counts = [Int](repeating: 0, count: k)
            for (i, j) in idx.enumerated() {
                counts[j] += 1
                for c in 0..<d { sums[j * d + c] += Double(x.storage[i * d + c]) }
            }
            for j in 0..<k {
                if counts[j] == 0 {
                    let src = rng.int(below: m)
                    for c in 0..<d { centers.storage[j * d + c] = x.storage[src * d + c] }
                } else {
                    for c in 0..<d { centers.storage[j * d + c] = Float(sums[j * d + c] / Double(counts[j])) }
                }
            }
            if spherical { normalizeRows(&centers) }
        }
        return (centers, counts)
    }

    static func normalizeRows(_ t: inout Tensor) {
        let d = t.shape[1]
        for j in 0..<t.shape[0] {
            var s: Float = 0
            for c in 0..<d { s += t.storage[j * d + c] * t.storage[j * d + c] }
            let inv = 1 / max(s.squareRoot(), 1e-12)
            for c in 0..<d { t.storage[j * d + c] *= inv }
        }
    }
}
