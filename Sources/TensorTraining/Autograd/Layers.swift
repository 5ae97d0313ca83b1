import Tensor
/// Small building blocks that own their parameters (registered by name in a `ParameterSet`).
/// A model is a struct of these; its forward is ordinary Swift calling them.

/// 2-D convolution with PyTorch's default initialisation.
public struct Conv2d {
    public let weight: Variable
    public let bias: Variable?
    public var stride: Int, padding: Int, groups: Int, paddingMode: PaddingMode

    public init(_ params: ParameterSet, _ name: String, inChannels: Int, outChannels: Int, kernel: Int,
                stride: Int = 1, padding: Int? = nil, groups: Int = 1, bias: Bool = true,
                paddingMode: PaddingMode = .zeros, rng: inout RNG) {
        let shape = [outChannels, inChannels / groups, kernel, kernel]
        weight = params.add("\(name).weight", shape: shape, .kaimingUniform(a: Float(5).squareRoot()), rng: &rng)
        let bound = 1 / Float(Initializer.fans(shape).fanIn).squareRoot()
        self.bias = bias ? params.add("\(name).bias", shape: [outChannels], .uniform(bound: bound), rng: &rng) : nil
        self.stride = stride; self.padding = padding ?? kernel / 2; self.groups = groups; self.paddingMode = paddingMode
    }

    public func callAsFunction(_ x: Variable) -> Variable {
        Ops.conv2d(x, weight, bias, stride: stride, padding: padding, paddingMode: paddingMode, groups: groups)
    }
}

/// Transposed 2-D convolution (weight [Cin, Cout, k, k]).
public struct ConvTranspose2d {
    public let weight: Variable
    public let bias: Variable?
    public var stride: Int, padding: Int, outputPadding: Int

    public init(_ params: ParameterSet, _ name: String, inChannels: Int, outChannels: Int, kernel: Int,
                stride: Int = 2, padding: Int = 0, outputPadding: Int = 0, bias: Bool = true, rng: inout RNG) {
        let shape = [inChannels, outChannels, kernel, kernel]
        // PyTorch computes fan-in from dim 1 for transposed weights.
        let fanIn = outChannels * kernel * kernel
        let bound = (6 / ((1 + 5) * Float(fanIn))).squareRoot()
        weight = params.add("\(name).weight", shape: shape, .uniform(bound: bound), rng: &rng)
        self.bias = bias ? params.add("\(name).bias", shape: [outChannels], .uniform(bound: 1 / Float(fanIn).squareRoot()), rng: &rng) : nil
        self.stride = stride; self.padding = padding; self.outputPadding = outputPadding
    }

    public func callAsFunction(_ x: Variable) -> Variable {
        Ops.convTranspose2d(x, weight, bias, stride: stride, padding: padding, outputPadding: outputPadding)
    }
}

/// Fully connected layer y = x Wᵀ + b.
public struct Linear {
    public let weight: Variable
    public let bias: Variable?

    public init(_ params: ParameterSet, _ name: String, inFeatures: Int, outFeatures: Int, bias: Bool = true, rng: inout RNG) {
        weight = params.add("\(name).weight", shape: [outFeatures, inFeatures], .kaimingUniform(a: Float(5).squareRoot()), rng: &rng)
        self.bias = bias ? params.add("\(name).bias", shape: [outFeatures], .uniform(bound: 1 / Float(inFeatures).squareRoot()), rng: &rng) : nil
    }

    public func callAsFunction(_ x: Variable) -> Variable { Ops.linear(x, weight, bias) }
}

/// GroupNorm with affine parameters (gamma = 1, beta = 0 initially).
public struct GroupNorm {
    public let gamma: Variable, beta: Variable
    public var groups: Int, eps: Float

    public init(_ params: ParameterSet, _ name: String, groups: Int, channels: Int, eps: Float = 1e-6) {
        gamma = params.add("\(name).weight", Tensor(shape: [channels], repeating: 1))
        beta = params.add("\(name).bias", Tensor(shape: [channels], repeating: 0))
        self.groups = groups; self.eps = eps
    }

    public func callAsFunction(_ x: Variable) -> Variable { Ops.groupNorm(x, groups: groups, gamma: gamma, beta: beta, eps: eps) }
}

/// VQGAN's residual block: x + conv(silu(gn(conv(silu(gn(x)))))), with a 1x1 shortcut when the
/// channel count changes.
public struct ResBlock {
    public let norm1: GroupNorm, conv1: Conv2d, norm2: GroupNorm, conv2: Conv2d
    public let shortcut: Conv2d?

    public init(_ params: ParameterSet, _ name: String, inChannels: Int, outChannels: Int, groups: Int = 32, rng: inout RNG) {
        norm1 = GroupNorm(params, "\(name).norm1", groups: min(groups, inChannels), channels: inChannels)
        conv1 = Conv2d(params, "\(name).conv1", inChannels: inChannels, outChannels: outChannels, kernel: 3, rng: &rng)
        norm2 = GroupNorm(params, "\(name).norm2", groups: min(groups, outChannels), channels: outChannels)
        conv2 = Conv2d(params, "\(name).conv2", inChannels: outChannels, outChannels: outChannels, kernel: 3, rng: &rng)
        shortcut = inChannels == outChannels ? nil
            : Conv2d(params, "\(name).nin_shortcut", inChannels: inChannels, outChannels: outChannels, kernel: 1, rng: &rng)
    }

    public func callAsFunction(_ x: Variable) -> Variable {
        let h = conv2(Ops.silu(norm2(conv1(Ops.silu(norm1(x))))))
        return (shortcut?(x) ?? x) + h
    }
}

/// Spatial self-attention over the H*W positions of x [N, C, H, W] (VQGAN's `AttnBlock`):
/// x + proj(softmax(qᵀk / sqrt(C)) applied to v), with q, k, v from 1x1 convs of GroupNorm(x).
public struct SelfAttention2d {
    public let norm: GroupNorm, qkv: Conv2d, proj: Conv2d

    public init(_ params: ParameterSet, _ name: String, channels: Int, groups: Int = 32, rng: inout RNG) {
        norm = GroupNorm(params, "\(name).norm", groups: min(groups, channels), channels: channels)
        qkv = Conv2d(params, "\(name).qkv", inChannels: channels, outChannels: 3 * channels, kernel: 1, rng: &rng)
        proj = Conv2d(params, "\(name).proj_out", inChannels: channels, outChannels: channels, kernel: 1, rng: &rng)
    }

    public func callAsFunction(_ x: Variable) -> Variable {
        let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let t = qkv(norm(x))
        let q = Ops.reshape(Ops.slice(t, axis: 1, 0..<c), [n, c, h * w])
        let k = Ops.reshape(Ops.slice(t, axis: 1, c..<2 * c), [n, c, h * w])
        let v = Ops.reshape(Ops.slice(t, axis: 1, 2 * c..<3 * c), [n, c, h * w])
        let scores = Ops.matmul(q, k, transA: true) * (1 / Float(c).squareRoot()) // [n, hw(query), hw(key)]
        let attn = Ops.softmax(scores)
        let out = Ops.matmul(v, attn, transB: true) // [n, c, hw(query)]
        return x + proj(Ops.reshape(out, [n, c, h, w]))
    }
}
