import Codec
import Foundation

/// What each code would cost at each position, for the RD search (`RDSearch`): a table per level,
/// `bits[l][position · K + k]`, from the index model the stream codes with.
public enum IndexRateTable {
    /// Bits of every code at every position of `planes`' levels. With `prior`: −log2 of the
    /// softmax of the prior's logits, the prior run over the current planes exactly as the
    /// encoder runs it (each position conditioned on the current codes it conditions on). Without:
    /// −log2 of each level's code frequencies in the current plane (add-one), the cost under the
    /// adaptive count model the codec then uses.
    public static func bits(_ planes: IndexPlanes, prior: IndexPrior?, codebookSize k: Int, threads: Int) throws -> [[Float]] {
        let hw = planes.width * planes.height
        return try planes.planes.enumerated().map { level, plane in
            var table = [Float](repeating: 0, count: hw * k)
            if let prior {
                _ = try prior.code(level: level, width: planes.width, height: planes.height,
                                   lower: Array(planes.planes.prefix(level)), threads: threads) { pos, logits in
                    var m = -Float.infinity
                    for v in logits { m = max(m, v) }
                    var s = 0.0
                    for v in logits { s += Foundation.exp(Double(v - m)) }
                    let logSum = Foundation.log(s)
                    for c in 0..<k { table[pos * k + c] = Float((logSum - Double(logits[c] - m)) / Foundation.log(2)) }
                    return plane[pos]
                }
            } else {
                var counts = [Double](repeating: 1, count: k)
                for s in plane { counts[Int(s)] += 1 }
                let total = Double(hw + k)
                let costs = counts.map { Float(-Foundation.log2($0 / total)) }
                for pos in 0..<hw { for c in 0..<k { table[pos * k + c] = costs[c] } }
            }
            return table
        }
    }
}
