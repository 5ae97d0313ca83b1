import Tensor
import TensorTraining

/// The FID Inception-v3 (the TF 2015-12-05 graph FID is defined on) up to its 2048-d pool3
/// features, on the training kernels (im2col/Winograd + OpenBLAS, threaded): metrics are not on
/// the decode path.
///
/// The FID-specific quirks of this graph, which torchvision's Inception lacks: batch norm eps
/// 1e-3 without scale, the Mixed 5b-6e and 7b pool branches average over 3x3/1 pad 1 *without*
/// counting the padding, and Mixed 7c's pool branch is a 3x3/1 pad 1 *max*-pool. Input is
/// [N, 3, 299, 299] on the network's scale (x / 128 - 1 for 8-bit x; `FIDInception` prepares it).
struct InceptionV3Features {
    let convs: [String: FoldedConv]

    static let featureCount = 2048

    /// Folds every layer of a validated weights file (`InceptionV3Layout.specs`).
    init(_ file: SafeTensorsFile) {
        var convs: [String: FoldedConv] = [:]
        for spec in InceptionV3Layout.all { convs[spec.name] = FoldedConv(file, spec) }
        self.convs = convs
    }

    private func conv(_ name: String, _ x: Tensor) -> Tensor { convs[name]!(x) }

    /// Applies the named convolutions in turn.
    private func chain(_ p: String, _ names: [String], _ x: Tensor) -> Tensor {
        names.reduce(x) { h, n in conv("\(p).\(n)", h) }
    }

    /// Pool3 features [N, 2048] of a [N, 3, 299, 299] batch (any input of at least 75x75 runs;
    /// the final pool averages whatever map is left, 8x8 at 299).
    func callAsFunction(_ x: Tensor) -> Tensor {
        var h = conv("conv_2", conv("conv_1", conv("conv", x)))
        h = TrainingKernels.maxPool2d(h, kernel: 3, stride: 2, padding: 0)
        h = conv("conv_4", conv("conv_3", h))
        h = TrainingKernels.maxPool2d(h, kernel: 3, stride: 2, padding: 0)
        for p in ["mixed", "mixed_1", "mixed_2"] { h = blockA(p, h) }
        h = blockB("mixed_3", h)
        for p in ["mixed_4", "mixed_5", "mixed_6", "mixed_7"] { h = blockC(p, h) }
        h = blockD("mixed_8", h)
        h = blockE("mixed_9", h, maxPool: false)
        h = blockE("mixed_10", h, maxPool: true)
        h = TrainingKernels.avgPool2d(h, kernel: h.shape[2], stride: h.shape[2])
        return Tensor(shape: [h.shape[0], Self.featureCount], storage: h.storage)
    }

    /// The 3x3/1 pad-1 average pool of the pool branches, padding not counted.
    private func branchPool(_ x: Tensor) -> Tensor {
        TrainingKernels.avgPool2d(x, kernel: 3, stride: 1, padding: 1, countIncludePad: false)
    }

    private func blockA(_ p: String, _ x: Tensor) -> Tensor {
        TrainingKernels.concat([conv("\(p).conv", x), chain(p, ["tower.conv", "tower.conv_1"], x),
                                chain(p, ["tower_1.conv", "tower_1.conv_1", "tower_1.conv_2"], x),
                                conv("\(p).tower_2.conv", branchPool(x))], axis: 1)
    }

    private func blockB(_ p: String, _ x: Tensor) -> Tensor {
        TrainingKernels.concat([conv("\(p).conv", x), chain(p, ["tower.conv", "tower.conv_1", "tower.conv_2"], x),
                                TrainingKernels.maxPool2d(x, kernel: 3, stride: 2, padding: 0)], axis: 1)
    }

    private func blockC(_ p: String, _ x: Tensor) -> Tensor {
        TrainingKernels.concat([conv("\(p).conv", x), chain(p, ["tower.conv", "tower.conv_1", "tower.conv_2"], x),
                                chain(p, ["tower_1.conv", "tower_1.conv_1", "tower_1.conv_2", "tower_1.conv_3",
                                          "tower_1.conv_4"], x),
                                conv("\(p).tower_2.conv", branchPool(x))], axis: 1)
    }

    private func blockD(_ p: String, _ x: Tensor) -> Tensor {
        TrainingKernels.concat([chain(p, ["tower.conv", "tower.conv_1"], x),
                                chain(p, ["tower_1.conv", "tower_1.conv_1", "tower_1.conv_2", "tower_1.conv_3"], x),
                                TrainingKernels.maxPool2d(x, kernel: 3, stride: 2, padding: 0)], axis: 1)
    }

    /// Mixed 7b (`maxPool` false: average pool without padding counts) and 7c (max-pool).
    private func blockE(_ p: String, _ x: Tensor, maxPool: Bool) -> Tensor {
        let a = conv("\(p).tower_conv", x)
        let b = chain(p, ["tower_1_conv", "tower_1_conv_1"], x)
        let pooled = maxPool ? TrainingKernels.maxPool2d(x, kernel: 3, stride: 1, padding: 1) : branchPool(x)
        return TrainingKernels.concat([conv("\(p).conv", x),
                                       conv("\(p).tower_mixed_conv", a), conv("\(p).tower_mixed_conv_1", a),
                                       conv("\(p).tower_1_mixed_conv", b), conv("\(p).tower_1_mixed_conv_1", b),
                                       conv("\(p).tower_2_conv", pooled)], axis: 1)
    }
}
