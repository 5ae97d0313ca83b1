import Models
import ModelsTraining
import Tensor
import TensorTraining
import XCTest

/// The residual (DVC) mode of the P-frame model.
final class ResidualInterNetworkTests: XCTestCase {
    func testShapesBudgetAndWeightNames() {
        var config = InterConfig()
        config.mode = .residual
        let net = InterNetwork(config: config)
        let b = ShapeBackend(), rows = [0, 3], x = [2, 3, 128, 192]
        let flow = net.mvDecode([2, 64, 8, 12], rows: rows, b)
        let pred = net.prediction(reference: x, flow: flow, b)
        XCTAssertEqual(pred, x)
        let y = net.residualEncode(x, prediction: pred, rows: rows, b)
        XCTAssertEqual(y, [2, 96, 8, 12])
        XCTAssertEqual(net.residualHyperEncode(y, b), [2, 64, 2, 3])
        XCTAssertEqual(net.residualPrior([2, 64, 2, 3], b).scale, y)
        XCTAssertEqual(net.residualReconstruct(y, prediction: pred, rows: rows, b), x)
        let macs = net.macsPerPixel()
        XCTAssertLessThanOrEqual(macs.decoder, 60_000, "decode budget")
        XCTAssertGreaterThan(macs.decoder, 10_000)
        // Registered once each; the decoder reads a strict subset without analysis weights.
        let params = ParameterSet()
        var rng = RNG(seed: 1)
        net.registerParameters(in: params, rng: &rng)
        XCTAssertEqual(params.names, net.weightSpecs().map(\.name))
        let dec = net.decoderWeightNames()
        XCTAssertTrue(dec.isStrictSubset(of: Set(params.names)))
        XCTAssertFalse(dec.contains { $0.hasPrefix("motion.") || $0.hasPrefix("res_enc.") || $0.hasPrefix("res_hyper_enc.") })
        XCTAssertTrue(dec.contains(InterNetwork.residualHyperLogScale))
        // Shared with the conditional model: exactly the motion path.
        let conditional = Set(InterNetwork(config: InterConfig()).weightSpecs().map(\.name))
        let shared = conditional.intersection(params.names)
        XCTAssertEqual(shared, Set(params.names.filter(InterNetwork.isMotionWeight)))
        XCTAssertTrue(shared.contains("mv.gain_dec") && shared.contains("motion.level0.out.weight"))
    }

    func testModeInJSONAndDecoderChoice() throws {
        XCTAssertFalse(InterConfig().json.contains("mode"), "conditional models keep their JSON")
        XCTAssertEqual(try InterConfig.parse(json: InterConfig.tiny.json).codingMode, .conditional)
        let r = try InterConfig.parse(json: InterConfig.tinyResidual.json)
        XCTAssertEqual(r, .tinyResidual)
        XCTAssertTrue(r.isResidual)
        XCTAssertThrowsError(try InterConfig.parse(json: InterConfig.tiny.json.replacingOccurrences(of: "{", with: "{\"mode\":\"bogus\",")))
        let (dec, _) = try Self.tinyDecoder(threads: 1)
        XCTAssertThrowsError(try InterDecoder(config: .tinyResidual, weights: dec.weights, threads: 1))
        XCTAssertThrowsError(try ResidualInterDecoder(config: .tiny, weights: dec.weights, threads: 1))
        var w = dec.weights
        w["res_dec.out.weight"] = nil
        XCTAssertThrowsError(try ResidualInterDecoder(config: .tinyResidual, weights: w, threads: 1)) { e in
            XCTAssertTrue("\(e)".contains("res_dec.out.weight"))
        }
    }

    /// Random weights (gains, log-scales and the MC output perturbed so they matter).
    static func tinyDecoder(threads: Int) throws -> (ResidualInterDecoder, ParameterSet) {
        let params = ParameterSet()
        var rng = RNG(seed: 5)
        InterNetwork(config: .tinyResidual).registerParameters(in: params, rng: &rng)
        for p in params.parameters where p.name.contains("gain") || p.name.hasSuffix("log_scale") {
            p.value = rng.uniformTensor(p.shape, 0.5, 1.5)
        }
        var w: [String: Tensor] = [:]
        for p in params.parameters { w[p.name] = p.value }
        return (try ResidualInterDecoder(config: .tinyResidual, weights: w, threads: threads), params)
    }

    func symbols(_ c: InterConfig, _ h: Int, _ w: Int) -> (ref: Tensor, zm: Tensor, qm: Tensor, z: Tensor, qy: Tensor) {
        var rng = RNG(seed: 11)
        func ints(_ shape: [Int], _ r: Float) -> Tensor {
            var t = rng.uniformTensor(shape, -r, r)
            for i in 0..<t.count { t.storage[i] = t.storage[i].rounded() }
            return t
        }
        return (rng.uniformTensor([1, 3, h, w]), ints([1, c.mvHyper, h / 64, w / 64], 3), ints([1, c.mvLatent, h / 16, w / 16], 4),
                ints([1, c.hyper, h / 64, w / 64], 3), ints([1, c.latent, h / 16, w / 16], 4))
    }

