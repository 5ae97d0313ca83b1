import Models
import ModelsTraining
import Tensor
import TensorTraining

/// The adversarial half of tokenizer training, as taming-transformers' VQLPIPSWithDiscriminator:
/// from `discStart` on, the generator loss -mean D(x̂) enters with the adaptive weight
/// λ = |∇_W L_nll| / (|∇_W L_G| + 1e-4), clamped to [0, 1e4], times `discWeight` (W: the decoder's
/// last conv; L_nll: L1/MSE + MS-SSIM + LPIPS terms), and the discriminator takes one Adam step
/// on the hinge loss with the batch as real and this step's reconstructions (detached) as fake.
/// Before `discStart` neither happens (taming's disc_factor 0). One difference: taming's second
/// optimizer pass recomputes x̂ with the updated generator; we reuse this step's x̂. With
/// `discAugment` both passes show the discriminator augmented images (`DiffAugment`).
extension VQTrainer {
    /// The decoder layer whose weight gradients set the adaptive weight (taming's last_layer).
    static let lastLayer = "decoder.conv_out"

    /// Whether this step has the adversarial term and a discriminator update.
    public var isAdversarial: Bool { discriminator != nil && step >= options.discriminatorStart }

    /// The discriminator's learning rate at the current step: the generator's schedule scaled to
    /// the peak `discLR`.
    public var discLearningRate: Float { learningRate * (options.discLR ?? options.lr) / options.lr }

    /// Gradients of L_nll + λ·L_G + `encoderLoss` (commitment, usage) into the generator's
    /// parameters, λ measured at the cut before the last layer: both heads are back-propagated to
    /// the cut only (the tail is one 3x3 conv, cheap to run twice), and the rest of the network
    /// once, seeded with the combined gradient at the cut. Returns L_G and λ.
    func generatorBackward(_ f: Forward, cut: LayerCut, encoderLoss: Variable) -> (loss: Float, weight: Float) {
        let gen = generatorLoss(f.xhat)
        guard let weight = params["\(Self.lastLayer).weight"], let bias = params["\(Self.lastLayer).bias"],
              let leaf = cut.leaf, let below = cut.input
        else { preconditionFailure("the decoder has no \(Self.lastLayer) or the forward did not reach it") }
        func take() -> [Tensor] {
            let g = [weight.grad!, bias.grad!, leaf.grad!]
            weight.grad = nil; bias.grad = nil; leaf.grad = nil
            return g
        }
        f.nll.backward(retainGraph: true)
        let r = take()
        gen.backward()
        let a = take()
        let lambda = AdversarialLoss.adaptiveWeight(reconstructionGrad: r[0], generatorGrad: a[0],
                                                   discWeight: options.adversarialWeight)
        let combined = zip(r, a).map { TrainingKernels.map2($0, $1) { x, y in x + lambda * y } }
        weight.grad = combined[0]; bias.grad = combined[1]
        let rest = Ops.sum(below * Variable(combined[2])) + encoderLoss
        rest.backward()
        return (gen.value.item, lambda)
    }

    /// The generator's loss -mean D(x̂), with the discriminator's weights as constants (it must
    /// not train the discriminator).
    public func generatorLoss(_ xhat: Variable) -> Variable {
        guard let discriminator else { preconditionFailure("generatorLoss without a discriminator (discWeight 0)") }
        discParams.setTrainable(false) { _ in true }
        defer { discParams.setTrainable(true) { _ in true } }
        return AdversarialLoss.generator(fake: discriminator(discriminatorInput(xhat, pass: 0), discParams))
    }

    /// `images` as the discriminator sees them: through `DiffAugment` when `discAugment` is on,
    /// with draws that depend only on the seed, the step and the pass (0: the generator's loss,
    /// 1: the discriminator's update), so a resumed run draws the same and the generator's
    /// random stream is untouched.
    func discriminatorInput(_ images: Variable, pass: UInt64) -> Variable {
        guard options.augmentsDiscriminatorInput else { return images }
        var r = RNG(seed: options.seed ^ 0xD1FF_A06 ^ (UInt64(step) << 1 | pass))
        let s = images.shape
        return DiffAugment.apply(images, DiffAugment.draws(count: s[0], height: s[2], width: s[3], rng: &r))
    }

    /// One Adam step of the discriminator on the hinge loss; real and fake share one forward
    /// (GroupNorm is per sample). Returns the loss.
    func discriminatorStep(real: Tensor, fake: Tensor) -> Float {
        guard let discriminator else { preconditionFailure("discriminator step without a discriminator") }
        discParams.zeroGrad()
        let n = real.shape[0]
        let both = discriminatorInput(Variable(TrainingKernels.concat([real, fake], axis: 0)), pass: 1)
        let logits = discriminator(both, discParams)
        let loss = AdversarialLoss.hinge(real: Ops.slice(logits, axis: 0, 0..<n), fake: Ops.slice(logits, axis: 0, n..<(2 * n)))
        loss.backward()
        discAdam.update(discParams, lr: discLearningRate)
        return loss.value.item
    }
}
