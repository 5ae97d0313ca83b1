import Deterministic
import Tensor

/// The decoding backend: `DeterministicKernels` only (no BLAS, no libm), so the same weights and
/// indices give the same bits on every machine and for every thread count.
public struct DeterministicBackend: LayerBackend {
    public typealias Value = Tensor
    /// Weights by name.
    public let weights: [String: Tensor]
    /// Threads the kernels split their outputs over.
    public let threads: Int

    public init(weights: [String: Tensor], threads: Int) {
        self.weights = weights; self.threads = max(1, threads)
    }

    func weight(_ name: String) -> Tensor {
        guard let w = weights[name] else { preconditionFailure("missing weight \(name)") }
        return w
    }

    public func shape(_ x: Tensor) -> [Int] { x.shape }

    public func conv2d(_ x: Tensor, _ name: String, outChannels: Int, kernel: Int, stride: Int) -> Tensor {
        DeterministicKernels.conv2d(x, weight: weight("\(name).weight"), bias: weight("\(name).bias"),
                                    stride: stride, padding: kernel / 2, threads: threads)
    }

    public func groupNorm(_ x: Tensor, _ name: String, groups: Int) -> Tensor {
        DeterministicKernels.groupNorm(x, groups: groups, weight: weight("\(name).weight"), bias: weight("\(name).bias"),
                                       eps: vqNormEpsilon, threads: threads)
    }

    public func silu(_ x: Tensor) -> Tensor { DeterministicKernels.silu(x, threads: threads) }
    public func add(_ a: Tensor, _ b: Tensor) -> Tensor { DeterministicKernels.add(a, b, threads: threads) }

    /// `x * scale + shift`, two rounded IEEE operations per element in that order (exact function
    /// of the element, so any split across threads gives the same bits).
    public func affine(_ x: Tensor, scale: Float, shift: Float) -> Tensor {
        var out = x
        for i in 0..<out.count { out.storage[i] = out.storage[i] * scale + shift }
        return out
    }

    public func pixelShuffle(_ x: Tensor, factor: Int) -> Tensor { DeterministicKernels.pixelShuffle(x, factor: factor, threads: threads) }

    /// Space-to-depth (a copy): out[n][c r² + i r + j][y][x] = in[n][c][y r + i][x r + j].
    public func pixelUnshuffle(_ x: Tensor, factor r: Int) -> Tensor {
        let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2] / r, x.shape[3] / r)
        var out = [Float](repeating: 0, count: x.count)
        for b in 0..<n { for ci in 0..<c { for i in 0..<r { for j in 0..<r {
            let oc = (b * c + ci) * r * r + i * r + j
            for y in 0..<h { for xx in 0..<w {
                out[(oc * h + y) * w + xx] = x.storage[((b * c + ci) * h * r + y * r + i) * w * r + xx * r + j]
            } }
        } } } }
        return Tensor(shape: [n, c * r * r, h, w], storage: out)
    }
}
