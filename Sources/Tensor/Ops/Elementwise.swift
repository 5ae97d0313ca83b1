import Foundation

/// Elementwise maps, parallel over contiguous chunks.
extension TrainingKernels {
    @inline(__always)
    public static func map(_ x: Tensor, _ f: (Float) -> Float) -> Tensor {
        x.withPointer { xp in
            Tensor.make(shape: x.shape) { out in
                let o = out.baseAddress!
                parallelFor(x.count) { r in for i in r { o[i] = f(xp[i]) } }
            }
        }
    }

    @inline(__always)
    public static func map2(_ a: Tensor, _ b: Tensor, _ f: (Float, Float) -> Float) -> Tensor {
        precondition(a.count == b.count, "elementwise op on \(a.shape) and \(b.shape)")
        return a.withPointer { ap in b.withPointer { bp in
            Tensor.make(shape: a.shape) { out in
                let o = out.baseAddress!
                parallelFor(a.count) { r in for i in r { o[i] = f(ap[i], bp[i]) } }
            }
        } }
    }

    @inline(__always)
    public static func map3(_ a: Tensor, _ b: Tensor, _ c: Tensor, _ f: (Float, Float, Float) -> Float) -> Tensor {
        precondition(a.count == b.count && a.count == c.count, "elementwise op on \(a.shape), \(b.shape), \(c.shape)")
        return a.withPointer { ap in b.withPointer { bp in c.withPointer { cp in
            Tensor.make(shape: a.shape) { out in
                let o = out.baseAddress!
                parallelFor(a.count) { r in for i in r { o[i] = f(ap[i], bp[i], cp[i]) } }
            }
        } } }
    }
}

/// Pointwise functions with their derivatives (activations and elementwise math).
public enum UnaryFunction: Sendable, Equatable {
    case relu, leakyRelu(slope: Float), silu, gelu, sigmoid, tanh, softplus
    case exp, log, sqrt, square, abs, neg

    /// f(x).
    public func apply(_ x: Tensor) -> Tensor {
        switch self {
        case .relu: return TrainingKernels.map(x) { max($0, 0) }
        case .leakyRelu(let s): return TrainingKernels.map(x) { $0 > 0 ? $0 : s * $0 }
        case .silu: return TrainingKernels.map(x) { $0 / (1 + Foundation.exp(-$0)) }
        case .gelu: return TrainingKernels.map(x) { 0.5 * $0 * (1 + erf($0 * 0.70710678)) }
        case .sigmoid: return TrainingKernels.map(x) { 1 / (1 + Foundation.exp(-$0)) }
        case .tanh: return TrainingKernels.map(x) { Foundation.tanh($0) }
        case .softplus: return TrainingKernels.map(x) { $0 > 20 ? $0 : log1p(Foundation.exp($0)) }
        case .exp: return TrainingKernels.map(x) { Foundation.exp($0) }
        case .log: return TrainingKernels.map(x) { Foundation.log($0) }
        case .sqrt: return TrainingKernels.map(x) { $0.squareRoot() }
        case .square: return TrainingKernels.map(x) { $0 * $0 }
        case .abs: return TrainingKernels.map(x) { Swift.abs($0) }
        case .neg: return TrainingKernels.map(x) { -$0 }
        }
    }

    /// dL/dx from dL/dy, the input x and the output y.
    public func backward(_ g: Tensor, x: Tensor, y: Tensor) -> Tensor {
        typealias K = TrainingKernels
        switch self {
        case .relu: return K.map2(g, x) { $1 > 0 ? $0 : 0 }
        case .leakyRelu(let s): return K.map2(g, x) { $1 > 0 ? $0 : s * $0 }
        case .silu:
            return K.map2(g, x) { g, x in
                let s = 1 / (1 + Foundation.exp(-x))
                return g * s * (1 + x * (1 - s))
            }
        case .gelu:
            return K.map2(g, x) { g, x in
                let cdf = 0.5 * (1 + erf(x * 0.70710678))
                let pdf = Foundation.exp(-0.5 * x * x) * 0.39894228
                return g * (cdf + x * pdf)
            }
        case .sigmoid: return K.map2(g, y) { $0 * $1 * (1 - $1) }
        case .tanh: return K.map2(g, y) { $0 * (1 - $1 * $1) }
        case .softplus: return K.map2(g, x) { $1 > 20 ? $0 : $0 / (1 + Foundation.exp(-$1)) }
        case .exp: return K.map2(g, y) { $0 * $1 }
        case .log: return K.map2(g, x) { $0 / $1 }
        case .sqrt: return K.map2(g, y) { $0 * 0.5 / $1 }
        case .square: return K.map2(g, x) { 2 * $0 * $1 }
        case .abs: return K.map2(g, x) { $1 > 0 ? $0 : ($1 < 0 ? -$0 : 0) }
        case .neg: return K.map(g) { -$0 }
        }
    }
}

extension Ops {
    /// y = f(x) for a pointwise function.
    public static func unary(_ x: Variable, _ f: UnaryFunction) -> Variable {
        let xv = x.value
        let y = f.apply(xv)
        return Variable(op: y, parents: [x]) { g in x.accumulate(f.backward(g, x: xv, y: y)) }
    }

