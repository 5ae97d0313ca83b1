import Models
import ModelsTraining
import Tensor
import TensorTraining
import XCTest

/// The patch discriminator's shapes and weights, the GAN losses, and the graph cut the adaptive
/// weight is measured at.
final class PatchDiscriminatorTests: XCTestCase {
    override func setUp() { TrainingKernels.threads = 1 }

    func testTamingShapesAndWeights() {
        let d = PatchDiscriminator()
        let p = ParameterSet()
        var rng = RNG(seed: 1)
        d.registerParameters(in: p, rng: &rng)
        // taming's NLayerDiscriminator(ndf 64, n_layers 3): 3->64 (bias), 64->128, 128->256,
        // 256->512 (stride 1), 512->1 (bias), with norms after the middle three.
        XCTAssertEqual(p.parameters.filter { $0.name.contains(".conv") && $0.name.hasSuffix(".weight") }
            .map(\.shape), [[64, 3, 4, 4], [128, 64, 4, 4], [256, 128, 4, 4], [512, 256, 4, 4], [1, 512, 4, 4]])
        XCTAssertEqual(p.names.filter { $0.contains("bias") }, ["disc.conv0.bias", "disc.norm1.bias", "disc.norm2.bias",
                                                                 "disc.norm3.bias", "disc.conv4.bias"])
        XCTAssertEqual(p.scalarCount, 2_763_776 + 64 + 1 + 2 * (128 + 256 + 512))
        let w = p["disc.conv2.weight"]!.value.storage
        let std = (w.reduce(0) { $0 + Double($1) * Double($1) } / Double(w.count)).squareRoot()
        XCTAssertEqual(std, 0.02, accuracy: 0.001)
        XCTAssertTrue(p["disc.norm3.weight"]!.value.storage.allSatisfy { abs($0 - 1) < 0.2 })
        // A 128-pixel crop gives 14x14 patch logits.
        let small = PatchDiscriminator(channels: 32, layers: 3)
        let q = ParameterSet()
        small.registerParameters(in: q, rng: &rng)
        XCTAssertEqual(small(Variable(rng.uniformTensor([2, 3, 128, 128])), q).shape, [2, 1, 14, 14])
    }

    func testGradientsMatchFiniteDifferences() {
        let d = PatchDiscriminator(channels: 32, layers: 2)
        let p = ParameterSet()
        var rng = RNG(seed: 2)
        d.registerParameters(in: p, rng: &rng)
        // He-scaled weights keep activations and gradients O(1).
        for v in p.parameters where v.shape.count == 4 {
            v.value = rng.normalTensor(v.shape, std: (2 / Float(v.shape.dropFirst().reduce(1, *))).squareRoot())
        }
        for v in p.parameters where v.name.contains("bias") { v.value = rng.uniformTensor(v.shape, -0.1, 0.1) }
        for v in p.parameters where v.name.contains("norm") && v.name.hasSuffix("weight") { v.value = rng.uniformTensor(v.shape, 0.5, 1.5) }
        let x = Variable(rng.uniformTensor([2, 3, 20, 20]), requiresGrad: true)
        let y = d(x, p)
        XCTAssertEqual(y.shape, [2, 1, 3, 3])
        // The gradient to the image (what the generator loss uses), by central differences.
        let w = rng.uniformTensor(y.shape, -1, 1)
        y.backward(seed: w)
        let g = x.grad!
        func loss(_ t: Tensor) -> Double {
            let out = d(Variable(t), p).value
            return zip(out.storage, w.storage).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        }
        // Float32 rounding and LeakyReLU's kinks make single coordinates noisy at the percent level,
        // so the check is on 40 coordinates together: their cosine and their norm ratio.
        var analytic: [Double] = [], numeric: [Double] = []
        for _ in 0..<40 {
            let i = rng.int(below: g.count)
            var plus = x.value, minus = x.value
            plus.storage[i] += 1e-3; minus.storage[i] -= 1e-3
            analytic.append(Double(g.storage[i]))
            numeric.append((loss(plus) - loss(minus)) / 2e-3)
        }
        let dot = zip(analytic, numeric).reduce(0) { $0 + $1.0 * $1.1 }
        let na = analytic.reduce(0) { $0 + $1 * $1 }.squareRoot(), nn = numeric.reduce(0) { $0 + $1 * $1 }.squareRoot()
        XCTAssertGreaterThan(dot / (na * nn), 0.99)
        XCTAssertEqual(na / nn, 1, accuracy: 0.05)
    }

    func testHingeAndGeneratorLosses() {
        let real = Variable(Tensor(shape: [1, 1, 1, 4], storage: [2, 0.5, -1, 1]))
        let fake = Variable(Tensor(shape: [1, 1, 1, 4], storage: [-2, 0, 0.5, -1]))
        // relu(1 - real) = 0, .5, 2, 0 -> .625; relu(1 + fake) = 0, 1, 1.5, 0 -> .625.
        XCTAssertEqual(AdversarialLoss.hinge(real: real, fake: fake).value.item, 0.625, accuracy: 1e-6)
        XCTAssertEqual(AdversarialLoss.generator(fake: fake).value.item, 0.625, accuracy: 1e-6)
        let r = Tensor(shape: [2], storage: [3, 4]), g = Tensor(shape: [2], storage: [0, 0.5])
        XCTAssertEqual(AdversarialLoss.adaptiveWeight(reconstructionGrad: r, generatorGrad: g, discWeight: 0.8),
                       Float(5 / (0.5 + 1e-4) * 0.8), accuracy: 1e-4)
        // Clamped at 1e4 when the generator's gradient vanishes.
        XCTAssertEqual(AdversarialLoss.adaptiveWeight(reconstructionGrad: r, generatorGrad: Tensor.zeros([2]), discWeight: 1), 1e4)
    }

    /// Back-propagating to the cut, then from the cut's input seeded with the leaf's gradient,
    /// gives every parameter the gradient of one uncut backward pass.
    func testCutBackwardEqualsFullBackward() {
        let net = VQGANNetwork(config: tinyConfig(f: 8))
        let p = randomParams(net, seed: 3)
        var rng = RNG(seed: 4)
        let z = rng.normalTensor([2, 12, 2, 3]), target = rng.uniformTensor([2, 3, 16, 24])
        func loss(_ y: Variable) -> Variable { Ops.l1(y, Variable(target)) + Ops.mse(y, Variable(target)) }

        p.zeroGrad()
        loss(net.decode(Variable(z), TrainingBackend(params: p))).backward()
        let decoder = p.parameters.filter { $0.name.hasPrefix("decoder.") }
        let full = decoder.map { $0.grad! }

        p.zeroGrad()
        let cut = LayerCut(name: "decoder.conv_out")
        let top = loss(net.decode(Variable(z), TrainingBackend(params: p, cut: cut)))
        // Nothing below the cut is on the graph the loss reaches.
        top.backward()
        XCTAssertNil(p["decoder.conv_in.weight"]!.grad)
        XCTAssertNotNil(p["decoder.conv_out.weight"]!.grad)
        Ops.sum(cut.input! * Variable(cut.leaf!.grad!)).backward()
        for (a, b) in zip(full, decoder) {
            XCTAssertLessThan(zip(a.storage, b.grad!.storage).map { abs($0 - $1) }.max()!, 1e-5 * max(1, a.storage.map(abs).max()!),
                              b.name)
        }
    }
}
