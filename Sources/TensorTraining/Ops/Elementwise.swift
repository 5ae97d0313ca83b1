import Tensor
import Foundation

/// Elementwise maps, parallel over contiguous chunks.
extension TrainingKernels {
    @inline(__always)
    public static func map(_ x: Tensor, _ f: (Float) -> Float) -> Tensor {
        x.withPointer { xp in
            Tensor.make(shape: x.shape) { out in
                let o = out.baseAddress!
                TrainingKernels.parallelFor(x.count) { r in for i in r { o[i] = f(xp[i]) } }
            }
        }
    }

    @inline(__always)
    public static func map2(_ a: Tensor, _ b: Tensor, _ f: (Float, Float) -> Float) -> Tensor {
        precondition(a.count == b.count, "elementwise op on \(a.shape) and \(b.shape)")
        return a.withPointer { ap in b.withPointer { bp in
            Tensor.make(shape: a.shape) { out in
                let o = out.baseAddress!
                TrainingKernels.parallelFor(a.count) { r in for i in r { o[i] = f(ap[i], bp[i]) } }
            }
        } }
    }

    @inline(__always)
    public static func map3(_ a: Tensor, _ b: Tensor, _ c: Tensor, _ f: (Float, Float, Float) -> Float) -> Tensor {
        precondition(a.count == b.count && a.count == c.count, "elementwise op on \(a.shape), \(b.shape), \(c.shape)")
        return a.withPointer { ap in b.withPointer { bp in c.withPointer { cp in
            Tensor.make(shape: a.shape) { out in
                let o = out.baseAddress!
                TrainingKernels.parallelFor(a.count) { r in for i in r { o[i] = f(ap[i], bp[i], cp[i]) } }
            }
        } } }
    }
}

/// Pointwise functions with their derivatives (activations and elementwise math).
public enum UnaryFunction: Sendable, Equatable {
    case relu, leakyRelu(slope: Float), silu, gelu, sigmoid, tanh, softplus
    case exp, log, sqrt, square, abs, neg

    /// f(x). The switch sits outside each chunk's loop so every loop body is straight-line code
    /// the compiler can inline and vectorise (a closure per element would not be).
    public func apply(_ x: Tensor) -> Tensor {
        x.withPointer { xp in
            Tensor.make(shape: x.shape) { out in
                let o = out.baseAddress!
                TrainingKernels.parallelFor(x.count) { r in
                    switch self {
                    case .relu: for i in r { o[i] = max(xp[i], 0) }
                    case .leakyRelu(let s): for i in r { let v = xp[i]; o[i] = v > 0 ? v : s * v }
                    case .silu: for i in r { let v = xp[i]; o[i] = v * TrainingKernels.fastSigmoid(v) }
                    case .gelu: for i in r { let v = xp[i]; o[i] = 0.5 * v * (1 + erf(v * 0.70710678)) }
                    case .sigmoid: for i in r { o[i] = TrainingKernels.fastSigmoid(xp[i]) }
                    case .tanh: for i in r { o[i] = Foundation.tanh(xp[i]) }
                    case .softplus: for i in r { let v = xp[i]; o[i] = v > 20 ? v : log1p(TrainingKernels.fastExp(v)) }
                    case .exp: for i in r { o[i] = TrainingKernels.fastExp(xp[i]) }
                    case .log: for i in r { o[i] = Foundation.log(xp[i]) }
                    case .sqrt: for i in r { o[i] = xp[i].squareRoot() }
                    case .square: for i in r { o[i] = xp[i] * xp[i] }
                    case .abs: for i in r { o[i] = Swift.abs(xp[i]) }
                    case .neg: for i in r { o[i] = -xp[i] }
                    }
                }
            }
        }
    }

    /// dL/dx from dL/dy, the input x and the output y.
    public func backward(_ g: Tensor, x: Tensor, y: Tensor) -> Tensor {
        g.withPointer { gp in x.withPointer { xp in y.withPointer { yp in
            Tensor.make(shape: x.shape) { out in
                let o = out.baseAddress!
                TrainingKernels.parallelFor(x.count) { r in
                    switch self {
                    case .relu: for i in r { o[i] = xp[i] > 0 ? gp[i] : 0 }
                    case .leakyRelu(let s): for i in r { o[i] = xp[i] > 0 ? gp[i] : s * gp[i] }
                    case .silu:
                        for i in r {
                            let v = xp[i], s = TrainingKernels.fastSigmoid(v)
                            o[i] = gp[i] * s * (1 + v * (1 - s))
                        }
                    case .gelu:
                        for i in r {
                            let v = xp[i]
                            let cdf = 0.5 * (1 + erf(v * 0.70710678)), pdf = TrainingKernels.fastExp(-0.5 * v * v) * 0.39894228
                            o[i] = gp[i] * (cdf + v * pdf)
                        }
                    case .sigmoid: for i in r { o[i] = gp[i] * yp[i] * (1 - yp[i]) }
                    case .tanh: for i in r { o[i] = gp[i] * (1 - yp[i] * yp[i]) }
                    case .softplus: for i in r { o[i] = xp[i] > 20 ? gp[i] : gp[i] * TrainingKernels.fastSigmoid(xp[i]) }
                    case .exp: for i in r { o[i] = gp[i] * yp[i] }
                    case .log: for i in r { o[i] = gp[i] / xp[i] }
                    case .sqrt: for i in r { o[i] = gp[i] * 0.5 / yp[i] }
                    case .square: for i in r { o[i] = 2 * gp[i] * xp[i] }
                    case .abs: for i in r { o[i] = xp[i] > 0 ? gp[i] : (xp[i] < 0 ? -gp[i] : 0) }
                    case .neg: for i in r { o[i] = -gp[i] }
                    }
                }
            }
        } } }
    }
}

