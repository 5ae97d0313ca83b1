import Tensor
import TensorTraining

/// The PatchGAN discriminator of taming-transformers' VQGAN (`NLayerDiscriminator`, from
/// pix2pix): logits for overlapping patches of an image [N, 3, H, W] in [0, 1].
///
/// conv 4x4 stride 2 pad 1 (3 -> ndf, bias), LeakyReLU 0.2; then `layers - 1` times conv 4x4
/// stride 2 pad 1 (no bias) to ndf·min(2^n, 8), norm, LeakyReLU 0.2; then the same at stride 1
/// to ndf·min(2^layers, 8); then conv 4x4 stride 1 pad 1 to one logit channel (bias). With the
/// defaults (ndf 64, 3 layers) a 128x128 crop gives 14x14 logits, each seeing a 70x70 patch.
///
/// Normalisation: GroupNorm (32 groups, eps 1e-5) where taming has BatchNorm. Our autograd has
/// no BatchNorm, and GroupNorm keeps a sample's logits independent of the rest of the batch (so
/// real and fake images can share one forward) and has no running statistics to checkpoint.
/// Images enter as 2x - 1 (taming's discriminator sees [-1, 1]). Initialisation as taming's
/// `weights_init`: conv weights normal(0, 0.02), norm scales normal(1, 0.02), norm shifts 0;
/// the two conv biases start at 0.
public struct PatchDiscriminator {
    /// Channels of the first conv (taming's ndf).
    public let channels: Int
    /// Strided conv stages after the first (taming's n_layers).
    public let layers: Int
    /// Parameter name prefix.
    public static let prefix = "disc."
    static let groups = 32

    public init(channels: Int = 64, layers: Int = 3) {
        precondition(channels >= Self.groups && channels % Self.groups == 0 && layers >= 1,
                     "discriminator channels \(channels) (a multiple of \(Self.groups)) and layers \(layers) (>= 1)")
        self.channels = channels; self.layers = layers
    }

    /// (input channels, output channels, stride, normalised) of each conv, first to last.
    var convs: [(cin: Int, cout: Int, stride: Int, norm: Bool)] {
        var out = [(3, channels, 2, false)]
        var mult = 1
        for n in 1...layers {
            let prev = mult
            mult = min(1 << n, 8)
            out.append((channels * prev, channels * mult, n < layers ? 2 : 1, true))
        }
        out.append((channels * mult, 1, 1, false))
        return out
    }

    /// Registers every weight in `params` under `prefix`, drawn from `rng`.
    public func registerParameters(in params: ParameterSet, rng: inout RNG) {
        for (i, c) in convs.enumerated() {
            let name = "\(Self.prefix)conv\(i)"
            params.add("\(name).weight", shape: [c.cout, c.cin, 4, 4], .normal(std: 0.02), rng: &rng)
            if c.norm {
                var scale = Initializer.normal(std: 0.02).make(shape: [c.cout], rng: &rng)
                for k in 0..<c.cout { scale.storage[k] += 1 }
                params.add("\(Self.prefix)norm\(i).weight", scale)
                params.add("\(Self.prefix)norm\(i).bias", Tensor.zeros([c.cout]))
            } else {
                params.add("\(name).bias", Tensor.zeros([c.cout]))
            }
        }
    }

    /// Patch logits [N, 1, h, w] of images `x` [N, 3, H, W] in [0, 1] (H, W >= 32 for 3 layers).
    public func callAsFunction(_ x: Variable, _ params: ParameterSet) -> Variable {
        func p(_ name: String) -> Variable {
            guard let v = params[Self.prefix + name] else { preconditionFailure("missing discriminator weight \(name)") }
            return v
        }
        var h = Ops.affine(x, scale: 2, shift: -1)
        let cs = convs
        for (i, c) in cs.enumerated() {
            h = Ops.conv2d(h, p("conv\(i).weight"), c.norm ? nil : p("conv\(i).bias"), stride: c.stride, padding: 1)
            if c.norm { h = Ops.groupNorm(h, groups: Self.groups, gamma: p("norm\(i).weight"), beta: p("norm\(i).bias")) }
            if i + 1 < cs.count { h = Ops.leakyRelu(h, slope: 0.2) }
        }
        return h
    }
}

/// The GAN losses of taming's `VQLPIPSWithDiscriminator` (hinge variant).
public enum AdversarialLoss {
    /// The discriminator's hinge loss 0.5 (mean relu(1 - real) + mean relu(1 + fake)).
    public static func hinge(real: Variable, fake: Variable) -> Variable {
        0.5 * (Ops.mean(Ops.relu(Ops.affine(real, scale: -1, shift: 1))) + Ops.mean(Ops.relu(fake + 1)))
    }

    /// The generator's loss -mean(D(x̂)).
    public static func generator(fake: Variable) -> Variable { -Ops.mean(fake) }

    /// Taming's adaptive weight of the generator loss: |∇L_rec| / (|∇L_G| + 1e-4) at the decoder's
    /// last layer, clamped to [0, 1e4], times `discWeight`.
    public static func adaptiveWeight(reconstructionGrad: Tensor, generatorGrad: Tensor, discWeight: Float) -> Float {
        let r = l2Norm(reconstructionGrad), g = l2Norm(generatorGrad)
        return Float(min(max(r / (g + 1e-4), 0), 1e4)) * discWeight
    }

    static func l2Norm(_ t: Tensor) -> Double {
        t.storage.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
    }
}
