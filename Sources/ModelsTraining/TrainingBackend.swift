import Models
import Tensor
import TensorTraining

/// The autograd backend: layers read their weights from a `ParameterSet` and run `Ops` (OpenBLAS
/// convolutions, recorded on the tape). Used for training and by the encoder side of the codec.
public struct TrainingBackend: LayerBackend {
    public typealias Value = Variable
    public let params: ParameterSet
    /// Where to cut the graph (nil: nowhere); see `LayerCut`.
    public let cut: LayerCut?

    public init(params: ParameterSet, cut: LayerCut? = nil) { self.params = params; self.cut = cut }

    func weight(_ name: String) -> Variable {
        guard let w = params[name] else { preconditionFailure("missing weight \(name)") }
        return w
    }

    public func shape(_ x: Variable) -> [Int] { x.shape }

    public func conv2d(_ x: Variable, _ name: String, outChannels: Int, kernel: Int, stride: Int) -> Variable {
        let w = weight("\(name).weight")
        precondition(w.shape == [outChannels, x.shape[1], kernel, kernel], "\(name).weight \(w.shape)")
        let x = cut?.name == name ? cut!.cut(x) : x
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

/// A cut of the autograd graph at the input of one named layer: the layer reads a fresh leaf
/// holding the same value, so a backward pass from the output stops at the layer (its weights and
/// the leaf get gradients) and the rest runs later from `input`, seeded with the leaf's gradient.
/// Taming's adaptive GAN weight needs the gradients of two losses at the decoder's last layer
/// separately; the cut gives them without back-propagating through the whole network twice.
public final class LayerCut {
    /// The layer whose input is cut (e.g. "decoder.conv_out").
    public let name: String
    /// The layer's input as the graph below computed it (nil until the forward reaches the layer).
    public private(set) var input: Variable?
    /// The leaf the layer read instead (its `grad` is the gradient at the cut).
    public private(set) var leaf: Variable?

    public init(name: String) { self.name = name }

    func cut(_ x: Variable) -> Variable {
        precondition(input == nil, "layer \(name) cut twice in one forward")
        let l = Variable(x.value, requiresGrad: x.requiresGrad, name: "\(name).input")
        input = x; leaf = l
        return l
    }
}
