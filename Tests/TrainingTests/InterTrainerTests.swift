import Foundation
import Models
import ModelsTraining
import Tensor
import TensorTraining
@testable import Training
import XCTest

final class InterTrainerTests: XCTestCase {
    /// Central differences of sum(bits * w) against the analytic gradient, in v and in the scale.
    func testGaussianBitsGradientsMatchFiniteDifferences() {
        var rng = RNG(seed: 3)
        let shape = [1, 2, 3, 4]
        var v = rng.uniformTensor(shape, -4, 4), s = rng.uniformTensor(shape, 0.2, 3)
        v.storage[0] = 0; v.storage[1] = 0.5; s.storage[2] = 0.05  // at zero, on a bin edge, below the floor
        let w = rng.uniformTensor(shape, -1, 1)
        func loss(_ a: Tensor, _ b: Tensor) -> Double {
            let bits = RateTerms.gaussianBits(Variable(a), scale: Variable(b)).value
            return (0..<bits.count).reduce(0.0) { $0 + Double(bits.storage[$1]) * Double(w.storage[$1]) }
        }
        let vv = Variable(v, requiresGrad: true), sv = Variable(s, requiresGrad: true)
        RateTerms.gaussianBits(vv, scale: sv).backward(seed: w)
        let eps: Float = 1e-2
        for i in 0..<v.count where i != 1 {
            var p = v, m = v; p.storage[i] += eps; m.storage[i] -= eps
            let num = Float((loss(p, s) - loss(m, s)) / Double(2 * eps))
            XCTAssertEqual(vv.grad!.storage[i], num, accuracy: 0.03 * max(1, abs(num)), "dv[\(i)]")
            var ps = s, ms = s; ps.storage[i] += eps / 10; ms.storage[i] -= eps / 10
            let nums = Float((loss(v, ps) - loss(v, ms)) / Double(eps / 5))
            XCTAssertEqual(sv.grad!.storage[i], i == 2 ? 0 : nums, accuracy: 0.03 * max(1, abs(nums)), "ds[\(i)]")
        }
        // Bits match the closed form at a few points, and a wide scale costs more at zero.
        let b = RateTerms.gaussianBits(Variable(Tensor(shape: [3], storage: [0, 0, 2])), scale: Variable(Tensor(shape: [3], storage: [1, 4, 1]))).value
        XCTAssertEqual(b.storage[0], Float(-log2(erf(0.5 / 2.0.squareRoot()))), accuracy: 1e-4)
        XCTAssertGreaterThan(b.storage[1], b.storage[0])
        XCTAssertEqual(b.storage[2], Float(-log2(0.5 * (erfc(1.5 / 2.0.squareRoot()) - erfc(2.5 / 2.0.squareRoot())))), accuracy: 1e-4)
    }

    func testFactorizedBitsGradientInTheLogScale() {
        var rng = RNG(seed: 4)
        let z = Variable(rng.uniformTensor([2, 3, 2, 2], -3, 3))
        let ls = rng.uniformTensor([3], -0.5, 1)
        let lv = Variable(ls, requiresGrad: true)
        RateTerms.factorizedBits(z, logScale: lv).backward()
        for c in 0..<3 {
            var p = ls, m = ls; p.storage[c] += 1e-3; m.storage[c] -= 1e-3
            let num = (RateTerms.factorizedBits(z, logScale: Variable(p)).value.item
                       - RateTerms.factorizedBits(z, logScale: Variable(m)).value.item) / 2e-3
            XCTAssertEqual(lv.grad!.storage[c], num, accuracy: 0.02 * max(1, abs(num)))
        }
    }

    /// A textured pattern moving by (1, 2) pixels per frame.
    static func movingPattern(gops: Int, frames: Int, side: Int) -> GOPPool {
        var rng = RNG(seed: 21)
        return GOPPool(gops: (0..<gops).map { _ in
            let phase = (0..<3).map { _ in rng.uniform(0, 6.28) }
            return (0..<frames).map { t in
                var rgb = [UInt8](repeating: 0, count: 3 * side * side)
                for c in 0..<3 { for y in 0..<side { for x in 0..<side {
                    let u = Float(x + t), v = Float(y + 2 * t)
                    let val = 0.5 + 0.25 * sin(u * 0.4 + phase[c]) + 0.2 * cos(v * 0.3 + u * 0.1 + phase[c])
                    rgb[(c * side + y) * side + x] = UInt8(max(0, min(255, val * 255)))
                } } }
                return FrameImage(width: side, height: side, rgb: rgb)
            }
        }, labels: (0..<gops).map { "pattern\($0)" })
    }

