import TensorTraining

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
    /// `usageWeight` with its default (0: no usage term).
    public var usageTermWeight: Float { usageWeight ?? 0 }
    /// `discAugment` with its default (false).
    public var augmentsDiscriminatorInput: Bool { discAugment ?? false }
    /// `discStart` with its default (0).
    public var discriminatorStart: Int { discStart ?? 0 }
}

extension VQTrainOptions {
    /// Checks the perceptual options against each other and the crop.
    ///
    /// - Throws: `VQTrainingError` (path "options") naming the bad value.
    public func validatePerceptual() throws {
        func bad(_ r: String) -> VQTrainingError { VQTrainingError(path: "options", r) }
        guard lpipsWeight >= 0, adversarialWeight >= 0 else { throw bad("negative perceptual or disc weight") }
        guard usageTermWeight >= 0, (usageTemperature ?? 1) > 0 else { throw bad("negative usage weight or temperature") }
        if lpipsWeight > 0 && crop < AlexNetFeatures.minimumSide {
            throw bad("LPIPS needs crops of at least \(AlexNetFeatures.minimumSide) px, not \(crop)")
        }
        guard adversarialWeight > 0 else {
            if augmentsDiscriminatorInput { throw bad("disc augment without a discriminator (disc weight 0)") }
            return
        }
        let channels = discChannels ?? 64, layers = discLayers ?? 3
        guard channels >= 32 && channels % 32 == 0 else { throw bad("disc channels \(channels): a multiple of 32 (GroupNorm groups)") }
        guard (1...6).contains(layers) else { throw bad("disc layers \(layers) (1...6)") }
        // Each stride-2 conv halves the side, then two 4x4 stride-1 convs take 1 each.
        guard crop >> layers >= 3 else { throw bad("a \(crop) px crop is too small for \(layers) discriminator layers") }
        guard (discLR ?? lr) > 0, discriminatorStart >= 0 else { throw bad("disc lr and start must be positive") }
    }
}
