import Tensor
/// The named, ordered trainable parameters of a model: what optimizers update and checkpoints save.
public final class ParameterSet {
    /// Parameters in registration order.
    public private(set) var parameters: [Variable] = []
    private var index: [String: Int] = [:]

    public init() {}

    /// Registers a parameter under a unique name and returns it.
    @discardableResult
    public func add(_ name: String, _ value: Tensor) -> Variable {
        precondition(index[name] == nil, "parameter \(name) registered twice")
        let v = Variable(value, requiresGrad: true, name: name)
        index[name] = parameters.count
        parameters.append(v)
        return v
    }

    /// Registers a parameter initialised by `initializer` from `rng`.
    @discardableResult
    public func add(_ name: String, shape: [Int], _ initializer: Initializer, rng: inout RNG) -> Variable {
        add(name, initializer.make(shape: shape, rng: &rng))
    }

    /// The parameter called `name`, if any.
    public subscript(name: String) -> Variable? { index[name].map { parameters[$0] } }

    /// Names in registration order.
    public var names: [String] { parameters.map(\.name) }

    /// Total number of scalar weights.
    public var scalarCount: Int { parameters.reduce(0) { $0 + $1.value.count } }

    /// The parameters whose names satisfy `include`, sharing the same `Variable`s (e.g. to give
    /// an optimizer only the unfrozen part of a model, or to save one sub-model).
    public func subset(_ include: (String) -> Bool) -> ParameterSet {
        let s = ParameterSet()
        for p in parameters where include(p.name) {
            s.index[p.name] = s.parameters.count
            s.parameters.append(p)
        }
        return s
    }

    /// This set's parameters followed by `other`'s, sharing the same `Variable`s (e.g. a generator
    /// and its discriminator in one checkpoint). Names must not repeat.
    public func merged(with other: ParameterSet) -> ParameterSet {
        let s = subset { _ in true }
        for p in other.parameters {
            precondition(s.index[p.name] == nil, "parameter \(p.name) in both sets")
            s.index[p.name] = s.parameters.count
            s.parameters.append(p)
        }
        return s
    }

    /// Freezes (or unfreezes) the parameters whose names satisfy `include`.
    public func setTrainable(_ trainable: Bool, where include: (String) -> Bool) {
        for p in parameters where include(p.name) { p.requiresGrad = trainable; if !trainable { p.grad = nil } }
    }

    /// Clears every gradient.
    public func zeroGrad() { for p in parameters { p.grad = nil } }
}
