import Models
import ModelsTraining
import Tensor
import TensorTraining
import XCTest

final class InterNetworkTests: XCTestCase {
    func testShapesAndDecodeBudget() {
        let net = InterNetwork(config: InterConfig())
        let b = ShapeBackend(), rows = [0, 3]
        let x = [2, 3, 128, 192]
        let flow = net.motion(x, x, b)
        XCTAssertEqual(flow, [2, 2, 64, 96])
        let m = net.mvEncode(flow, rows: rows, b)
        XCTAssertEqual(m, [2, 64, 8, 12])
        XCTAssertEqual(net.mvHyperEncode(m, b), [2, 32, 2, 3])
        XCTAssertEqual(net.mvPrior([2, 32, 2, 3], b).scale, m)
        XCTAssertEqual(net.mvDecode(m, rows: rows, b), flow)
        let ctx = net.context(reference: x, flow: flow, b)
        XCTAssertEqual(ctx, [2, 44, 64, 96], "32 feature channels, then the warped reference unshuffled")
        var older = InterConfig()
        older.warpedReference = nil
        XCTAssertEqual(InterNetwork(config: older).context(reference: x, flow: flow, b), [2, 32, 64, 96])
        let y = net.frameEncode(x, context: ctx, rows: rows, b)
        XCTAssertEqual(y, [2, 96, 8, 12])
        XCTAssertEqual(net.hyperEncode(y, b), [2, 64, 2, 3])
        XCTAssertEqual(net.framePrior([2, 64, 2, 3], context: ctx, b).mean, y)
        XCTAssertEqual(net.frameDecode(y, context: ctx, rows: rows, b), x)
        let macs = net.macsPerPixel()
        XCTAssertLessThanOrEqual(macs.decoder, 60_000, "decode budget")
        XCTAssertGreaterThan(macs.decoder, 20_000)
        XCTAssertGreaterThan(macs.encoder, 5_000)
        // Every traced weight is registered once, and the decoder reads a strict subset.
        let params = ParameterSet()
        var rng = RNG(seed: 1)
        net.registerParameters(in: params, rng: &rng)
        XCTAssertEqual(params.names, net.weightSpecs().map(\.name))
        XCTAssertTrue(net.decoderWeightNames().isStrictSubset(of: Set(params.names)))
        XCTAssertFalse(net.decoderWeightNames().contains { $0.hasPrefix("motion.") || $0.hasPrefix("frame_enc.") })
    }

    /// Random weights (gains and biases perturbed so they matter) and random symbols.
    func tinyDecoder(threads: Int) throws -> (InterDecoder, ParameterSet) {
        let config = InterConfig.tiny
        let params = ParameterSet()
        var rng = RNG(seed: 5)
        InterNetwork(config: config).registerParameters(in: params, rng: &rng)
        for p in params.parameters where p.name.contains("gain") || p.name.hasSuffix("log_scale") {
            p.value = rng.uniformTensor(p.shape, 0.5, 1.5)
        }
        var w: [String: Tensor] = [:]
        for p in params.parameters { w[p.name] = p.value }
        return (try InterDecoder(config: config, weights: w, threads: threads), params)
    }

