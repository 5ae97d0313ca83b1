import Tensor

/// A backend that runs the forward on shapes only: it lists every weight the network reads (in
/// the order it reads them) and counts multiply-accumulates. Parameter registration and the
/// MACs-per-pixel report both come from it, so they cannot drift from the forward code.
public final class ShapeBackend: LayerBackend {
    public typealias Value = [Int]

    /// What a weight is for, which decides its initialisation.
    public enum Role: Sendable { case convWeight, convBias, normWeight, normBias }

    /// Weights in first-use order.
    public private(set) var weights: [(name: String, shape: [Int], role: Role)] = []
    /// Multiply-accumulates of the forward pass so far.
    public internal(set) var macs = 0

    public init() {}

    public func shape(_ x: [Int]) -> [Int] { x }

    public func conv2d(_ x: [Int], _ name: String, outChannels: Int, kernel: Int, stride: Int) -> [Int] {
        let pad = kernel / 2
        let oh = (x[2] + 2 * pad - kernel) / stride + 1, ow = (x[3] + 2 * pad - kernel) / stride + 1
        record("\(name).weight", [outChannels, x[1], kernel, kernel], .convWeight)
        record("\(name).bias", [outChannels], .convBias)
        macs += x[0] * outChannels * oh * ow * x[1] * kernel * kernel
        return [x[0], outChannels, oh, ow]
    }

    public func groupNorm(_ x: [Int], _ name: String, groups: Int) -> [Int] {
        precondition(x[1] % groups == 0, "\(name): \(x[1]) channels in \(groups) groups")
        record("\(name).weight", [x[1]], .normWeight)
        record("\(name).bias", [x[1]], .normBias)
        return x
    }

    public func silu(_ x: [Int]) -> [Int] { x }
    public func add(_ a: [Int], _ b: [Int]) -> [Int] { precondition(a == b, "add \(a) + \(b)"); return a }
    public func affine(_ x: [Int], scale: Float, shift: Float) -> [Int] { x }
    public func pixelShuffle(_ x: [Int], factor r: Int) -> [Int] { [x[0], x[1] / (r * r), x[2] * r, x[3] * r] }
    public func pixelUnshuffle(_ x: [Int], factor r: Int) -> [Int] { [x[0], x[1] * r * r, x[2] / r, x[3] / r] }

    func record(_ name: String, _ shape: [Int], _ role: Role) {
        if let old = weights.first(where: { $0.name == name }) {
            precondition(old.shape == shape, "\(name) used with shapes \(old.shape) and \(shape)")
            return
        }
        weights.append((name, shape, role))
    }
}

extension VQGANNetwork {
    /// Weights of the encoder and of the decoder, in first-use order.
    public func weightSpecs() -> (encoder: [TensorSpec], decoder: [TensorSpec]) {
        let (e, d) = traced()
        return (e.weights.map { TensorSpec($0.name, .f32, $0.shape) }, d.weights.map { TensorSpec($0.name, .f32, $0.shape) })
    }

    /// Multiply-accumulates per image pixel of the encoder and of the decoder.
    public func macsPerPixel() -> (encoder: Double, decoder: Double) {
        let (e, d) = traced()
        let pixels = Double(4 * config.factor * 4 * config.factor)
        return (Double(e.macs) / pixels, Double(d.macs) / pixels)
    }

    /// Shape traces of both halves on a 4f x 4f image (weights in first-use order, MACs).
    public func traced() -> (ShapeBackend, ShapeBackend) {
        let side = 4 * config.factor
        let e = ShapeBackend(), d = ShapeBackend()
        _ = encode([1, 3, side, side], e)
        _ = decode([1, config.levels * config.codeDim, 4, 4], d)
        return (e, d)
    }
}
