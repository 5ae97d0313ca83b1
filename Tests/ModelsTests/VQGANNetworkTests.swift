import Models
import ModelsTraining
import Tensor
import TensorTraining
import XCTest

/// A small configuration for fast tests.
func tinyConfig(f: Int, levels: Int = 3) -> VQConfig {
    VQConfig(channels: f == 8 ? [8, 8, 16] : [8, 8, 16, 16], encoderBlocks: 1, decoderBlocks: 1, groups: 4,
             codeDim: 4, codebookSize: 16, levels: levels)
}

func randomParams(_ net: VQGANNetwork, seed: UInt64) -> ParameterSet {
    let p = ParameterSet()
    var rng = RNG(seed: seed)
    net.registerParameters(in: p, rng: &rng)
    // Non-trivial norm affines so the comparison exercises them.
    for v in p.parameters where v.name.contains("norm") { v.value = rng.uniformTensor(v.shape, 0.5, 1.5) }
    return p
}

final class VQGANNetworkTests: XCTestCase {
    func testForwardShapes() throws {
        for f in [8, 16] {
            let config = tinyConfig(f: f)
            try config.validate()
            XCTAssertEqual(config.factor, f)
            let net = VQGANNetwork(config: config)
            let p = randomParams(net, seed: 1)
            var rng = RNG(seed: 2)
            let x = Variable(rng.uniformTensor([2, 3, 2 * f, 3 * f]))
            let z = net.encode(x, TrainingBackend(params: p))
            XCTAssertEqual(z.shape, [2, 4, 2, 3])
            // The decoder reads the L levels side by side.
            let input = Variable(rng.normalTensor([2, 3 * 4, 2, 3]))
            let y = net.decode(input, TrainingBackend(params: p))
            XCTAssertEqual(y.shape, [2, 3, 2 * f, 3 * f])
        }
    }

    func testStandardConfigsAndCost() throws {
        for f in [8, 16] {
            let c = VQConfig.standard(f: f)
            try c.validate()
            XCTAssertEqual(c.factor, f)
            let macs = VQGANNetwork(config: c).macsPerPixel()
            // The decoding budget of a CPU-sized tokenizer: 10-40 kMAC per pixel (docs/training.md).
            XCTAssertGreaterThan(macs.decoder, 10_000)
            XCTAssertLessThan(macs.decoder, 40_000)
            XCTAssertEqual(try VQConfig.parse(json: c.json), c)
        }
        var bad = VQConfig.standard(f: 8)
        bad.levels = 9
        XCTAssertThrowsError(try bad.validate())
    }

    /// A hand count of one conv: MACs = out x in x k² per output pixel.
    func testShapeBackendCountsConvMACs() {
        let b = ShapeBackend()
        let y = b.conv2d([1, 3, 8, 8], "c", outChannels: 5, kernel: 3, stride: 2)
        XCTAssertEqual(y, [1, 5, 4, 4])
        XCTAssertEqual(b.macs, 16 * 5 * 3 * 9)
        XCTAssertEqual(b.weights.map(\.name), ["c.weight", "c.bias"])
    }

    func testDeterministicDecoderMatchesTrainingAndIsThreadIndependent() {
        for f in [8, 16] {
            let net = VQGANNetwork(config: tinyConfig(f: f))
            let p = randomParams(net, seed: 3)
            var rng = RNG(seed: 4)
            let z = rng.normalTensor([2, 3 * 4, 3, 2])
            let ref = net.decode(Variable(z), TrainingBackend(params: p)).value
            var weights: [String: Tensor] = [:]
            for v in p.parameters { weights[v.name] = v.value }
            let d1 = net.decode(z, DeterministicBackend(weights: weights, threads: 1))
            let d2 = net.decode(z, DeterministicBackend(weights: weights, threads: 2))
            XCTAssertEqual(d1.shape, ref.shape)
            XCTAssertEqual(d1.storage, d2.storage, "threads 1 and 2 must agree bit for bit")
            let maxDiff = zip(d1.storage, ref.storage).map { abs($0 - $1) }.max()!
            XCTAssertLessThan(maxDiff, 1e-4)
            // The encoder runs on both backends too (pixel unshuffle is ours on the deterministic side).
            let x = rng.uniformTensor([1, 3, 2 * f, 2 * f])
            let e1 = net.encode(x, DeterministicBackend(weights: weights, threads: 2))
            let e2 = net.encode(Variable(x), TrainingBackend(params: p)).value
            XCTAssertLessThan(zip(e1.storage, e2.storage).map { abs($0 - $1) }.max()!, 1e-4)
        }
    }
}