    func symbols(_ c: InterConfig, side h: Int, _ w: Int) -> (ref: Tensor, zm: Tensor, qm: Tensor, z: Tensor, qy: Tensor) {
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
        let (dec, params) = try tinyDecoder(threads: 2)
        let s = symbols(dec.config, side: 64, 128)
        let got = dec.decodeFrame(reference: s.ref, zm: s.zm, qm: s.qm, z: s.z, qy: s.qy, rate: 1)
        // The same path on the autograd backend.
        let net = dec.network, b = TrainingBackend(params: params), rows = [1]
        let mp = net.mvPrior(Variable(s.zm), b)
        let flow = net.mvDecode(Variable(s.qm) + mp.mean, rows: rows, b)
        let ctx = net.context(reference: Variable(s.ref), flow: flow, b)
        let fp = net.framePrior(Variable(s.z), context: ctx, b)
        var want = net.frameDecode(Variable(s.qy) + fp.mean, context: ctx, rows: rows, b).value
        for i in 0..<want.count { want.storage[i] = min(1, max(0, want.storage[i])) }
        XCTAssertEqual(got.shape, [1, 3, 64, 128])
        var worst: Float = 0
        for i in 0..<got.count { worst = max(worst, abs(got.storage[i] - want.storage[i])) }
        XCTAssertLessThan(worst, 1e-3)
        // The parameters the entropy coder reads agree too.
        let dmp = dec.mvParameters(zm: s.zm)
        for i in 0..<dmp.scale.count { XCTAssertEqual(dmp.scale.storage[i], mp.scale.value.storage[i], accuracy: 1e-4) }
        XCTAssertTrue(dmp.scale.storage.allSatisfy { $0 > 0 })
        // The rate point matters.
        let other = dec.decodeFrame(reference: s.ref, zm: s.zm, qm: s.qm, z: s.z, qy: s.qy, rate: 0)
        XCTAssertNotEqual(other, got)
    }

    func testDeterministicDecodeIsIdenticalAtOneAndTwoThreads() throws {
        let (d1, _) = try tinyDecoder(threads: 1)
        let (d2, _) = try tinyDecoder(threads: 2)
        let s = symbols(d1.config, side: 64, 192)
        let a = d1.decodeFrame(reference: s.ref, zm: s.zm, qm: s.qm, z: s.z, qy: s.qy, rate: 1)
        let b = d2.decodeFrame(reference: s.ref, zm: s.zm, qm: s.qm, z: s.z, qy: s.qy, rate: 1)
        XCTAssertEqual(a.storage.map(\.bitPattern), b.storage.map(\.bitPattern))
        let fa = d1.frameParameters(z: s.z, context: d1.context(reference: s.ref, flow: d1.flow(mHat: s.qm, rate: 0)))
        let fb = d2.frameParameters(z: s.z, context: d2.context(reference: s.ref, flow: d2.flow(mHat: s.qm, rate: 0)))
        XCTAssertEqual(fa.scale.storage.map(\.bitPattern), fb.scale.storage.map(\.bitPattern))
        XCTAssertEqual(fa.mean.storage.map(\.bitPattern), fb.mean.storage.map(\.bitPattern))
    }

    func testMissingDecoderWeightIsRefused() throws {
        let (dec, _) = try tinyDecoder(threads: 1)
        var w = dec.weights
        w["generator.out.weight"] = nil
        XCTAssertThrowsError(try InterDecoder(config: dec.config, weights: w, threads: 1)) { e in
            XCTAssertTrue("\(e)".contains("generator.out.weight"))
        }
    }
}

extension InterNetworkTests {
    func testEncoderReferenceEqualsTheDecodersFrame() throws {
        let (dec, params) = try tinyDecoder(threads: 2)
        var w: [String: Tensor] = [:]
        for p in params.parameters { w[p.name] = p.value }
        let enc = try InterEncoder(config: dec.config, weights: w, threads: 2)
        var rng = RNG(seed: 8)
        let ref = rng.uniformTensor([1, 3, 64, 128]), x = rng.uniformTensor([1, 3, 64, 128])
        let coded = enc.encode(frame: x, reference: ref, rate: 1)
        let s = coded.symbols
        XCTAssertEqual(s.qm.shape, [1, dec.config.mvLatent, 4, 8])
        XCTAssertEqual(s.z.shape, [1, dec.config.hyper, 1, 2])
        for t in [s.zm, s.qm, s.z, s.qy] { XCTAssertTrue(t.storage.allSatisfy { $0 == $0.rounded() }) }
        // The decoder, at another thread count, rebuilds the encoder's reference bit for bit.
        let (dec1, _) = try tinyDecoder(threads: 1)
        let rec = dec1.decodeFrame(reference: ref, symbols: s, rate: 1)
        XCTAssertEqual(rec.storage.map(\.bitPattern), coded.reconstruction.storage.map(\.bitPattern))
        XCTAssertEqual(dec1.mvParameters(zm: s.zm).scale, coded.mvScale)
    }
}
