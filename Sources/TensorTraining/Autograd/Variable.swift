import Tensor
/// A node of the reverse-mode autograd graph: a value, its gradient, and how to push a gradient
/// back to the nodes it was computed from.
///
/// Ops (`Ops.conv2d`, `+`, `Ops.silu`, ...) take `Variable`s and return a new one whose backward
/// closure sits beside the op's forward. `loss.backward()` visits the graph in reverse topological
/// order; leaves that require gradients (parameters) keep theirs in `grad`, interior gradients are
/// released as soon as they are consumed. A node only records its parents when one of them needs
/// a gradient, so evaluation with frozen inputs builds no graph.
public final class Variable {
    /// The forward value. Every write to it (assignment or in-place mutation through this
    /// property, as the optimizer does) drops what was derived from it (`derivedKernels`).
    public var value: Tensor {
        didSet {
            derivedKernelsLock.lock()
            derivedKernels = nil
            derivedKernelsLock.unlock()
        }
    }
    /// The accumulated gradient (nil until a backward pass reaches this node).
    public var grad: Tensor?
    /// Whether gradients flow into this node. Setting it to false on a parameter freezes it.
    public var requiresGrad: Bool
    /// A label for parameters and error messages.
    public var name: String

    private(set) var parents: [Variable]
    /// Transforms of `value` kept for reuse while it is unchanged (the Winograd kernels of a 3x3
    /// conv weight, WinogradWeights.swift); nil after any write to `value`.
    var derivedKernels: AnyObject?
    private(set) var backwardFn: ((Tensor) -> Void)?

    /// A leaf: an input (`requiresGrad: false`) or a trainable parameter (`true`).
    public init(_ value: Tensor, requiresGrad: Bool = false, name: String = "") {
        self.value = value
        self.requiresGrad = requiresGrad
        self.name = name
        parents = []
        backwardFn = nil
    }

    /// An op's result. `backward` receives this node's gradient and accumulates into the parents.
    init(op value: Tensor, parents: [Variable], name: String = "", backward: @escaping (Tensor) -> Void) {
        self.value = value
        self.name = name
        let needs = Variable.gradEnabled && parents.contains { $0.requiresGrad }
        requiresGrad = needs
        self.parents = needs ? parents : []
        backwardFn = needs ? backward : nil
    }

    nonisolated(unsafe) static var gradEnabled = true

    /// Runs `body` without recording a graph (evaluation, EMA updates): ops return plain values
    /// and keep no activations. Not thread-safe; nests.
    public static func noGrad<R>(_ body: () throws -> R) rethrows -> R {
        let saved = gradEnabled
        gradEnabled = false
        defer { gradEnabled = saved }
        return try body()
    }

    /// The value's shape.
    public var shape: [Int] { value.shape }

    /// A leaf holding the same value, cut off from the graph.
    public func detached() -> Variable { Variable(value) }

    /// Adds `g` into `grad` (used by backward closures).
    public func accumulate(_ g: Tensor) {
        guard requiresGrad else { return }
        precondition(g.count == value.count, "gradient \(g.shape) for value \(value.shape) (\(name))")
        if grad == nil {
            grad = g.shape == value.shape ? g : g.reshaped(value.shape)
        } else {
            grad!.addInPlace(g)
        }
    }

    /// Adds a gradient that `body` adds straight into `grad`'s elements (zeros when there was
    /// none yet): the same sums as `accumulate` without a temporary gradient tensor.
    func accumulate(adding body: (UnsafeMutablePointer<Float>) -> Void) {
        guard requiresGrad else { return }
        if grad == nil { grad = Tensor.zeros(value.shape) }
        grad!.withMutablePointer(body)
    }

    /// Clears the gradient.
    public func zeroGrad() { grad = nil }

    /// Back-propagates from this node, seeded with `seed` (ones for a scalar loss by default).
    ///
    /// Unless `retainGraph` is set, each node drops its backward closure (and with it the saved
    /// activations) as soon as it has run, so memory falls during the pass and the graph cannot
    /// be differentiated twice.
    public func backward(seed: Tensor? = nil, retainGraph: Bool = false) {
        guard requiresGrad else { return }
        let order = topologicalOrder()
        accumulate(seed ?? Tensor(shape: value.shape, repeating: 1))
        for node in order.reversed() {
            guard let fn = node.backwardFn else { continue }
            if let g = node.grad {
                node.grad = nil // interior gradient consumed; frees memory early
                fn(g)
            }
            if !retainGraph { node.backwardFn = nil; node.parents = [] }
        }
    }

    /// Nodes reachable from `self`, parents before children (iterative DFS).
    func topologicalOrder() -> [Variable] {
        var order: [Variable] = []
        var visited = Set<ObjectIdentifier>()
        var stack: [(Variable, Int)] = [(self, 0)]
        visited.insert(ObjectIdentifier(self))
        while let (node, i) = stack.popLast() {
            if i < node.parents.count {
                stack.append((node, i + 1))
                let p = node.parents[i]
                if p.backwardFn != nil, visited.insert(ObjectIdentifier(p)).inserted {
                    stack.append((p, 0))
                }
            } else {
                order.append(node)
            }
        }
        return order
    }
}
