@testable import TensorTraining
import XCTest
@testable import Tensor

/// A weights file of LPIPSAlex's shapes with seeded random values: conv weights scaled to keep
/// activations O(1), lin weights in [0, 1) as the trained ones are non-negative.
func randomLPIPSFile(seed: UInt64) -> SafeTensorsFile {
    var rng = RNG(seed: seed)
    var file = SafeTensorsFile()
    for s in LPIPSAlex.specs {
        let t: Tensor
        if s.name.hasPrefix("lin") {
            t = rng.uniformTensor(s.shape, 0, 1)
        } else if s.shape.count == 4 {
            t = rng.normalTensor(s.shape, std: (2 / Float(s.shape[1] * s.shape[2] * s.shape[3])).squareRoot())
        } else {
            t = rng.uniformTensor(s.shape, -0.1, 0.1)
        }
        file.tensors[s.name] = SafeTensor(t)
    }
    return file
}

/// The differentiable max-pool and the LPIPS-Alex training loss (value against a direct
/// computation, gradients against finite differences). Its value against the evaluation metric
/// with the real weights is in EvaluationTests (LPIPSLossTests).
final class PerceptualLossTests: XCTestCase {
    func testMaxPoolGradient() {
        // Distinct values (a permutation) so no window has a tie and finite differences are exact.
        var rng = RNG(seed: 4)
        var values = (0..<2 * 3 * 9 * 8).map { Float($0) * 0.01 }
        for i in stride(from: values.count - 1, to: 0, by: -1) { values.swapAt(i, rng.int(below: i + 1)) }
        let x = Tensor(shape: [2, 3, 9, 8], storage: values)
        gradCheck([x], eps: 1e-3, samples: 40) { Ops.maxPool2d($0[0], kernel: 3, stride: 2) }
        gradCheck([x], eps: 1e-3, samples: 40) { Ops.maxPool2d($0[0], kernel: 3, stride: 1, padding: 1) }
    }

    func testMaxPoolGradientGoesToTheFirstMaximumOfEachWindow() {
        let x = Variable(Tensor(shape: [1, 1, 2, 3], storage: [1, 5, 5, 0, 2, 5]), requiresGrad: true)
        let y = Ops.maxPool2d(x, kernel: 2, stride: 1)
        XCTAssertEqual(y.value.storage, [5, 5])
        y.backward()
        XCTAssertEqual(x.grad!.storage, [0, 2, 0, 0, 0, 0])
    }

    func testLayerTermMatchesItsDefinitionAndGradient() {
        let f = randomTensor([2, 5, 3, 4], seed: 1), r = randomTensor([2, 5, 3, 4], seed: 2)
        let w: [Float] = [0.1, 0.7, 0.3, 0.0, 1.2]
        var expected: Double = 0
        for b in 0..<2 {
            for j in 0..<12 {
                var nf: Float = 0, nr: Float = 0
                for c in 0..<5 { nf += f.storage[(b * 5 + c) * 12 + j] * f.storage[(b * 5 + c) * 12 + j]; nr += r.storage[(b * 5 + c) * 12 + j] * r.storage[(b * 5 + c) * 12 + j] }
                for c in 0..<5 {
                    let d = Double(f.storage[(b * 5 + c) * 12 + j] / (nf.squareRoot() + 1e-10) - r.storage[(b * 5 + c) * 12 + j] / (nr.squareRoot() + 1e-10))
                    expected += Double(w[c]) * d * d
                }
            }
        }
        XCTAssertEqual(Double(LPIPSAlex.layerTerm(Variable(f), reference: r, lin: w).value.item), expected / 24, accuracy: 1e-6)
        gradCheck([f], eps: 1e-3, samples: 60) { LPIPSAlex.layerTerm($0[0], reference: r, lin: w) }
    }

    func testLossIsZeroForIdenticalImagesAndAveragesTheBatch() throws {
        let net = try LPIPSAlex(file: randomLPIPSFile(seed: 3), path: "mem")
        var rng = RNG(seed: 5)
        let a = rng.uniformTensor([2, 3, 40, 36]), b = rng.uniformTensor([2, 3, 40, 36])
        XCTAssertEqual(net.loss(Variable(a), target: a).value.item, 0, accuracy: 1e-6)
        let both = net.loss(Variable(a), target: b).value.item
        let first = net.loss(Variable(TrainingKernels.slice(a, axis: 0, 0..<1)), target: TrainingKernels.slice(b, axis: 0, 0..<1))
        let second = net.loss(Variable(TrainingKernels.slice(a, axis: 0, 1..<2)), target: TrainingKernels.slice(b, axis: 0, 1..<2))
        XCTAssertGreaterThan(both, 0)
        XCTAssertEqual(both, (first.value.item + second.value.item) / 2, accuracy: 1e-5 * both)
    }

    /// Finite differences through the whole network (scaling, five convs, two max-pools, relus,
    /// normalisation) on the smallest input AlexNet takes.
    func testLossGradientMatchesFiniteDifferences() throws {
        TrainingKernels.threads = 1
        let net = try LPIPSAlex(file: randomLPIPSFile(seed: 3), path: "mem")
        var rng = RNG(seed: 6)
        let x = rng.uniformTensor([1, 3, 31, 31]), target = rng.uniformTensor([1, 3, 31, 31])
        gradCheck([x], eps: 2e-3, rtol: 5e-2, samples: 40) { net.loss($0[0], target: target) }
    }

    func testWeightsFileIsValidated() {
        var file = randomLPIPSFile(seed: 3)
        file.tensors.removeValue(forKey: "lin4.weight")
        XCTAssertThrowsError(try LPIPSAlex(file: file, path: "x.safetensors")) { XCTAssertTrue("\($0)".contains("lin4.weight"), "\($0)") }
    }
}