/// Same-shape binary arithmetic with the loop per op (see `UnaryFunction.apply`).
public enum BinaryFunction: Sendable {
    case add, sub, mul, div

    public func apply(_ a: Tensor, _ b: Tensor) -> Tensor {
        precondition(a.count == b.count, "elementwise \(self) of \(a.shape) and \(b.shape)")
        return a.withPointer { ap in b.withPointer { bp in
            Tensor.make(shape: a.shape) { out in
                let o = out.baseAddress!
                TrainingKernels.parallelFor(a.count) { r in
                    switch self {
                    case .add: for i in r { o[i] = ap[i] + bp[i] }
                    case .sub: for i in r { o[i] = ap[i] - bp[i] }
                    case .mul: for i in r { o[i] = ap[i] * bp[i] }
                    case .div: for i in r { o[i] = ap[i] / bp[i] }
                    }
                }
            }
        } }
    }
}

extension TrainingKernels {
    /// x * s + t elementwise.
    public static func affine(_ x: Tensor, scale s: Float, shift t: Float) -> Tensor {
        x.withPointer { xp in
            Tensor.make(shape: x.shape) { out in
                let o = out.baseAddress!
                TrainingKernels.parallelFor(x.count) { r in for i in r { o[i] = xp[i] * s + t } }
            }
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

    /// Straight-through clamp to [lo, hi]: forward min(hi, max(lo, x)) (NaN becomes lo), backward
    /// identity, so a decoder's clamped output can be the next frame's reference in training
    /// without cutting the gradient where it saturates.
    public static func clampStraightThrough(_ x: Variable, _ lo: Float, _ hi: Float) -> Variable {
        Variable(op: TrainingKernels.map(x.value) { $0 > lo ? min(hi, $0) : lo }, parents: [x]) { g in
            x.accumulate(g)
        }
    }

    /// The value with gradients stopped.
    public static func detach(_ x: Variable) -> Variable { x.detached() }
}

// MARK: binary arithmetic with broadcasting

extension Ops {
    /// a ∘ b elementwise after broadcasting both to a common shape.
    static func binary(_ a: Variable, _ b: Variable, _ f: BinaryFunction,
                       grads: @escaping (Tensor, Tensor, Tensor) -> (Tensor?, Tensor?)) -> Variable {
        let shape = TrainingKernels.broadcastShape(a.shape, b.shape)
        let av = TrainingKernels.expand(a.value, to: shape), bv = TrainingKernels.expand(b.value, to: shape)
        let y = f.apply(av, bv)
        let aShape = a.shape, bShape = b.shape
        return Variable(op: y, parents: [a, b]) { g in
            let (ga, gb) = grads(g, av, bv)
            if a.requiresGrad, let ga { a.accumulate(TrainingKernels.sumTo(ga, shape: aShape)) }
            if b.requiresGrad, let gb { b.accumulate(TrainingKernels.sumTo(gb, shape: bShape)) }
        }
    }

    public static func add(_ a: Variable, _ b: Variable) -> Variable {
        binary(a, b, .add) { g, _, _ in (g, g) }
    }
    public static func sub(_ a: Variable, _ b: Variable) -> Variable {
        binary(a, b, .sub) { g, _, _ in (g, b.requiresGrad ? UnaryFunction.neg.apply(g) : nil) }
    }
    public static func mul(_ a: Variable, _ b: Variable) -> Variable {
        binary(a, b, .mul) { g, av, bv in
            (a.requiresGrad ? BinaryFunction.mul.apply(g, bv) : nil, b.requiresGrad ? BinaryFunction.mul.apply(g, av) : nil)
        }
    }
    public static func div(_ a: Variable, _ b: Variable) -> Variable {
        binary(a, b, .div) { g, av, bv in
            (a.requiresGrad ? BinaryFunction.div.apply(g, bv) : nil,
             b.requiresGrad ? TrainingKernels.map3(g, av, bv) { g, a, b in -g * a / (b * b) } : nil)
        }
    }

    /// x * s + t for scalars s, t.
    public static func affine(_ x: Variable, scale s: Float, shift t: Float = 0) -> Variable {
        Variable(op: TrainingKernels.affine(x.value, scale: s, shift: t), parents: [x]) { g in
            x.accumulate(s == 1 ? g : TrainingKernels.affine(g, scale: s, shift: 0))
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
