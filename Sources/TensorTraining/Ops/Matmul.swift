import Tensor
import Foundation

/// Matrix products (batched), linear layers and softmax over the last axis.
extension TrainingKernels {
    /// Batched a [B.., M, K] (or [K, M] with transA) times b [B.., K, N] (or [N, K] with transB).
    /// `b` may be rank 2 and is then shared by every batch entry.
    public static func matmul(_ a: Tensor, _ b: Tensor, transA: Bool = false, transB: Bool = false) -> Tensor {
        precondition(a.rank >= 2 && b.rank >= 2, "matmul of \(a.shape) and \(b.shape)")
        let batch = a.shape.dropLast(2).reduce(1, *)
        let bBatch = b.shape.dropLast(2).reduce(1, *)
        precondition(bBatch == 1 && b.rank == 2 || bBatch == batch, "matmul batch of \(a.shape) and \(b.shape)")
        let (ar, ac) = (a.shape[a.rank - 2], a.shape[a.rank - 1]), (br, bc) = (b.shape[b.rank - 2], b.shape[b.rank - 1])
        let m = transA ? ac : ar, k = transA ? ar : ac, n = transB ? br : bc
        precondition((transB ? bc : br) == k, "matmul inner sizes of \(a.shape) and \(b.shape)")
        let shape = Array(a.shape.dropLast(2)) + [m, n]
        let parts = batch >= TrainingKernels.threads ? TrainingKernels.threads : 1
        Gemm.setThreads(parts > 1 ? 1 : TrainingKernels.threads)
        return a.withPointer { ap in b.withPointer { bp in
            Tensor.make(shape: shape) { out in
                let op = out.baseAddress!
                parallelChunks(batch, parts: parts) { r in
                    for i in r {
                        Gemm.sgemm(transA: transA, transB: transB, m: m, n: n, k: k, a: ap + i * ar * ac, lda: ac,
                                   b: bp + (bBatch == 1 ? 0 : i * br * bc), ldb: bc, beta: 0, c: op + i * m * n, ldc: n)
                    }
                }
            }
        } }
    }

    /// Softmax over the last axis (max-subtracted).
    public static func softmax(_ x: Tensor) -> Tensor {
        let d = x.shape.last!, rows = x.count / max(1, d)
        return x.withPointer { xp in
            Tensor.make(shape: x.shape) { out in
                let op = out.baseAddress!
                TrainingKernels.parallelFor(rows, grain: max(1, 4096 / d)) { r in
                    for row in r {
                        let s = xp + row * d, o = op + row * d
                        var mx = -Float.infinity
                        for i in 0..<d { mx = max(mx, s[i]) }
                        var sum: Float = 0
                        for i in 0..<d { let e = TrainingKernels.fastExp(s[i] - mx); o[i] = e; sum += e }
                        let inv = 1 / sum
                        for i in 0..<d { o[i] *= inv }
                    }
                }
            }
        }
    }

    /// dx = y * (g - sum(g * y)) row by row.
    static func softmaxBackward(_ g: Tensor, y: Tensor) -> Tensor {
        let d = y.shape.last!, rows = y.count / max(1, d)
        return g.withPointer { gp in y.withPointer { yp in
            Tensor.make(shape: y.shape) { out in
                let op = out.baseAddress!
                TrainingKernels.parallelFor(rows, grain: max(1, 4096 / d)) { r in
                    for row in r {
                        let gs = gp + row * d, ys = yp + row * d, o = op + row * d
                        var dot: Float = 0
                        for i in 0..<d { dot += gs[i] * ys[i] }
                        for i in 0..<d { o[i] = ys[i] * (gs[i] - dot) }
                    }
                }
            }
        } }
    }
}

extension Ops {
    /// Batched matrix product with optional transposes of the last two axes.
    public static func matmul(_ a: Variable, _ b: Variable, transA: Bool = false, transB: Bool = false) -> Variable {
        let av = a.value, bv = b.value
        let y = TrainingKernels.matmul(av, bv, transA: transA, transB: transB)
        return Variable(op: y, parents: [a, b]) { g in
            typealias K = TrainingKernels
            if a.requiresGrad {
                // C = A B: dA = dC Bᵀ; with transA, dAᵀ = dC Bᵀ so dA = B dCᵀ ... expressed per case.
                let da = transA ? K.matmul(bv, g, transA: transB, transB: true) : K.matmul(g, bv, transB: !transB)
                a.accumulate(da)
            }
            if b.requiresGrad {
                var db = transB ? K.matmul(g, av, transA: true, transB: transA) : K.matmul(av, g, transA: !transA)
                if b.value.rank == 2 && a.value.rank > 2 {
                    // Shared b: sum the per-batch gradients.
                    let inner = db.shape.suffix(2)
                    db = K.sum(db.reshaped([db.count / inner.reduce(1, *)] + inner), axis: 0).reshaped(Array(inner))
                }
                b.accumulate(db)
            }
        }
    }

    /// y = x Wᵀ + b for x [.., in], weight [out, in], bias [out] (PyTorch `Linear`).
    public static func linear(_ x: Variable, _ weight: Variable, _ bias: Variable? = nil) -> Variable {
        let inF = x.shape.last!, lead = Array(x.shape.dropLast())
        let x2 = reshape(x, [x.value.count / inF, inF])
        var y = matmul(x2, weight, transB: true)
        if let bias { y = y + bias }
        return reshape(y, lead + [weight.shape[0]])
    }

    /// Softmax over the last axis.
    public static func softmax(_ x: Variable) -> Variable {
        let y = TrainingKernels.softmax(x.value)
        return Variable(op: y, parents: [x]) { g in x.accumulate(TrainingKernels.softmaxBackward(g, y: y)) }
    }

    /// Mean cross-entropy of logits [N, K] against target classes (the index prior's loss), in nats.
    public static func crossEntropy(_ logits: Variable, targets: [Int]) -> Variable {
        let k = logits.shape.last!, n = logits.value.count / k
        precondition(targets.count == n, "\(targets.count) targets for \(n) rows")
        let p = TrainingKernels.softmax(logits.value)
        var loss: Double = 0
        for (i, t) in targets.enumerated() { loss -= Double(Foundation.log(max(p.storage[i * k + t], 1e-30))) }
        return Variable(op: .scalar(Float(loss / Double(n))), parents: [logits]) { g in
            var d = p
            let s = g.item / Float(n)
            for i in 0..<d.count { d.storage[i] *= s }
            for (i, t) in targets.enumerated() { d.storage[i * k + t] -= s }
            logits.accumulate(d)
        }
    }
}
