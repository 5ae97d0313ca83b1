import Models
import Tensor
import TensorTraining

/// The autograd backend: layers read their weights from a `ParameterSet` and run `Ops` (OpenBLAS
/// convolutions, recorded on the tape). Used for training and by the encoder side of the codec.
public struct TrainingBackend: LayerBackend {
    public typealias Value = Variable
    public let params: ParameterSet

    public init(params: ParameterSet) { self.params = params }

    func weight(_ name: String) -> Variable {
        guard let w = params[name] else { preconditionFailure("missing weight \(name)") }
        return w
    }

    public func shape(_ x: Variable) -> [Int] { x.shape }

    public func conv2d(_ x: Variable, _ name: String, outChannels: Int, kernel: Int, stride: Int) -> Variable {
        let w = weight("\(name).weight")
        precondition(w.shape == [outChannels, x.shape[1], kernel, kernel], "\(name).weight \(w.shape)")
        return Ops.conv2d(x, w, weight("\(name).bias"), stride: stride, padding: kernel / 2)
    }

    public func groupNorm(_ x: Variable, _ name: String, groups: Int) -> Variable {
        Ops.groupNorm(x, groups: groups, gamma: weight("\(name).weight"), beta: weight("\(name).bias"), eps: vqNormEpsilon)
    }

    public func silu(_ x: Variable) -> Variable { Ops.silu(x) }
    public func add(_ a: Variable, _ b: Variable) -> Variable { a + b }
    public func affine(_ x: Variable, scale: Float, shift: Float) -> Variable { Ops.affine(x, scale: scale, shift: shift) }
    public func pixelShuffle(_ x: Variable, factor: Int) -> Variable { Ops.pixelShuffle(x, factor: factor) }
    public func pixelUnshuffle(_ x: Variable, factor: Int) -> Variable { Ops.pixelUnshuffle(x, factor: factor) }
}
