import Entropy
import Foundation
import Models
import ModelsTraining
import Tensor
import TensorTraining
import ToolTesting
import Training
import XCTest

final class HyperpriorTrainerTests: XCTestCase {
    /// Smooth colour textures (a few sinusoids per image and channel).
    static func texturePool(images: Int, side: Int) -> FramePool {
        var rng = RNG(seed: 31)
        let frames = (0..<images).map { _ -> FrameImage in
            let f = (0..<6).map { _ in rng.uniform(0.05, 0.35) }, phase = (0..<3).map { _ in rng.uniform(0, 6.28) }
            var rgb = [UInt8](repeating: 0, count: 3 * side * side)
            for c in 0..<3 { for y in 0..<side { for x in 0..<side {
                let u = Float(x), v = Float(y)
                let val = 0.5 + 0.25 * sin(u * f[2 * c] + phase[c]) + 0.2 * cos(v * f[2 * c + 1] + u * 0.1 + phase[c])
                rgb[(c * side + y) * side + x] = UInt8(max(0, min(255, val * 255)))
            } } }
            return FrameImage(width: side, height: side, rgb: rgb)
        }
        return FramePool(frames: frames, labels: (0..<images).map { "texture\($0)" })
    }

    func tinyTrainer(steps: Int = 40, batch: Int = 4) throws -> (HyperpriorTrainer, HyperpriorSampler) {
        var o = HyperpriorTrainOptions()
        o.crop = 64; o.batch = batch; o.steps = steps; o.warmup = 2; o.lr = 3e-3; o.seed = 9; o.rateWarmup = 10
        let t = try HyperpriorTrainer(config: .tiny, options: o)
        let s = HyperpriorSampler(crops: BatchSampler(pool: Self.texturePool(images: 3, side: 96), batch: batch, crop: 64, seed: 5),
                                  rates: 2)
        return (t, s)
    }

    func testSamplerIsDeterministicAndDrawsEveryRate() {
        let s = HyperpriorSampler(crops: BatchSampler(pool: Self.texturePool(images: 2, side: 64), batch: 4, crop: 64, seed: 2),
                                  rates: 4)
        XCTAssertEqual(s.batch(step: 3).rows, s.batch(step: 3).rows)
        XCTAssertEqual(s.batch(step: 3).images, s.batch(step: 3).images)
        let rows = (0..<8).flatMap { s.batch(step: $0).rows }
        XCTAssertEqual(Set(rows), [0, 1, 2, 3])
    }

    func testTinyModelLossFalls() throws {
        let (t, s) = try tinyTrainer()
        var losses: [Float] = []
        for step in 0..<30 { losses.append(t.trainStep(s.batch(step: step)).loss) }
        let first = losses.prefix(5).reduce(0, +) / 5, last = losses.suffix(5).reduce(0, +) / 5
        XCTAssertTrue(losses.allSatisfy(\.isFinite))
        XCTAssertLessThan(last, 0.7 * first, "loss \(first) -> \(last)")
    }

    /// The rate ladder: after a short training the higher-lambda row codes the same images with
    /// more bits and reproduces the model's own unquantized reconstruction more faithfully (real
    /// rounding, no noise), and each row's gains have moved on their own. (The PSNR against the
    /// source does not separate yet: 60 tiny steps leave both rows near the mean colour.)
    func testHigherLambdaRowGivesMoreBitsAndFinerQuantization() throws {
        let (t, s) = try tinyTrainer(steps: 60)
        let start = t.params["latent.gain_enc"]!.value.storage, c = t.config.latent
        XCTAssertEqual(start[c] / start[0], Float(8).squareRoot(), accuracy: 1e-5, "gains start at sqrt(lambda ratio)")
        XCTAssertEqual(start[0], HyperpriorNetwork.initialLatentScale)
        for step in 0..<60 { t.trainStep(s.batch(step: step)) }
        let gains = t.params["latent.gain_enc"]!.value.storage
        XCTAssertNotEqual(Array(gains[c..<(2 * c)]).map { $0 / gains[c] }, Array(gains[0..<c]).map { $0 / gains[0] },
                          "each row's gains train on their own")
        let images = s.batch(step: 1000).images
        let low = t.evaluate(images, rate: 0), high = t.evaluate(images, rate: 1)
        XCTAssertGreaterThan(high.bpp, 1.5 * low.bpp, "lambda 2048 vs 256: \(high) vs \(low)")
        XCTAssertGreaterThan(quantizationPSNR(t, images, rate: 1), quantizationPSNR(t, images, rate: 0) + 3)
    }

    /// PSNR of the reconstruction from rounded latents against the one from unrounded latents.
    func quantizationPSNR(_ t: HyperpriorTrainer, _ images: Tensor, rate: Int) -> Float {
        let b = TrainingBackend(params: t.params), rows = Array(repeating: rate, count: images.shape[0])
        let y = t.network.analysis(Variable(images), rows: rows, b)
        let mean = t.network.prior(Ops.roundStraightThrough(t.network.hyperAnalysis(y, b)), b).mean
        let exact = t.network.synthesis(y, rows: rows, b).value
        let coded = t.network.synthesis(Ops.roundStraightThrough(y - mean) + mean, rows: rows, b).value
        var se = 0.0
        for i in 0..<exact.count { se += Double((exact.storage[i] - coded.storage[i]) * (exact.storage[i] - coded.storage[i])) }
        return Float(10 * log10(1 / max(se / Double(exact.count), 1e-12)))
    }