    public static func relu(_ x: Variable) -> Variable { unary(x, .relu) }
    public static func leakyRelu(_ x: Variable, slope: Float = 0.01) -> Variable { unary(x, .leakyRelu(slope: slope)) }
    public static func silu(_ x: Variable) -> Variable { unary(x, .silu) }
    public static func gelu(_ x: Variable) -> Variable { unary(x, .gelu) }
    public static func sigmoid(_ x: Variable) -> Variable { unary(x, .sigmoid) }
    public static func tanh(_ x: Variable) -> Variable { unary(x, .tanh) }
    public static func softplus(_ x: Variable) -> Variable { unary(x, .softplus) }
    public static func exp(_ x: Variable) -> Variable { unary(x, .exp) }
    public static func log(_ x: Variable) -> Variable { unary(x, .log) }
    public static func sqrt(_ x: Variable) -> Variable { unary(x, .sqrt) }
    public static func square(_ x: Variable) -> Variable { unary(x, .square) }
    public static func abs(_ x: Variable) -> Variable { unary(x, .abs) }

    /// x clamped below at `lo` (gradient passes where x > lo).
    public static func clampMin(_ x: Variable, _ lo: Float) -> Variable {
        let xv = x.value
        return Variable(op: TrainingKernels.map(xv) { max($0, lo) }, parents: [x]) { g in
            x.accumulate(TrainingKernels.map2(g, xv) { $1 > lo ? $0 : 0 })
        }
    }

    /// x ** p for x > 0 (used by MS-SSIM's weighted product).
    public static func pow(_ x: Variable, _ p: Float) -> Variable {
        let xv = x.value
        let y = TrainingKernels.map(xv) { Foundation.pow($0, p) }
        return Variable(op: y, parents: [x]) { g in
            x.accumulate(TrainingKernels.map2(g, xv) { g, x in g * p * Foundation.pow(x, p - 1) })
        }
    }

    /// Straight-through rounding: forward rounds half to even (torch.round), backward is identity.
    public static func roundStraightThrough(_ x: Variable) -> Variable {
        Variable(op: TrainingKernels.map(x.value) { $0.rounded(.toNearestOrEven) }, parents: [x]) { g in
            x.accumulate(g)
        }
    }

    /// The value with gradients stopped.
    public static func detach(_ x: Variable) -> Variable { x.detached() }
}

// MARK: binary arithmetic with broadcasting

extension Ops {
    /// a ∘ b elementwise after broadcasting both to a common shape.
    static func binary(_ a: Variable, _ b: Variable, _ f: (Float, Float) -> Float,
                       grads: @escaping (Tensor, Tensor, Tensor) -> (Tensor?, Tensor?)) -> Variable {
        let shape = TrainingKernels.broadcastShape(a.shape, b.shape)
        let av = TrainingKernels.expand(a.value, to: shape), bv = TrainingKernels.expand(b.value, to: shape)
        let y = TrainingKernels.map2(av, bv, f)
        let aShape = a.shape, bShape = b.shape
        return Variable(op: y, parents: [a, b]) { g in
            let (ga, gb) = grads(g, av, bv)
            if a.requiresGrad, let ga { a.accumulate(TrainingKernels.sumTo(ga, shape: aShape)) }
            if b.requiresGrad, let gb { b.accumulate(TrainingKernels.sumTo(gb, shape: bShape)) }
        }
    }

    public static func add(_ a: Variable, _ b: Variable) -> Variable {
        binary(a, b, +) { g, _, _ in (g, g) }
    }
    public static func sub(_ a: Variable, _ b: Variable) -> Variable {
        binary(a, b, -) { g, _, _ in (g, b.requiresGrad ? TrainingKernels.map(g) { -$0 } : nil) }
    }
    public static func mul(_ a: Variable, _ b: Variable) -> Variable {
        binary(a, b, *) { g, av, bv in
            (a.requiresGrad ? TrainingKernels.map2(g, bv, *) : nil, b.requiresGrad ? TrainingKernels.map2(g, av, *) : nil)
        }
    }
    public static func div(_ a: Variable, _ b: Variable) -> Variable {
        binary(a, b, /) { g, av, bv in
            (a.requiresGrad ? TrainingKernels.map2(g, bv, /) : nil,
             b.requiresGrad ? TrainingKernels.map3(g, av, bv) { g, a, b in -g * a / (b * b) } : nil)
        }
    }

    /// x * s + t for scalars s, t.
    public static func affine(_ x: Variable, scale s: Float, shift t: Float = 0) -> Variable {
        Variable(op: TrainingKernels.map(x.value) { $0 * s + t }, parents: [x]) { g in
            x.accumulate(s == 1 ? g : TrainingKernels.map(g) { $0 * s })
        }
    }
}

public func + (a: Variable, b: Variable) -> Variable { Ops.add(a, b) }
public func - (a: Variable, b: Variable) -> Variable { Ops.sub(a, b) }
public func * (a: Variable, b: Variable) -> Variable { Ops.mul(a, b) }
public func / (a: Variable, b: Variable) -> Variable { Ops.div(a, b) }
public func * (a: Variable, s: Float) -> Variable { Ops.affine(a, scale: s) }
public func * (s: Float, a: Variable) -> Variable { Ops.affine(a, scale: s) }
public func + (a: Variable, t: Float) -> Variable { Ops.affine(a, scale: 1, shift: t) }
public func - (a: Variable, t: Float) -> Variable { Ops.affine(a, scale: 1, shift: -t) }
public prefix func - (a: Variable) -> Variable { Ops.affine(a, scale: -1) }
