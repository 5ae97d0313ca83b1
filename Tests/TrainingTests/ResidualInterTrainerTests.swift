import Entropy
import Foundation
import Models
import ModelsTraining
import Tensor
import TensorTraining
import ToolTesting
@testable import Training
import XCTest

/// Training the residual (DVC) mode of the P-frame model.
final class ResidualInterTrainerTests: XCTestCase {
    func tinyTrainer(_ config: InterConfig = .tinyResidual, stage: Int, pFrames: Int = 1) throws -> (InterTrainer, GOPSampler) {
        var o = InterTrainOptions.defaults(stage: stage)
        o.crop = 64; o.batch = 2; o.steps = 40; o.warmup = 2; o.lr = 3e-3; o.pFrames = pFrames; o.gopsPerVideo = 3
        let t = try InterTrainer(config: config, options: o)
        let s = GOPSampler(pool: InterTrainerTests.movingPattern(gops: 3, frames: pFrames + 1, side: 80), batch: 2, crop: 64,
                           frames: pFrames + 1, rates: 2, maxLevels: 8, seed: 5, iframeCoder: nil)
        return (t, s)
    }

    func tempDir() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("dvc-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: dir) }
        return dir
    }

    func testTinyResidualModelLearnsAMovingPattern() throws {
        let (t, s) = try tinyTrainer(stage: 4, pFrames: 2)
        XCTAssertTrue(t.params["mc.out.weight"]!.value.storage.allSatisfy { $0 == 0 }, "the prediction starts as the warp")
        var losses: [Float] = []
        for step in 0..<30 { losses.append(t.trainStep(s.batch(step: step)).loss) }
        let first = losses.prefix(5).reduce(0, +) / 5, last = losses.suffix(5).reduce(0, +) / 5
        XCTAssertTrue(losses.allSatisfy(\.isFinite))
        XCTAssertLessThan(last, 0.7 * first, "loss \(first) -> \(last)")
    }

    func testStage2FreezesMotionAndTrainsTheResidualCodec() throws {
        let (t, s) = try tinyTrainer(stage: 2)
        let motion = t.params["mv.gain_dec"]!.value, mc = t.params["mc.out.weight"]!.value, dec = t.params["res_dec.out.weight"]!.value
        let r = t.trainStep(s.batch(step: 0))
        XCTAssertEqual(t.params["mv.gain_dec"]!.value, motion)
        XCTAssertNotEqual(t.params["mc.out.weight"]!.value, mc)
        XCTAssertNotEqual(t.params["res_dec.out.weight"]!.value, dec)
        XCTAssertGreaterThan(r.bppFrame, 0, "the residual's rate is measured")
        XCTAssertGreaterThan(try XCTUnwrap(r.psnrPrediction), 10)
        // The run logs the prediction's PSNR in its own column (empty in stage 1).
        let run = InterTrainingRun(trainer: t, sampler: s)
        XCTAssertEqual(run.logColumns.last, "psnr_pred")
        _ = try run.trainStep()
        let row = run.logRow()
        XCTAssertEqual(row.count, run.logColumns.count)
        XCTAssertGreaterThan(try XCTUnwrap(Double(row.last!)), 10)
        let (t1, s1) = try tinyTrainer(stage: 1)
        let run1 = InterTrainingRun(trainer: t1, sampler: s1)
        _ = try run1.trainStep()
        XCTAssertEqual(run1.logRow().last, "")
        XCTAssertEqual(InterTrainingRun(trainer: try tinyTrainer(.tiny, stage: 2).0, sampler: s).logColumns.count, 5)
        XCTAssertNil(t.params["generator.out.weight"], "no conditional weights")
    }

    func testResumeFromACheckpointIsExact() throws {
        let dir = try tempDir()
        let (a, s) = try tinyTrainer(stage: 3)
        for step in 0..<3 { a.trainStep(s.batch(step: step)) }
        let (b, _) = try tinyTrainer(stage: 3)
        for step in 0..<2 { b.trainStep(s.batch(step: step)) }
        let path = try RunCheckpoints.save(b, runDir: dir, elapsed: 1)
        let (c, _) = try RunCheckpoints.restore(path, as: InterTrainer.self)
        XCTAssertEqual(c.config, .tinyResidual)
        XCTAssertEqual(c.step, 2)
        c.trainStep(s.batch(step: c.step))
        for p in a.params.parameters {
            XCTAssertEqual(p.value.storage.map(\.bitPattern), c.params[p.name]!.value.storage.map(\.bitPattern), p.name)
        }
        // Exported weights load into the residual decoder only.
        let file = c.exportWeights()
        XCTAssertEqual(file.metadata["model"], InterTrainer.residualModelName)
        XCTAssertEqual(try ResidualInterDecoder(file: file, path: "mem", threads: 1).config, .tinyResidual)
        XCTAssertThrowsError(try InterDecoder(file: file, path: "mem", threads: 1))
    }

