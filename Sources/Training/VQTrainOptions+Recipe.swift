/// The tokenizer's training recipes and the defaults of the optional (perceptual) options.
extension VQTrainOptions {
    /// A named set of loss weights (`dcvc-train vq --recipe`).
    public enum Recipe: String, CaseIterable, Sendable {
        /// L1 + 0.2 (1 - MS-SSIM) + commitment: the recipe of the shipped tokenizer.
        case fidelity
        /// fidelity + LPIPS-Alex (weight 1) + a patch GAN (weight 0.8, taming's ImageNet VQGAN
        /// value) switched on after 1000 steps, so LPIPS alone adapts the decoder first.
        case perceptual
    }

    /// Sets the loss weights of `recipe` (the other options are left alone).
    public mutating func apply(_ recipe: Recipe) {
        switch recipe {
        case .fidelity:
            perceptualWeight = nil; discWeight = nil; discStart = nil
        case .perceptual:
            perceptualWeight = 1.0; discWeight = 0.8; discStart = 1000
        }
    }

    /// `perceptualWeight` with its default (0: no LPIPS term).
    public var lpipsWeight: Float { perceptualWeight ?? 0 }
    /// `discWeight` with its default (0: no discriminator).
    public var adversarialWeight: Float { discWeight ?? 0 }
    /// `discStart` with its default (0).
    public var discriminatorStart: Int { discStart ?? 0 }
}
