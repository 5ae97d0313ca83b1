import Models
import Tensor
import TensorTraining

/// The inter models' ops on the autograd backend.
extension TrainingBackend {
    public func activation(_ x: Variable, _ f: LayerActivation) -> Variable {
        switch f {
        case .relu: return Ops.relu(x)
        case .leakyRelu(let slope): return Ops.leakyRelu(x, slope: slope)
        case .softplus: return Ops.softplus(x)
        }
    }

    public func concatChannels(_ xs: [Variable]) -> Variable { Ops.concat(xs, axis: 1) }
    public func flowWarp(_ x: Variable, flow: Variable) -> Variable { Ops.flowWarp(x, flow: flow) }
    public func resizeBilinear(_ x: Variable, height: Int, width: Int) -> Variable {
        Ops.resizeBilinear(x, height: height, width: width)
    }
    public func avgPool(_ x: Variable, factor: Int) -> Variable { Ops.avgPool2d(x, kernel: factor) }

    public func channelGain(_ x: Variable, _ name: String, count: Int, rows: [Int]) -> Variable {
        let w = weight(name), c = x.shape[1]
        precondition(w.shape == [count, c] && rows.count == x.shape[0], "\(name) \(w.shape) for \(x.shape)")
        let g = Ops.concat(rows.map { Ops.slice(w, axis: 0, $0..<($0 + 1)) }, axis: 0)
        return Ops.mul(x, Ops.reshape(g, [rows.count, c, 1, 1]))
    }
}