    func tinyTrainer(stage: Int, pFrames: Int = 1) throws -> (InterTrainer, GOPSampler) {
        var o = InterTrainOptions.defaults(stage: stage)
        o.crop = 64; o.batch = 2; o.steps = 40; o.warmup = 2; o.lr = 3e-3; o.pFrames = pFrames; o.gopsPerVideo = 3
        let t = try InterTrainer(config: .tiny, options: o)
        let s = GOPSampler(pool: Self.movingPattern(gops: 3, frames: pFrames + 1, side: 80), batch: 2, crop: 64,
                           frames: pFrames + 1, rates: 2, maxLevels: 8, seed: 5, iframeCoder: nil)
        return (t, s)
    }

    func testTinyModelLearnsAMovingPattern() throws {
        let (t, s) = try tinyTrainer(stage: 4, pFrames: 2)
        var losses: [Float] = []
        for step in 0..<30 { losses.append(t.trainStep(s.batch(step: step)).loss) }
        let first = losses.prefix(5).reduce(0, +) / 5, last = losses.suffix(5).reduce(0, +) / 5
        XCTAssertTrue(losses.allSatisfy(\.isFinite))
        XCTAssertLessThan(last, 0.7 * first, "loss \(first) -> \(last)")
    }

    /// RGB: lambda * mean square over R, G, B. YUV 6:1:1: a grey error is all luma (weight 6/8), a
    /// pure Cr error all chroma (1/8); random errors match the formula computed here.
    func testDistortionWeights() {
        let shape = [2, 3, 4, 5]
        var rng = RNG(seed: 21)
        let a = rng.uniformTensor(shape, 0, 1), b = rng.uniformTensor(shape, 0, 1)
        let lambdas: [Float] = [256, 1024]
        func reference(_ m: [[Double]], _ w: [Double]) -> Double {
            var total = 0.0
            for n in 0..<2 { for (c, row) in m.enumerated() { for y in 0..<4 { for x in 0..<5 {
                let d = (0..<3).reduce(0.0) { $0 + row[$1] * Double(a[n, $1, y, x] - b[n, $1, y, x]) }
                total += Double(lambdas[n]) * w[c] * d * d / 20 / 2
            } } } }
            return total
        }
        let rgb = InterDistortion.rgb.weighted(Variable(a), Variable(b), lambdas).value.item
        XCTAssertEqual(Double(rgb), reference([[1, 0, 0], [0, 1, 0], [0, 0, 1]], [1.0 / 3, 1.0 / 3, 1.0 / 3]), accuracy: 1e-3 * Double(rgb))
        let m = InterDistortion.rgbToYCbCr.storage.map(Double.init)
        let yuv = InterDistortion.yuv611.weighted(Variable(a), Variable(b), lambdas).value.item
        XCTAssertEqual(Double(yuv), reference([Array(m[0..<3]), Array(m[3..<6]), Array(m[6..<9])], [0.75, 0.125, 0.125]),
                       accuracy: 1e-3 * Double(yuv))
        let grey = Tensor(shape: [1, 3, 2, 2], storage: [Float](repeating: 0.1, count: 12))
        XCTAssertEqual(InterDistortion.yuv611.weighted(Variable(grey), Variable(.zeros([1, 3, 2, 2])), [100]).value.item,
                       100 * 0.75 * 0.01, accuracy: 1e-5)
        // R - Y-equivalent change with no luma: +dR, -dG*(0.299/0.587) moves Cb and Cr only.
        var red = Tensor.zeros([1, 3, 1, 1]); red.storage = [0.1, -0.1 * 0.299 / 0.587, 0]
        let cb = -0.168736 * 0.1 + 0.331264 * 0.1 * 0.299 / 0.587, cr = 0.5 * 0.1 + 0.418688 * 0.1 * 0.299 / 0.587
        XCTAssertEqual(Double(InterDistortion.yuv611.weighted(Variable(red), Variable(.zeros([1, 3, 1, 1])), [1]).value.item),
                       (cb * cb + cr * cr) / 8, accuracy: 1e-6)
    }

