/// Differentiable operations on `Variable`s. Each op family lives in `Ops/` beside its kernels:
/// the forward computes with `TrainingKernels`, the closure passed to `Variable(op:)` is its
/// hand-written backward.
public enum Ops {}

extension Variable {
    /// A new graph node (for ops defined outside this module too).
    public static func node(_ value: Tensor, parents: [Variable], backward: @escaping (Tensor) -> Void) -> Variable {
        Variable(op: value, parents: parents, backward: backward)
    }
}