    /// A conditional model's motion net and MV codec start a residual run (and back); the rest
    /// keeps its initialisation, and a model whose motion path differs is refused.
    func testMotionWeightsComeFromAConditionalCheckpoint() throws {
        let dir = try tempDir()
        let (cond, s) = try tinyTrainer(.tiny, stage: 1)
        cond.trainStep(s.batch(step: 0))
        let path = try RunCheckpoints.save(cond, runDir: dir, elapsed: 1)
        let (res, _) = try tinyTrainer(stage: 2)
        let before = Dictionary(uniqueKeysWithValues: res.params.parameters.map { ($0.name, $0.value) })
        try res.loadWeights(from: path)
        var motion = 0
        for p in res.params.parameters {
            if InterNetwork.isMotionWeight(p.name) {
                XCTAssertEqual(p.value, cond.params[p.name]!.value, p.name); motion += 1
            } else {
                XCTAssertEqual(p.value, before[p.name], p.name)
            }
        }
        XCTAssertGreaterThan(motion, 10)
        XCTAssertNotEqual(res.params["motion.level0.out.weight"]!.value, before["motion.level0.out.weight"], "trained motion arrived")
        // Both models now estimate and code the same flow.
        let batch = s.batch(step: 1)
        func flow(_ t: InterTrainer) -> Tensor {
            t.network.motion(Variable(batch.frames[1]), Variable(batch.iframe), TrainingBackend(params: t.params)).value
        }
        XCTAssertEqual(flow(res), flow(cond))
        // Back: a residual model's motion path into a conditional model.
        try FileManager.default.createDirectory(atPath: dir + "/r", withIntermediateDirectories: true)
        let back = try RunCheckpoints.save(res, runDir: dir + "/r", elapsed: 1)
        let (cond2, _) = try tinyTrainer(.tiny, stage: 2)
        try cond2.loadWeights(from: back)
        XCTAssertEqual(cond2.params["mv_dec.out.weight"]!.value, res.params["mv_dec.out.weight"]!.value)
        // Another motion path does not load.
        var other = InterConfig.tinyResidual
        other.mvLatent = 12
        XCTAssertThrowsError(try tinyTrainer(other, stage: 2).0.loadWeights(from: path)) { e in
            XCTAssertTrue("\(e)".contains("motion path"), "\(e)")
        }
    }
}

/// `dcvc-train inter --mode residual` through the built tool (skipped when it is not built).
extension ResidualInterTrainerTests {
    func testDryRunPrintsADecodeCostWithinBudget() throws {
        let tool = try ToolRunner("dcvc-train", from: Self.self)
        let r = try tool.run(["inter", "--mode", "residual", "--data", "/nonexistent", "--out", "/nonexistent/run", "--dry-run"])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertTrue(r.err.contains("\"mode\":\"residual\""), r.err)
        let line = try XCTUnwrap(r.err.split(separator: "\n").first { $0.hasPrefix("parameters ") }, r.err)
        let decode = try XCTUnwrap(line.range(of: "decode ").map { Double(line[$0.upperBound...].prefix { $0.isNumber }) ?? -1 })
        XCTAssertLessThanOrEqual(decode, 60_000, "decode MACs/pixel: \(line)")
        var config = InterConfig()
        config.mode = .residual
        XCTAssertEqual(decode, InterNetwork(config: config).macsPerPixel().decoder, accuracy: 1)
    }

    /// --export writes every weight, the configuration and the integer tables (the residual's
    /// hyper-latent tables under their own name); a resumed run keeps its mode.
    func testExportWritesWeightsAndTablesAndResumeKeepsTheMode() throws {
        let tool = try ToolRunner("dcvc-train", from: Self.self)
        let dir = try tempDir()
        let (t, s) = try tinyTrainer(stage: 3)
        t.trainStep(s.batch(step: 0))
        try FileManager.default.createDirectory(atPath: dir + "/stage3", withIntermediateDirectories: true)
        try RunCheckpoints.save(t, runDir: dir + "/stage3", elapsed: 0)
        let out = dir + "/w/dvc.safetensors"
        let r = try tool.run(["inter", "--stage", "3", "--data", "/nonexistent", "--out", dir, "--export", out])
        XCTAssertEqual(r.status, 0, r.err)
        let f = try SafeTensorsFile.read(from: out)
        XCTAssertEqual(f.metadata["model"], InterTrainer.residualModelName)
        for spec in t.network.weightSpecs() { XCTAssertEqual(f.tensors[spec.name]?.shape, spec.shape, spec.name) }
        let hyper = try XCTUnwrap(f.tensors["tables.res_hyper"]).integers().map { Int32(truncatingIfNeeded: $0) }
        XCTAssertEqual(try TableSerialization.boundedTables(hyper).count, t.config.hyper)
        XCTAssertNotNil(f.tensors["tables.mv_hyper"])
        XCTAssertNotNil(f.tensors["tables.latent"])
        XCTAssertEqual(try ResidualInterDecoder(file: f, path: out, threads: 1).config, .tinyResidual)
        // Resuming the residual run as a conditional one is refused before any data is read.
        let resume = try tool.run(["inter", "--stage", "3", "--resume", "--data", "/nonexistent", "--out", dir])
        XCTAssertNotEqual(resume.status, 0)
        XCTAssertTrue(resume.err.contains("residual"), resume.err)
    }
}
