import Tensor

/// The convolutional trunk of torchvision's AlexNet (`alexnet().features`) as LPIPS taps it: the
/// ReLU outputs after conv1..conv5, with the two 3x3/2 max-pools between conv1-2 and conv2-3.
///
/// conv1 64x3x11x11 stride 4 pad 2, conv2 192x64x5x5 pad 2, conv3 384x192x3x3 pad 1,
/// conv4 256x384x3x3 pad 1, conv5 256x256x3x3 pad 1, all with bias. One definition serves the
/// LPIPS metric (Evaluation, run under `Variable.noGrad`) and the perceptual training loss
/// (`LPIPSAlex.loss`, gradients to the input image); the weights are frozen constants.
public struct AlexNetFeatures {
    struct Layer {
        var weight: Variable, bias: Variable, stride: Int, padding: Int
    }

    /// The five convolutions, conv1 first.
    let layers: [Layer]

    /// (output channels, input channels, kernel, stride, padding) of conv1..conv5.
    static let geometry: [(out: Int, in: Int, kernel: Int, stride: Int, padding: Int)] = [
        (64, 3, 11, 4, 2), (192, 64, 5, 1, 2), (384, 192, 3, 1, 1), (256, 384, 3, 1, 1), (256, 256, 3, 1, 1),
    ]

    /// Channels of the five tapped outputs.
    public static var channels: [Int] { geometry.map(\.out) }

    /// The names and shapes a weights file must hold: `alexnet.conv{1..5}.weight|bias`.
    public static var specs: [TensorSpec] {
        geometry.enumerated().flatMap { i, g in
            [TensorSpec("alexnet.conv\(i + 1).weight", .f32, [g.out, g.in, g.kernel, g.kernel]),
             TensorSpec("alexnet.conv\(i + 1).bias", .f32, [g.out])]
        }
    }

    /// The trunk of a file already validated against `specs` (the weights as constants, no gradient).
    public init(_ file: SafeTensorsFile) {
        layers = Self.geometry.enumerated().map { i, g in
            Layer(weight: Variable(file.tensors["alexnet.conv\(i + 1).weight"]!.tensor()),
                  bias: Variable(file.tensors["alexnet.conv\(i + 1).bias"]!.tensor()), stride: g.stride, padding: g.padding)
        }
    }

    /// The smallest side AlexNet's features accept: conv1 must give 7 rows so that pool1 gives
    /// the 3 that pool2 needs.
    public static let minimumSide = 31

    /// relu1..relu5 of input `x` [N, 3, H, W] (H, W >= `minimumSide`), on the tape when `x` is.
    public func callAsFunction(_ x: Variable) -> [Variable] {
        var h = x
        var taps: [Variable] = []
        for (i, layer) in layers.enumerated() {
            if i == 1 || i == 2 { h = Ops.maxPool2d(h, kernel: 3, stride: 2, padding: 0) }
            h = Ops.relu(Ops.conv2d(h, layer.weight, layer.bias, stride: layer.stride, padding: layer.padding))
            taps.append(h)
        }
        return taps
    }
}
