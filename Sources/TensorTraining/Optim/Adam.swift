import Tensor
import Foundation

/// Adam and AdamW (PyTorch semantics). The moment estimates and the step count are the whole
/// optimizer state and are saved in checkpoints.
public final class Adam {
    public var beta1: Float, beta2: Float, eps: Float
    /// L2 penalty (Adam, added to the gradient) or decoupled decay (AdamW, applied to the weight).
    public var weightDecay: Float
    public var decoupled: Bool
    /// Number of steps taken.
    public var step = 0
    /// First and second moments by parameter name.
    public var m: [String: Tensor] = [:], v: [String: Tensor] = [:]
    /// Learning-rate multiplier by parameter name (absent: 1). Set by the trainer from its options,
    /// not saved: a few small parameters (per-rate gains) can learn faster than the network.
    public var lrScale: [String: Float] = [:]

    /// Adam (`decoupled: false`) or AdamW (`decoupled: true`; PyTorch's AdamW uses weightDecay 0.01).
    public init(beta1: Float = 0.9, beta2: Float = 0.999, eps: Float = 1e-8, weightDecay: Float = 0, decoupled: Bool = false) {
        self.beta1 = beta1; self.beta2 = beta2; self.eps = eps; self.weightDecay = weightDecay; self.decoupled = decoupled
    }

    /// One update of every parameter with a gradient, at learning rate `lr`.
    public func update(_ params: ParameterSet, lr: Float) {
        step += 1
        let bc1 = 1 - Foundation.pow(Double(beta1), Double(step)), bc2 = 1 - Foundation.pow(Double(beta2), Double(step))
        let baseStep = Float(Double(lr) / bc1), bc2Sqrt = Float(bc2.squareRoot())
        let (b1, b2, eps, wd, decoupled) = (beta1, beta2, self.eps, weightDecay, self.decoupled)
        for p in params.parameters {
            guard let g = p.grad else { continue }
            let scale = lrScale[p.name] ?? 1
            let stepSize = baseStep * scale, lr = lr * scale
            var mt = m[p.name] ?? Tensor.zeros(p.shape), vt = v[p.name] ?? Tensor.zeros(p.shape)
            m[p.name] = nil; v[p.name] = nil // keep the buffers uniquely referenced
            let n = g.count
            g.withPointer { gp in mt.withMutablePointer { mp in vt.withMutablePointer { vp in p.value.withMutablePointer { wp in
                TrainingKernels.parallelFor(n) { r in
                    for i in r {
                        var gi = gp[i]
                        if decoupled { wp[i] *= 1 - lr * wd } else if wd != 0 { gi += wd * wp[i] }
                        mp[i] = b1 * mp[i] + (1 - b1) * gi
                        vp[i] = b2 * vp[i] + (1 - b2) * gi * gi
                        wp[i] -= stepSize * mp[i] / (vp[i].squareRoot() / bc2Sqrt + eps)
                    }
                }
            } } } }
            m[p.name] = mt; v[p.name] = vt
        }
    }
}

/// Learning-rate schedules as a function of the (0-based) step.
public enum LRSchedule: Sendable {
    case constant(Float)
    /// Linear warmup from 0 to `peak` over `warmup` steps, then cosine decay to `floor` at `total`.
    case warmupCosine(peak: Float, warmup: Int, total: Int, floor: Float)
    /// `base * gamma^(step / every)`.
    case step(base: Float, every: Int, gamma: Float)

    public func lr(at step: Int) -> Float {
        switch self {
        case .constant(let v): return v
        case let .warmupCosine(peak, warmup, total, floor):
            if step < warmup { return peak * Float(step + 1) / Float(warmup) }
            let t = min(1, Float(step - warmup) / Float(max(1, total - warmup)))
            return floor + (peak - floor) * 0.5 * (1 + Foundation.cos(Float.pi * t))
        case let .step(base, every, gamma):
            return base * Foundation.pow(gamma, Float(step / max(1, every)))
        }
    }
}

/// Scales all gradients so their global L2 norm is at most `maxNorm`; returns the norm before.
@discardableResult
public func clipGradNorm(_ params: ParameterSet, maxNorm: Float) -> Float {
    var total: Double = 0
    for p in params.parameters { if let g = p.grad { for x in g.storage { total += Double(x) * Double(x) } } }
    let norm = Float(total.squareRoot())
    let scale = maxNorm / (norm + 1e-6)
    if scale < 1 {
        for p in params.parameters where p.grad != nil {
            p.grad = TrainingKernels.map(p.grad!) { $0 * scale }
        }
    }
    return norm
}
