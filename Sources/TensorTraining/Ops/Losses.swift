import Tensor
/// Distortion losses: MSE, L1 (means over all elements) and MS-SSIM.
extension Ops {
    /// Mean squared error.
    public static func mse(_ a: Variable, _ b: Variable) -> Variable {
        precondition(a.shape == b.shape, "mse of \(a.shape) and \(b.shape)")
        let av = a.value, bv = b.value, n = Float(av.count)
        let diff = TrainingKernels.map2(av, bv, -)
        let loss = Float(diff.storage.reduce(0.0) { $0 + Double($1 * $1) } / Double(n))
        return Variable(op: .scalar(loss), parents: [a, b]) { g in
            let s = 2 * g.item / n
            let d = TrainingKernels.map(diff) { $0 * s }
            a.accumulate(d)
            if b.requiresGrad { b.accumulate(TrainingKernels.map(d) { -$0 }) }
        }
    }

    /// Mean absolute error (subgradient 0 where equal).
    public static func l1(_ a: Variable, _ b: Variable) -> Variable {
        precondition(a.shape == b.shape, "l1 of \(a.shape) and \(b.shape)")
        let diff = TrainingKernels.map2(a.value, b.value, -), n = Float(diff.count)
        let loss = Float(diff.storage.reduce(0.0) { $0 + Double(Swift.abs($1)) } / Double(n))
        return Variable(op: .scalar(loss), parents: [a, b]) { g in
            let s = g.item / n
            let d = TrainingKernels.map(diff) { $0 > 0 ? s : ($0 < 0 ? -s : 0) }
            a.accumulate(d)
            if b.requiresGrad { b.accumulate(TrainingKernels.map(d) { -$0 }) }
        }
    }
}

/// Multi-scale SSIM (Wang et al. 2003) as in `pytorch_msssim`: Gaussian window (11, sigma 1.5),
/// valid filtering, 2x2 average pooling between scales, contrast-structure terms of the first
/// scales and SSIM of the last raised to the standard weights, averaged over samples and channels.
public struct MSSSIM: Sendable {
    public var windowSize = 11
    public var sigma: Float = 1.5
    public var weights: [Float] = [0.0448, 0.2856, 0.3001, 0.2363, 0.1333]
    /// Peak signal value (1 for images in [0, 1]).
    public var dataRange: Float = 1

    public init() {}

    /// A smaller configuration (for tests): window and number of scales.
    public init(windowSize: Int, sigma: Float, weights: [Float]) {
        self.windowSize = windowSize; self.sigma = sigma; self.weights = weights
    }

    /// The smallest side the configured scales need.
    public var minimumSide: Int {
        // Odd sides round up when pooled, so ceil-halving must leave at least one window.
        (windowSize - 1) * (1 << (weights.count - 1)) + 1
    }

    func window() -> [Float] {
        let c = Float(windowSize / 2)
        var w = (0..<windowSize).map { i -> Float in let d = Float(i) - c; return Foundation.exp(-d * d / (2 * sigma * sigma)) }
        let s = w.reduce(0, +)
        for i in w.indices { w[i] /= s }
        return w
    }

    /// Separable Gaussian filter (valid), depthwise over channels.
    func filter(_ x: Variable) -> Variable {
        let c = x.shape[1], win = window()
        let wh = Variable(Tensor(shape: [c, 1, 1, windowSize], storage: (0..<c).flatMap { _ in win }))
        let wv = Variable(Tensor(shape: [c, 1, windowSize, 1], storage: (0..<c).flatMap { _ in win }))
        return Ops.conv2d(Ops.conv2d(x, wh, groups: c), wv, groups: c)
    }

    /// (ssim, cs) maps averaged per (sample, channel) -> [N, C].
    func ssimAndCS(_ x: Variable, _ y: Variable) -> (Variable, Variable) {
        let c1 = (0.01 * dataRange) * (0.01 * dataRange), c2 = (0.03 * dataRange) * (0.03 * dataRange)
        let mx = filter(x), my = filter(y)
        let mx2 = mx * mx, my2 = my * my, mxy = mx * my
        let sx = filter(x * x) - mx2, sy = filter(y * y) - my2, sxy = filter(x * y) - mxy
        let cs = (2 * sxy + c2) / (sx + sy + c2)
        let ssim = ((2 * mxy + c1) / (mx2 + my2 + c1)) * cs
        let n = x.shape[0], ch = x.shape[1]
        func spatialMean(_ v: Variable) -> Variable {
            Ops.mean(Ops.reshape(v, [n, ch, v.value.count / (n * ch)]), axis: 2)
        }
        return (spatialMean(ssim), spatialMean(cs))
    }

    /// 2x2 average pooling; odd sides are zero-padded by one on each side first (as pytorch_msssim's
    /// `avg_pool2d(padding=s % 2)` with count_include_pad).
    func downsample(_ x: Variable) -> Variable {
        let ph = x.shape[2] % 2, pw = x.shape[3] % 2
        let padded = ph + pw == 0 ? x : Ops.pad2d(x, left: pw, right: pw, top: ph, bottom: ph)
        return Ops.avgPool2d(padded, kernel: 2)
    }

    /// MS-SSIM of x against y (both [N, C, H, W]); higher is better, 1 when equal.
    public func callAsFunction(_ x: Variable, _ y: Variable) -> Variable {
        precondition(x.shape == y.shape, "MS-SSIM of \(x.shape) and \(y.shape)")
        precondition(min(x.shape[2], x.shape[3]) >= minimumSide, "MS-SSIM needs sides >= \(minimumSide), got \(x.shape)")
        var a = x, b = y
        var product: Variable? = nil
        for (level, w) in weights.enumerated() {
            let (ssim, cs) = ssimAndCS(a, b)
            let last = level == weights.count - 1
            let term = Ops.pow(Ops.clampMin(last ? ssim : cs, 1e-6), w)
            product = product.map { $0 * term } ?? term
            if !last { a = downsample(a); b = downsample(b) }
        }
        return Ops.mean(product!)
    }
}

import Foundation