    func testDeterministicDecodeMatchesTrainingBackend() throws {
        let (dec, params) = try Self.tinyDecoder(threads: 2)
        let s = symbols(dec.config, 64, 128)
        let got = dec.decodeFrame(reference: s.ref, zm: s.zm, qm: s.qm, z: s.z, qy: s.qy, rate: 1)
        let net = dec.network, b = TrainingBackend(params: params), rows = [1]
        let mp = net.mvPrior(Variable(s.zm), b)
        let pred = net.prediction(reference: Variable(s.ref), flow: net.mvDecode(Variable(s.qm) + mp.mean, rows: rows, b), b)
        let rp = net.residualPrior(Variable(s.z), b)
        var want = net.residualReconstruct(Variable(s.qy) + rp.mean, prediction: pred, rows: rows, b).value
        for i in 0..<want.count { want.storage[i] = min(1, max(0, want.storage[i])) }
        XCTAssertEqual(got.shape, [1, 3, 64, 128])
        var worst: Float = 0
        for i in 0..<got.count { worst = max(worst, abs(got.storage[i] - want.storage[i])) }
        XCTAssertLessThan(worst, 1e-3)
        let drp = dec.frameParameters(z: s.z, context: s.ref)  // x̄ is not read
        for i in 0..<drp.scale.count { XCTAssertEqual(drp.scale.storage[i], rp.scale.value.storage[i], accuracy: 1e-4) }
        XCTAssertNotEqual(dec.decodeFrame(reference: s.ref, zm: s.zm, qm: s.qm, z: s.z, qy: s.qy, rate: 0), got, "the rate point matters")
    }

    func testDeterministicDecodeIsIdenticalAtOneAndTwoThreads() throws {
        let (d1, _) = try Self.tinyDecoder(threads: 1)
        let (d2, _) = try Self.tinyDecoder(threads: 2)
        let s = symbols(d1.config, 64, 192)
        let a = d1.decodeFrame(reference: s.ref, zm: s.zm, qm: s.qm, z: s.z, qy: s.qy, rate: 1)
        let b = d2.decodeFrame(reference: s.ref, zm: s.zm, qm: s.qm, z: s.z, qy: s.qy, rate: 1)
        XCTAssertEqual(a.storage.map(\.bitPattern), b.storage.map(\.bitPattern))
        let pa = d1.context(reference: s.ref, flow: d1.flow(mHat: s.qm, rate: 0))
        let pb = d2.context(reference: s.ref, flow: d2.flow(mHat: s.qm, rate: 0))
        XCTAssertEqual(pa.storage.map(\.bitPattern), pb.storage.map(\.bitPattern))
        let ra = d1.frameParameters(z: s.z, context: pa), rb = d2.frameParameters(z: s.z, context: pb)
        XCTAssertEqual(ra.scale.storage.map(\.bitPattern), rb.scale.storage.map(\.bitPattern))
        XCTAssertEqual(ra.mean.storage.map(\.bitPattern), rb.mean.storage.map(\.bitPattern))
    }

    func testEncoderReferenceEqualsTheDecodersFrame() throws {
        let (_, params) = try Self.tinyDecoder(threads: 2)
        var w: [String: Tensor] = [:]
        for p in params.parameters { w[p.name] = p.value }
        let enc = try InterEncoder(config: .tinyResidual, weights: w, threads: 2)
        XCTAssertTrue(enc.decoder is ResidualInterDecoder)
        var rng = RNG(seed: 8)
        let ref = rng.uniformTensor([1, 3, 64, 128]), x = rng.uniformTensor([1, 3, 64, 128])
        let coded = enc.encode(frame: x, reference: ref, rate: 1)
        let s = coded.symbols
        XCTAssertEqual(s.qm.shape, [1, InterConfig.tinyResidual.mvLatent, 4, 8])
        XCTAssertEqual(s.qy.shape, [1, InterConfig.tinyResidual.latent, 4, 8])
        XCTAssertEqual(s.z.shape, [1, InterConfig.tinyResidual.hyper, 1, 2])
        for t in [s.zm, s.qm, s.z, s.qy] { XCTAssertTrue(t.storage.allSatisfy { $0 == $0.rounded() }) }
        let (dec1, _) = try Self.tinyDecoder(threads: 1)
        let rec = dec1.decodeFrame(reference: ref, symbols: s, rate: 1)
        XCTAssertEqual(rec.storage.map(\.bitPattern), coded.reconstruction.storage.map(\.bitPattern))
        XCTAssertEqual(dec1.frameParameters(z: s.z, context: ref).scale, coded.frameScale)
    }
}
