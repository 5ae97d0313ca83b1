import Models
import Tensor
import TensorTraining

extension ResidualQuantizer {
    /// Greedy RVQ of rows [M, D]: per level the nearest codeword of the running residual.
    /// Returns the indices per level and the residual each level saw (level l quantizes
    /// `residuals[l]`). Uses BLAS (encoder side).
    public func encode(rows: Tensor, levels: Int? = nil) -> (indices: [[Int]], residuals: [Tensor]) {
        precondition(rows.rank == 2 && rows.shape[1] == dim, "RVQ rows \(rows.shape) for dim \(dim)")
        var r = rows
        var indices: [[Int]] = [], residuals: [Tensor] = []
        for l in 0..<(levels ?? self.levels) {
            residuals.append(r)
            let idx = TrainingKernels.nearestCodeword(r, codebook: codebooks[l])
            indices.append(idx)
            let q = TrainingKernels.gatherRows(codebooks[l], idx)
            for i in 0..<r.count { r.storage[i] -= q.storage[i] }
        }
        return (indices, residuals)
    }
}
