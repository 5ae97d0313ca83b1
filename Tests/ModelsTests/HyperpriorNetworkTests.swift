import Models
import ModelsTraining
import Tensor
import TensorTraining
import XCTest

final class HyperpriorNetworkTests: XCTestCase {
    func testShapesAndDecodeBudget() {
        let net = HyperpriorNetwork(config: HyperpriorConfig())
        let b = ShapeBackend(), rows = [0, 3]
        let x = [2, 3, 128, 192]
        let y = net.analysis(x, rows: rows, b)
        XCTAssertEqual(y, [2, 128, 8, 12])
        XCTAssertEqual(net.hyperAnalysis(y, b), [2, 64, 2, 3])
        let p = net.prior([2, 64, 2, 3], b)
        XCTAssertEqual(p.mean, y)
        XCTAssertEqual(p.scale, y)
        XCTAssertEqual(net.synthesis(y, rows: rows, b), x)
        let macs = net.macsPerPixel()
        XCTAssertLessThanOrEqual(macs.decoder, 40_000, "decode budget (synthesis + hyper synthesis + prior)")
        XCTAssertGreaterThan(macs.decoder, 20_000)
        XCTAssertEqual(macs.decoder, macs.synthesis + macs.prior, accuracy: 1e-6)
        XCTAssertGreaterThan(macs.encoder, 5_000)
        // Every traced weight is registered once, and the decoder reads a strict subset.
        let params = ParameterSet()
        var rng = RNG(seed: 1)
        net.registerParameters(in: params, rng: &rng)
        XCTAssertEqual(params.names, net.weightSpecs().map(\.name))
        XCTAssertEqual(params[HyperpriorNetwork.hyperLogScale]!.shape, [64])
        XCTAssertEqual(params["latent.gain_dec"]!.shape, [4, 128])
        XCTAssertTrue(net.decoderWeightNames().isStrictSubset(of: Set(params.names)))
        XCTAssertFalse(net.decoderWeightNames().contains { $0.hasPrefix("g_a.") || $0.hasPrefix("h_a.") || $0.contains("gain_enc") })
    }

    func testConfigJSONRoundTripAndValidation() throws {
        let c = HyperpriorConfig.tiny
        XCTAssertEqual(try HyperpriorConfig.parse(json: c.json), c)
        var bad = c; bad.lambdas = [256, 256]
        XCTAssertThrowsError(try bad.validate())
        bad = c; bad.latent = 0
        XCTAssertThrowsError(try bad.validate()) { XCTAssertTrue("\($0)".contains("channel widths"), "\($0)") }
        XCTAssertThrowsError(try HyperpriorConfig.parse(json: "{\"channels\": 8}")) { XCTAssertTrue("\($0)".contains("hyperprior"), "\($0)") }
        XCTAssertEqual(HyperpriorConfig().rateIndex(lambda: 1024), 2)
    }

    /// Random weights (gains and log-scales perturbed so they matter).
    func tinyWeights() -> [String: Tensor] {
        let params = ParameterSet()
        var rng = RNG(seed: 5)
        HyperpriorNetwork(config: .tiny).registerParameters(in: params, rng: &rng)
        var w: [String: Tensor] = [:]
        for p in params.parameters {
            w[p.name] = p.name.contains("gain") || p.name.hasSuffix("log_scale") ? rng.uniformTensor(p.shape, 0.5, 1.5) : p.value
        }
        return w
    }

    func symbols(_ c: HyperpriorConfig, _ h: Int, _ w: Int) -> (z: Tensor, qy: Tensor) {
        var rng = RNG(seed: 11)
        func ints(_ shape: [Int], _ r: Float) -> Tensor {
            var t = rng.uniformTensor(shape, -r, r)
            for i in 0..<t.count { t.storage[i] = t.storage[i].rounded() }
            return t
        }
        return (ints([1, c.hyper, h / 64, w / 64], 3), ints([1, c.latent, h / 16, w / 16], 4))
    }

