import Tensor
/// Vector quantisation helpers: nearest-codeword search (forward only) and codeword lookup.
extension TrainingKernels {
    /// For each row of x [N, D], the index of the nearest row of codebook [K, D] in squared L2
    /// distance (ties go to the lowest index). Distances come from ||c||² - 2 x·c via sgemm.
    public static func nearestCodeword(_ x: Tensor, codebook: Tensor) -> [Int] {
        let d = codebook.shape[1], k = codebook.shape[0], n = x.count / d
        precondition(x.shape.last == d, "codes \(x.shape) for codebook \(codebook.shape)")
        var norms = [Float](repeating: 0, count: k)
        for j in 0..<k { var s: Float = 0; for i in 0..<d { let v = codebook.storage[j * d + i]; s += v * v }; norms[j] = s }
        var result = [Int](repeating: 0, count: n)
        let block = 256
        x.withPointer { xp in codebook.withPointer { cp in result.withUnsafeMutableBufferPointer { rp in
            let blocks = (n + block - 1) / block
            let parts = blocks >= TrainingKernels.threads ? TrainingKernels.threads : 1
            Gemm.setThreads(parts > 1 ? 1 : TrainingKernels.threads)
            parallelChunks(blocks, parts: parts) { r in
                var dots = [Float](repeating: 0, count: block * k)
                dots.withUnsafeMutableBufferPointer { dp in
                    for bi in r {
                        let lo = bi * block, rows = min(block, n - lo)
                        Gemm.sgemm(transB: true, m: rows, n: k, k: d, a: xp + lo * d, lda: d, b: cp, ldb: d,
                                   beta: 0, c: dp.baseAddress!, ldc: k)
                        for i in 0..<rows {
                            var best = 0, bestD = Float.infinity
                            for j in 0..<k {
                                let dist = norms[j] - 2 * dp[i * k + j]
                                if dist < bestD { bestD = dist; best = j }
                            }
                            rp[lo + i] = best
                        }
                    }
                }
            }
        } } }
        return result
    }

    /// Rows `indices` of table [K, D], shaped [indices.count, D].
    public static func gatherRows(_ table: Tensor, _ indices: [Int]) -> Tensor {
        let d = table.shape[1]
        return table.withPointer { tp in
            Tensor.make(shape: [indices.count, d]) { out in
                for (i, j) in indices.enumerated() { (out.baseAddress! + i * d).update(from: tp + j * d, count: d) }
            }
        }
    }
}

extension Ops {
    /// Codeword lookup: rows `indices` of table [K, D]; the gradient scatters back into the table.
    public static func embedding(_ table: Variable, indices: [Int]) -> Variable {
        let shape = table.shape, d = shape[1]
        return Variable(op: TrainingKernels.gatherRows(table.value, indices), parents: [table]) { g in
            var dt = Tensor.zeros(shape)
            for (i, j) in indices.enumerated() { for c in 0..<d { dt.storage[j * d + c] += g.storage[i * d + c] } }
            table.accumulate(dt)
        }
    }
}
