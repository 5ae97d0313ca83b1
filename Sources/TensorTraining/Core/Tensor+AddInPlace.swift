import Tensor

/// In-place accumulation for gradients and optimizer state (training kernels, threaded).
extension Tensor {
    /// Adds `other` (same element count) into this tensor in place.
    public mutating func addInPlace(_ other: Tensor) {
        precondition(other.count == count, "addInPlace: \(shape) vs \(other.shape)")
        let n = count
        other.withPointer { o in
            withMutablePointer { d in
                TrainingKernels.parallelFor(n) { r in for i in r { d[i] += o[i] } }
            }
        }
    }
}
