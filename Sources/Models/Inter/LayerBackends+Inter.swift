import Deterministic
import Tensor

// The inter models' ops on the deterministic and shape backends (the autograd side is in
// ModelsTraining/TrainingBackend+Inter.swift). The deterministic ones call existing
// `DeterministicKernels` only, so decoding stays bit-exact across threads and SIMD widths.

extension DeterministicBackend {
    public func activation(_ x: Tensor, _ f: LayerActivation) -> Tensor {
        switch f {
        case .relu: return DeterministicKernels.relu(x, threads: threads)
        case .leakyRelu(let slope): return DeterministicKernels.leakyRelu(x, slope: slope, threads: threads)
        case .softplus: return DeterministicKernels.softplus(x, threads: threads)
        }
    }

    public func concatChannels(_ xs: [Tensor]) -> Tensor { DeterministicKernels.concat(xs, axis: 1) }
    public func flowWarp(_ x: Tensor, flow: Tensor) -> Tensor { DeterministicKernels.flowWarp(x, flow: flow, threads: threads) }
    public func resizeBilinear(_ x: Tensor, height: Int, width: Int) -> Tensor {
        DeterministicKernels.resizeBilinear(x, height: height, width: width, threads: threads)
    }
    public func avgPool(_ x: Tensor, factor: Int) -> Tensor { DeterministicKernels.avgPool2d(x, kernel: factor, threads: threads) }

    /// One rounded product per element (exact function of the element and its gain).
    public func channelGain(_ x: Tensor, _ name: String, count: Int, rows: [Int]) -> Tensor {
        let w = weight(name), (n, c) = (x.shape[0], x.shape[1]), plane = x.shape[2] * x.shape[3]
        precondition(w.shape == [count, c] && rows.count == n, "\(name) \(w.shape) for \(x.shape)")
        var out = x
        for b in 0..<n { for ch in 0..<c {
            let g = w.storage[rows[b] * c + ch], base = (b * c + ch) * plane
            for i in base..<(base + plane) { out.storage[i] = out.storage[i] * g }
        } }
        return out
    }
}

extension ShapeBackend {
    public func activation(_ x: [Int], _ f: LayerActivation) -> [Int] { x }

    public func concatChannels(_ xs: [[Int]]) -> [Int] {
        precondition(xs.allSatisfy { $0[0] == xs[0][0] && $0[2...] == xs[0][2...] }, "concat \(xs)")
        return [xs[0][0], xs.reduce(0) { $0 + $1[1] }, xs[0][2], xs[0][3]]
    }

    /// Counted as 4 multiply-accumulates (bilinear taps) per output element.
    public func flowWarp(_ x: [Int], flow: [Int]) -> [Int] {
        precondition(flow == [x[0], 2, x[2], x[3]], "flow \(flow) for \(x)")
        macs += 4 * x.reduce(1, *)
        return x
    }

    public func resizeBilinear(_ x: [Int], height: Int, width: Int) -> [Int] {
        macs += 4 * x[0] * x[1] * height * width
        return [x[0], x[1], height, width]
    }

    public func avgPool(_ x: [Int], factor: Int) -> [Int] { [x[0], x[1], x[2] / factor, x[3] / factor] }

    /// Gains start at 1 (registered with the norm-weight role).
    public func channelGain(_ x: [Int], _ name: String, count: Int, rows: [Int]) -> [Int] {
        record(name, [count, x[1]], .normWeight)
        return x
    }
}