    /// A step with every sample on row 0 leaves row 1's gains unchanged.
    func testAStepOnlyMovesTheGainsOfTheRowsItDrew() throws {
        let (t, s) = try tinyTrainer()
        let before = t.params["latent.gain_dec"]!.value.storage, c = t.config.latent
        let b = s.batch(step: 0)
        t.trainStep(HyperpriorBatch(images: b.images, rows: b.rows.map { _ in 0 }))
        let after = t.params["latent.gain_dec"]!.value.storage
        XCTAssertEqual(Array(after[c..<(2 * c)]), Array(before[c..<(2 * c)]))
        XCTAssertNotEqual(Array(after[0..<c]), Array(before[0..<c]))
    }

    func testResumeFromACheckpointIsExact() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("hyperprior-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: dir) }
        let (a, s) = try tinyTrainer()
        for step in 0..<3 { a.trainStep(s.batch(step: step)) }
        let (b, _) = try tinyTrainer()
        for step in 0..<2 { b.trainStep(s.batch(step: step)) }
        let path = try RunCheckpoints.save(b, runDir: dir, elapsed: 1)
        let (c, elapsed) = try RunCheckpoints.restore(path, as: HyperpriorTrainer.self)
        XCTAssertEqual(elapsed, 1)
        XCTAssertEqual(c.step, 2)
        XCTAssertEqual(c.options, a.options)
        XCTAssertEqual(c.config, .tiny)
        c.trainStep(s.batch(step: c.step))
        for p in a.params.parameters {
            XCTAssertEqual(p.value.storage.map(\.bitPattern), c.params[p.name]!.value.storage.map(\.bitPattern), p.name)
        }
        // Exported weights load into the deterministic decoder.
        let dec = try HyperpriorDecoder(file: c.exportWeights(), path: "mem", threads: 1)
        XCTAssertEqual(dec.config, .tiny)
    }

    func testTrainingRunLogsPerRatePoint() throws {
        let (t, s) = try tinyTrainer(steps: 4, batch: 2)
        let run = HyperpriorTrainingRun(trainer: t, sampler: s)
        XCTAssertEqual(run.logColumns, ["loss", "psnr", "bpp", "bpp_hyper", "psnr_256", "psnr_2048", "bpp_256", "bpp_2048"])
        for _ in 0..<3 { _ = try run.trainStep() }
        let row = run.logRow()
        XCTAssertEqual(row.count, run.logColumns.count)
        let drawn = Set((0..<3).flatMap { s.batch(step: $0).rows })
        for r in 0..<2 { XCTAssertEqual(row[4 + r].isEmpty, !drawn.contains(r), "psnr column of row \(r): \(row)") }
        XCTAssertGreaterThan(Double(row[2])!, Double(row[3])!, "all bits exceed the hyper-latent bits")
    }
}

/// `dcvc-train hyperprior` through the built tool (skipped when it is not built).
extension HyperpriorTrainerTests {
    func testDryRunPrintsADecodeCostWithinBudget() throws {
        let tool = try ToolRunner("dcvc-train", from: Self.self)
        let r = try tool.run(["hyperprior", "--data", "/nonexistent", "--out", "/nonexistent/run", "--dry-run"])
        XCTAssertEqual(r.status, 0, r.err)
        let line = try XCTUnwrap(r.err.split(separator: "\n").first { $0.hasPrefix("parameters ") }, r.err)
        let decode = try XCTUnwrap(line.range(of: "decode ").map { Double(line[$0.upperBound...].prefix { $0.isNumber }) ?? -1 })
        XCTAssertGreaterThan(decode, 10_000, String(line))
        XCTAssertLessThanOrEqual(decode, 40_000, "default model's decode MACs/pixel: \(line)")
        XCTAssertEqual(decode, HyperpriorNetwork(config: HyperpriorConfig()).macsPerPixel().decoder, accuracy: 1)
    }

    /// --export writes every weight, the configuration and the integer tables the codec reads.
    func testExportWritesWeightsAndTables() throws {
        let tool = try ToolRunner("dcvc-train", from: Self.self)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("hyperprior-export-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: dir) }
        let (t, s) = try tinyTrainer()
        t.trainStep(s.batch(step: 0))
        try RunCheckpoints.save(t, runDir: dir, elapsed: 0)
        let out = dir + "/w/hyperprior.safetensors"
        let r = try tool.run(["hyperprior", "--data", "/nonexistent", "--out", dir, "--export", out])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertTrue(r.out.contains("sha256"), r.out)
        let f = try SafeTensorsFile.read(from: out)
        XCTAssertEqual(f.metadata["model"], "intra-hyperprior")
        XCTAssertEqual(f.metadata["step"], "1")
        for spec in t.network.weightSpecs() { XCTAssertEqual(f.tensors[spec.name]?.shape, spec.shape, spec.name) }
        func ints(_ name: String) throws -> [Int32] {
            try XCTUnwrap(f.tensors[name], name).integers().map { Int32(truncatingIfNeeded: $0) }
        }
        XCTAssertEqual(try TableSerialization.boundedTables(try ints("tables.hyper")).count, t.config.hyper)
        XCTAssertEqual(try TableSerialization.scaleTableSet(try ints("tables.latent")), ScaleTableSet.build(shape: .gaussian))
        XCTAssertEqual(try HyperpriorDecoder(file: f, path: out, threads: 1).config, .tiny)
        // A new run starts from the export: the same weights, step 0; another configuration is refused.
        let (fresh, _) = try tinyTrainer()
        try fresh.loadWeights(from: out)
        XCTAssertEqual(fresh.step, 0)
        for p in t.params.parameters { XCTAssertEqual(fresh.params[p.name]!.value, p.value, p.name) }
        var other = HyperpriorConfig.tiny
        other.latent += 4
        XCTAssertThrowsError(try HyperpriorTrainer(config: other, options: fresh.options).loadWeights(from: out))
    }
}