    /// Stage 4 trains cascades of up to `maxPFrames` P-frames; other stages code one.
    func testCascadeLengths() throws {
        var o = InterTrainOptions.defaults(stage: 4)
        o.pFrames = 12
        XCTAssertNoThrow(try o.validate())
        o.pFrames = InterTrainOptions.maxPFrames + 1
        XCTAssertThrowsError(try o.validate())
        o = InterTrainOptions.defaults(stage: 3)
        o.pFrames = 2
        XCTAssertThrowsError(try o.validate())
        let (t, s) = try tinyTrainer(stage: 4, pFrames: 12)
        XCTAssertTrue(t.trainStep(s.batch(step: 0)).loss.isFinite)
    }

    func testStagesTrainTheirParts() throws {
        let (t1, s1) = try tinyTrainer(stage: 1)
        let r1 = t1.trainStep(s1.batch(step: 0))
        XCTAssertEqual(r1.bppFrame, 0, "stage 1 codes motion only")
        XCTAssertGreaterThan(r1.bppMotion, 0)
        let (t2, s2) = try tinyTrainer(stage: 2)
        let motion = t2.params["motion.level0.out.weight"]!.value, ctx = t2.params["generator.out.weight"]!.value
        t2.trainStep(s2.batch(step: 0))
        XCTAssertEqual(t2.params["motion.level0.out.weight"]!.value, motion, "stage 2 freezes motion")
        XCTAssertNotEqual(t2.params["generator.out.weight"]!.value, ctx)
    }

    /// Spreading the rate points scales encoder gain rows by (lambda/G)^e and decoder rows by the
    /// inverse (tiny config: lambdas 256 and 2048, so factors 8^-e/2 and 8^e/2); the gain learning
    /// rate scale reaches exactly the gain parameters.
    func testSpreadGainsAndTheirLearningRate() throws {
        var o = InterTrainOptions.defaults(stage: 4)
        o.gainLRScale = 10
        let t = try InterTrainer(config: .tiny, options: o)
        let before = Dictionary(uniqueKeysWithValues: t.params.parameters.map { ($0.name, $0.value) })
        t.spreadGains(exponent: 0.5)
        let f = Float(pow(8.0, 0.25))
        for name in InterNetwork.gainNames.encoder + InterNetwork.gainNames.decoder {
            let p = t.params[name]!, c = p.shape[1], old = before[name]!.storage
            let enc = InterNetwork.gainNames.encoder.contains(name)
            for i in 0..<c {
                XCTAssertEqual(p.value.storage[i], old[i] * (enc ? 1 / f : f), accuracy: 1e-5, name)
                XCTAssertEqual(p.value.storage[c + i], old[c + i] * (enc ? f : 1 / f), accuracy: 1e-5, name)
            }
            XCTAssertEqual(t.adam.lrScale[name], 10)
        }
        XCTAssertEqual(t.adam.lrScale.count, 4, "only the gains learn faster")
        for p in t.params.parameters where !p.name.contains("gain_") { XCTAssertEqual(p.value, before[p.name], p.name) }
    }

    /// A model without the warped reference loads into one with it and computes the same frame
    /// (up to summation order: the widened convs add zero-weighted channels); the new channels do
    /// reach the output once their weights move.
    func testAnOlderModelGainsTheWarpedReference() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("inter-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: dir) }
        var old = InterConfig.tiny
        old.warpedReference = nil
        var o = InterTrainOptions.defaults(stage: 4)
        o.pFrames = 1
        let a = try InterTrainer(config: old, options: o), b = try InterTrainer(config: .tiny, options: o)
        XCTAssertEqual(InterConfig.tiny.contextOutputChannels, old.contextOutputChannels + 12)
        let path = dir + "/old.safetensors"
        try a.exportWeights().write(to: path)
        try b.loadWeights(from: path)
        let w = b.params["generator.conv_in.weight"]!.value, ow = a.params["generator.conv_in.weight"]!.value
        XCTAssertEqual(w.shape[1], ow.shape[1] + 12)
        let batch = Self.movingPattern(gops: 1, frames: 2, side: 64)
        let s = GOPSampler(pool: batch, batch: 1, crop: 64, frames: 2, rates: 2, maxLevels: 1, seed: 2, iframeCoder: nil).batch(step: 0)
        func frame(_ t: InterTrainer) -> Tensor {
            t.rng = RNG(seed: 9)
            return t.codeP(Variable(s.frames[1]), reference: Variable(s.iframe), rows: s.rows).xhat!.value
        }
        let fa = frame(a), fb = frame(b)
        for i in 0..<fa.count { XCTAssertEqual(fa.storage[i], fb.storage[i], accuracy: 1e-4) }
        let p = b.params["generator.conv_in.weight"]!
        for i in 0..<p.value.count where (i / 9) % p.shape[1] >= ow.shape[1] { p.value.storage[i] = 0.05 }
        XCTAssertNotEqual(frame(b), fb, "the warped reference feeds the generator")
        // A model of another size does not load.
        var other = InterConfig.tiny
        other.latent = 12
        XCTAssertThrowsError(try InterTrainer(config: other, options: o).loadWeights(from: path))
    }

