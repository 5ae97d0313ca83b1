import Foundation

/// Builds the batch of step `s + 1` on a background thread while step `s` runs. `make` must
/// depend only on the step, so a prefetched batch equals the one built in place.
public final class StepPrefetcher<Value>: @unchecked Sendable {
    let make: (Int) -> Value
    let queue = DispatchQueue(label: "dcvc.batch-prefetch")
    var pending: (step: Int, group: DispatchGroup, box: Box)?
    final class Box: @unchecked Sendable { var value: Value? }

    public init(make: @escaping (Int) -> Value) { self.make = make }

    /// Waits for the batch being built, so no work outlives the run (or the process).
    deinit { pending?.group.wait() }

    /// Batch `step` (identical to `make(step)`); starts building `step + 1`.
    public func batch(step: Int) -> Value {
        let result: Value
        if let p = pending, p.step == step {
            p.group.wait()
            result = p.box.value!
        } else {
            result = make(step)
        }
        let g = DispatchGroup(), box = Box(), make = self.make
        g.enter()
        queue.async { box.value = make(step + 1); g.leave() }
        pending = (step + 1, g, box)
        return result
    }
}
