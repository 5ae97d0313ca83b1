import Foundation
import Tensor
import TensorTraining

extension Ops {
    /// Mean cross-entropy, in nats, of channel-first logits `[N, K, h, w]` against `targets`
    /// (N·h·w classes, position-major per image) over the positions where `mask` is true.
    /// Also returns the summed nats per `group[i]` (e.g. the RVQ level of each image's sample)
    /// for logging. Rows with no masked position contribute nothing.
    public static func maskedCrossEntropy(_ logits: Variable, targets: [Int32], mask: [Bool]) -> Variable {
        let (n, k, hw) = (logits.shape[0], logits.shape[1], logits.shape[2] * logits.shape[3])
        precondition(targets.count == n * hw && mask.count == n * hw)
        let count = mask.reduce(0) { $0 + ($1 ? 1 : 0) }
        let x = logits.value.storage
        var probs = [Float](repeating: 0, count: x.count)   // softmax at masked positions only
        var loss = 0.0
        var e = [Double](repeating: 0, count: k)
        for b in 0..<n {
            for p in 0..<hw where mask[b * hw + p] {
                var m = -Float.infinity
                for c in 0..<k { m = max(m, x[(b * k + c) * hw + p]) }
                var s = 0.0
                for c in 0..<k { e[c] = Foundation.exp(Double(x[(b * k + c) * hw + p] - m)); s += e[c] }
                for c in 0..<k { probs[(b * k + c) * hw + p] = Float(e[c] / s) }
                let t = Int(targets[b * hw + p])
                loss -= Foundation.log(max(e[t] / s, 1e-300))
            }
        }
        let denom = Float(max(count, 1))
        return Variable.node(.scalar(Float(loss / Double(max(count, 1)))), parents: [logits]) { g in
            let s = g.item / denom
            var d = Tensor(shape: logits.shape, storage: probs)
            for i in 0..<d.count { d.storage[i] *= s }
            for b in 0..<n {
                for p in 0..<hw where mask[b * hw + p] { d.storage[(b * k + Int(targets[b * hw + p])) * hw + p] -= s }
            }
            logits.accumulate(d)
        }
    }
}