    func testResumeFromACheckpointIsExact() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("inter-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: dir) }
        let (a, s) = try tinyTrainer(stage: 3)
        for step in 0..<3 { a.trainStep(s.batch(step: step)) }
        let (b, _) = try tinyTrainer(stage: 3)
        for step in 0..<2 { b.trainStep(s.batch(step: step)) }
        let path = try RunCheckpoints.save(b, runDir: dir, elapsed: 1)
        let (c, elapsed) = try RunCheckpoints.restore(path, as: InterTrainer.self)
        XCTAssertEqual(elapsed, 1)
        XCTAssertEqual(c.step, 2)
        XCTAssertEqual(c.options, b.options, "options, the GOP pool's size among them, come back")
        XCTAssertEqual(c.options.gopsPerVideo, 3)
        c.trainStep(s.batch(step: c.step))
        for p in a.params.parameters {
            XCTAssertEqual(p.value.storage.map(\.bitPattern), c.params[p.name]!.value.storage.map(\.bitPattern), p.name)
        }
        // Exported weights load into the deterministic decoder.
        let dec = try InterDecoder(file: c.exportWeights(), path: "mem", threads: 1)
        XCTAssertEqual(dec.config, .tiny)
    }
}

extension FrameSamplerTests {
    func testGOPPoolErrorsNameTheFile() throws {
        let dir = try tempDir()
        let clip = dir + "/six.mkv"
        try makeClip(clip, frames: 6)
        XCTAssertThrowsError(try GOPPool(videos: [clip], length: 7, gopsPerVideo: 4, crop: 32, seed: 1, cache: nil)) { e in
            XCTAssertEqual(e as? DataError, .tooShort(path: clip, frames: 6, needed: 7))
        }
        let missing = dir + "/missing.mp4"
        XCTAssertThrowsError(try GOPPool(videos: [missing], length: 7, gopsPerVideo: 4, crop: 32, seed: 1, cache: nil)) { e in
            XCTAssertTrue("\(e)".contains(missing), "\(e)")
        }
        // A long enough clip gives GOPs of consecutive frames (luma rises by 10 per frame).
        let ok = dir + "/ok.mkv"
        try makeClip(ok, frames: 16)
        let pool = try GOPPool(videos: [ok], length: 7, gopsPerVideo: 4, crop: 32, seed: 1, cache: nil)
        XCTAssertEqual(pool.gops.count, 2, "at most one GOP per 7 frames")
        for g in pool.gops {
            XCTAssertEqual(g.count, 7)
            XCTAssertLessThan(g[0].rgb[0], g[6].rgb[0])
        }
        let s = GOPSampler(pool: pool, batch: 2, crop: 32, frames: 7, rates: 4, maxLevels: 8, seed: 3,
                           iframeCoder: { x, _ in Tensor(shape: x.shape, repeating: 0.5) })
        let b = s.batch(step: 4)
        XCTAssertEqual(b.frames.count, 7)
        XCTAssertEqual(b.frames[0].shape, [2, 3, 32, 32])
        XCTAssertTrue(b.iframe.storage.allSatisfy { $0 == 0.5 })
        XCTAssertEqual(b.rows, s.batch(step: 4).rows)
        XCTAssertEqual(b.frames[3], s.batch(step: 4).frames[3])
    }
}
