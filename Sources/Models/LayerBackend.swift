/// The handful of layer operations the VQGAN forward needs, so that one definition of the
/// architecture (`VQGANNetwork`) runs on every backend: autograd for training
/// (`TrainingBackend`), bit-exact kernels for decoding (`DeterministicBackend`), and shape
/// bookkeeping for parameter registration and MAC counts (`ShapeBackend`).
///
/// Layers name their weights: a conv called `n` reads `n.weight` [out, in, k, k] and `n.bias`
/// [out]; a GroupNorm reads `n.weight` and `n.bias` [channels].
public protocol LayerBackend {
    associatedtype Value
    /// Shape of a value, NCHW.
    func shape(_ x: Value) -> [Int]
    /// Square convolution with zero padding `kernel / 2` and a bias.
    func conv2d(_ x: Value, _ name: String, outChannels: Int, kernel: Int, stride: Int) -> Value
    /// Group normalisation with affine parameters.
    func groupNorm(_ x: Value, _ name: String, groups: Int) -> Value
    /// x * sigmoid(x).
    func silu(_ x: Value) -> Value
    /// a + b, same shapes.
    func add(_ a: Value, _ b: Value) -> Value
    /// x * scale + shift.
    func affine(_ x: Value, scale: Float, shift: Float) -> Value
    /// [N, C r², H, W] -> [N, C, H r, W r].
    func pixelShuffle(_ x: Value, factor: Int) -> Value
    /// [N, C, H r, W r] -> [N, C r², H, W].
    func pixelUnshuffle(_ x: Value, factor: Int) -> Value

    // Ops of the inter (P-frame) models; see Sources/Models/Inter.
    /// A pointwise nonlinearity.
    func activation(_ x: Value, _ f: LayerActivation) -> Value
    /// Concatenation along the channel axis.
    func concatChannels(_ xs: [Value]) -> Value
    /// Backward bilinear warp of x [N, C, H, W] by flow [N, 2, H, W] in pixels (border clamped).
    func flowWarp(_ x: Value, flow: Value) -> Value
    /// Bilinear resize (align_corners = false).
    func resizeBilinear(_ x: Value, height: Int, width: Int) -> Value
    /// Average pooling over factor x factor blocks.
    func avgPool(_ x: Value, factor: Int) -> Value
    /// Per-sample, per-channel gain: out[n][c] = x[n][c] * w[rows[n]][c], with `name` [count, C].
    func channelGain(_ x: Value, _ name: String, count: Int, rows: [Int]) -> Value
}

/// Pointwise nonlinearities beyond SiLU.
public enum LayerActivation: Sendable, Equatable {
    case relu
    case leakyRelu(slope: Float)
    case softplus
}

/// Epsilon of every GroupNorm in the tokenizer.
public let vqNormEpsilon: Float = 1e-6