    func testDeterministicDecodeMatchesTrainingBackend() throws {
        let w = tinyWeights()
        let dec = try HyperpriorDecoder(config: .tiny, weights: w, threads: 2)
        let s = symbols(.tiny, 64, 128)
        let got = dec.decodeImage(z: s.z, qy: s.qy, rate: 1)
        let params = ParameterSet()
        for (name, t) in w.sorted(by: { $0.key < $1.key }) { params.add(name, t) }
        let net = dec.network, b = TrainingBackend(params: params)
        let p = net.prior(Variable(s.z), b)
        var want = net.synthesis(Variable(s.qy) + p.mean, rows: [1], b).value
        for i in 0..<want.count { want.storage[i] = min(1, max(0, want.storage[i])) }
        XCTAssertEqual(got.shape, [1, 3, 64, 128])
        var worst: Float = 0
        for i in 0..<got.count { worst = max(worst, abs(got.storage[i] - want.storage[i])) }
        XCTAssertLessThan(worst, 1e-3)
        let dp = dec.parameters(z: s.z)
        for i in 0..<dp.scale.count { XCTAssertEqual(dp.scale.storage[i], p.scale.value.storage[i], accuracy: 1e-4) }
        XCTAssertTrue(dp.scale.storage.allSatisfy { $0 > 0 })
        XCTAssertNotEqual(dec.decodeImage(z: s.z, qy: s.qy, rate: 0), got, "the rate point's gains matter")
    }

    func testDeterministicDecodeIsIdenticalAtOneAndTwoThreads() throws {
        let w = tinyWeights()
        let d1 = try HyperpriorDecoder(config: .tiny, weights: w, threads: 1)
        let d2 = try HyperpriorDecoder(config: .tiny, weights: w, threads: 2)
        let s = symbols(.tiny, 64, 192)
        XCTAssertEqual(d1.decodeImage(z: s.z, qy: s.qy, rate: 1).storage.map(\.bitPattern),
                       d2.decodeImage(z: s.z, qy: s.qy, rate: 1).storage.map(\.bitPattern))
        XCTAssertEqual(d1.parameters(z: s.z).scale.storage.map(\.bitPattern), d2.parameters(z: s.z).scale.storage.map(\.bitPattern))
    }

    func testEncoderReconstructionEqualsTheDecodersImage() throws {
        let w = tinyWeights()
        let enc = try HyperpriorEncoder(config: .tiny, weights: w, threads: 2)
        var rng = RNG(seed: 8)
        let coded = enc.encode(image: rng.uniformTensor([1, 3, 64, 128]), rate: 1)
        XCTAssertEqual(coded.z.shape, [1, 4, 1, 2])
        XCTAssertEqual(coded.qy.shape, [1, 8, 4, 8])
        for t in [coded.z, coded.qy] { XCTAssertTrue(t.storage.allSatisfy { $0 == $0.rounded() }) }
        let dec = try HyperpriorDecoder(config: .tiny, weights: w, threads: 1)
        XCTAssertEqual(dec.decodeImage(z: coded.z, qy: coded.qy, rate: 1).storage.map(\.bitPattern),
                       coded.reconstruction.storage.map(\.bitPattern))
        XCTAssertEqual(dec.parameters(z: coded.z).scale, coded.scale)
    }

    func testMissingOrMisshapenDecoderWeightIsRefused() throws {
        var w = tinyWeights()
        XCTAssertNoThrow(try HyperpriorDecoder(config: .tiny, weights: w, threads: 1))
        w["g_a.down0.weight"] = nil  // encoder only: the decoder does not need it
        XCTAssertNoThrow(try HyperpriorDecoder(config: .tiny, weights: w, threads: 1))
        w["g_s.out.weight"] = nil
        XCTAssertThrowsError(try HyperpriorDecoder(config: .tiny, weights: w, threads: 1)) { XCTAssertTrue("\($0)".contains("g_s.out.weight")) }
        w = tinyWeights(); w[HyperpriorNetwork.hyperLogScale] = Tensor(shape: [5], repeating: 0)
        XCTAssertThrowsError(try HyperpriorDecoder(config: .tiny, weights: w, threads: 1)) { XCTAssertTrue("\($0)".contains("log_scale")) }
    }
}
