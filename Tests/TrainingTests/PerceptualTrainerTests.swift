import Foundation
import Models
import ModelsTraining
import Tensor
import TensorTraining
import Training
import XCTest

/// LPIPS-Alex with seeded random weights of the real shapes (the real file is data/, not needed here).
func randomLPIPS(seed: UInt64) throws -> LPIPSAlex {
    var rng = RNG(seed: seed)
    var file = SafeTensorsFile()
    for s in LPIPSAlex.specs {
        let fanIn = s.shape.dropFirst().reduce(1, *)
        file.tensors[s.name] = SafeTensor(s.name.hasPrefix("lin") ? rng.uniformTensor(s.shape, 0, 1)
                                          : rng.normalTensor(s.shape, std: (2 / Float(fanIn)).squareRoot()))
    }
    return try LPIPSAlex(file: file, path: "mem")
}

/// The tiny tokenizer trainer with LPIPS and a small discriminator switched on at `discStart`.
func tinyPerceptualTrainer(steps: Int = 10, discStart: Int = 1, augment: Bool = false) throws -> VQTrainer {
    let config = VQConfig(channels: [8, 8, 8], encoderBlocks: 1, decoderBlocks: 1, groups: 4,
                          codeDim: 4, codebookSize: 16, levels: 3)
    var o = VQTrainOptions()
    o.steps = steps; o.batch = 2; o.crop = 32; o.warmup = 2; o.seed = 11
    o.apply(.perceptual)
    o.discStart = discStart; o.discChannels = 32; o.discLayers = 2; o.discLR = 2e-4
    if augment { o.discAugment = true }
    let t = try VQTrainer(config: config, options: o)
    t.perceptual = try randomLPIPS(seed: 9)
    return t
}

final class PerceptualTrainerTests: XCTestCase {
    override func setUp() { TrainingKernels.threads = 1 }

    func tempDir() throws -> String {
        let d = FileManager.default.temporaryDirectory.appendingPathComponent("vqperc-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: d) }
        return d
    }

    /// Options JSON written before the perceptual options existed decodes to the fidelity recipe,
    /// and the fidelity recipe writes the same JSON as before (no new keys).
    func testOlderOptionsDecodeToTheFidelityRecipe() throws {
        let old = #"{"steps":3000,"batch":8,"crop":128,"lr":0.0004,"warmup":100,"seed":1,"reconstruction":"l1","msssimWeight":0.2,"#
            + #""commitment":0.25,"dropoutProbability":0.5,"emaDecay":0.99,"deadAfter":25,"gradClip":1}"#
        let o = try JSONDecoder().decode(VQTrainOptions.self, from: Data(old.utf8))
        XCTAssertEqual(o, VQTrainOptions())
        XCTAssertEqual([o.lpipsWeight, o.adversarialWeight, Float(o.discriminatorStart)], [0, 0, 0])
        let json = String(decoding: try JSONEncoder().encode(VQTrainOptions()), as: UTF8.self)
        for key in ["perceptualWeight", "discWeight", "discStart", "discLR", "discChannels", "discLayers"] {
            XCTAssertFalse(json.contains(key), key)
        }
        var p = VQTrainOptions()
        p.apply(.perceptual)
        XCTAssertEqual([p.lpipsWeight, p.adversarialWeight, Float(p.discriminatorStart)], [1, 0.8, 1000])
        let back = try JSONDecoder().decode(VQTrainOptions.self, from: JSONEncoder().encode(p))
        XCTAssertEqual(back, p)
        p.apply(.fidelity)
        XCTAssertEqual(p, VQTrainOptions())
    }

    func testBadPerceptualOptionsAreRefused() throws {
        let config = VQConfig(channels: [8, 8, 8], encoderBlocks: 1, decoderBlocks: 1, groups: 4,
                              codeDim: 4, codebookSize: 16, levels: 3)
        for (change, message) in [({ (o: inout VQTrainOptions) in o.discChannels = 48 }, "multiple of 32"),
                                  ({ $0.crop = 16 }, "at least 31"),
                                  ({ $0.discLayers = 4 }, "too small"),
                                  ({ $0.discWeight = -1 }, "negative"),
                                  ({ $0.discWeight = nil; $0.discAugment = true }, "without a discriminator")] as [((inout VQTrainOptions) -> Void, String)] {
            var o = VQTrainOptions()
            o.crop = 32
            o.apply(.perceptual)
            change(&o)
            XCTAssertThrowsError(try VQTrainer(config: config, options: o)) { XCTAssertTrue("\($0)".contains(message), "\($0)") }
        }
    }

    func testFidelityTrainerHasNoDiscriminatorInItsCheckpoint() throws {
        let t = try tinyTrainer()
        XCTAssertNil(t.discriminator)
        t.trainStep(BatchSampler(pool: syntheticPool(), batch: 2, crop: 32, seed: 3).batch(step: 0))
        let path = try RunCheckpoints.save(t, runDir: try tempDir(), elapsed: 0)
        let names = try SafeTensorsFile.read(from: path).tensors.keys
        XCTAssertFalse(names.contains { $0.hasPrefix("disc.") || $0.hasPrefix("optim.disc.") })
    }

    func testAdversarialTermStartsAtDiscStart() throws {
        let t = try tinyPerceptualTrainer(discStart: 1)
        let sampler = BatchSampler(pool: syntheticPool(), batch: 2, crop: 32, seed: 3)
        let before = t.params.parameters.filter { $0.name.hasPrefix("decoder") }.map(\.value)
        let r0 = t.trainStep(sampler.batch(step: 0))
        XCTAssertGreaterThan(r0.lpips, 0)
        XCTAssertEqual(r0.loss, r0.reconstruction + 0.2 * (1 - r0.msssim) + r0.lpips + 0.25 * r0.commitment, accuracy: 1e-5)
        XCTAssertEqual([r0.generator, r0.discriminator, r0.adaptiveWeight], [0, 0, 0])
        XCTAssertEqual(t.discAdam.step, 0)
        let r1 = t.trainStep(sampler.batch(step: 1))
        XCTAssertGreaterThan(r1.adaptiveWeight, 0)
        XCTAssertGreaterThan(r1.discriminator, 0)
        XCTAssertEqual(r1.loss, r1.reconstruction + 0.2 * (1 - r1.msssim) + r1.lpips + r1.adaptiveWeight * r1.generator
                       + 0.25 * r1.commitment, accuracy: 1e-4)
        XCTAssertEqual(t.discAdam.step, 1)
        XCTAssertEqual(t.discLearningRate, t.learningRate * 2e-4 / 4e-4, accuracy: 1e-9)
        let after = t.params.parameters.filter { $0.name.hasPrefix("decoder") }.map(\.value)
        XCTAssertNotEqual(before, after)
        XCTAssertTrue(t.params.parameters.allSatisfy { $0.value.storage.allSatisfy(\.isFinite) })
    }

    /// The adaptive weight the trainer uses is taming's: the gradient norms of L_nll and L_G at
    /// the decoder's last conv, here recomputed with two separate full backward passes.
    func testAdaptiveWeightMatchesSeparateBackwardPasses() throws {
        let sampler = BatchSampler(pool: syntheticPool(), batch: 2, crop: 32, seed: 3)
        let t = try tinyPerceptualTrainer(discStart: 0)
        let x = sampler.batch(step: 0)
        let r = t.trainStep(x)
        // Fresh twins repeat the step's forward (same k-means initialisation and dropout draws).
        func lastLayerGradNorm(_ loss: (VQTrainer, VQTrainer.Forward) -> Variable) throws -> Double {
            let twin = try tinyPerceptualTrainer(discStart: 0)
            let f = twin.forward(x)
            twin.params.zeroGrad()
            loss(twin, f).backward()
            let g = twin.params["decoder.conv_out.weight"]!.grad!
            return g.storage.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
        }
        let nll = try lastLayerGradNorm { _, f in f.nll }, gen = try lastLayerGradNorm { t, f in t.generatorLoss(f.xhat) }
        XCTAssertGreaterThan(gen, 0)
        XCTAssertEqual(Double(r.adaptiveWeight), min(nll / (gen + 1e-4), 1e4) * 0.8, accuracy: 1e-3 * Double(r.adaptiveWeight))
    }

    /// With `discAugment` both passes show the discriminator augmented images: the same step
    /// without it gives other GAN losses from the same reconstruction, and the generator's loss
    /// recomputed by a twin (same step, so the same draws) is the step's.
    func testDiscriminatorAugmentationReachesBothPasses() throws {
        let x = BatchSampler(pool: syntheticPool(), batch: 2, crop: 32, seed: 3).batch(step: 0)
        let plain = try tinyPerceptualTrainer(discStart: 0).trainStep(x)
        let aug = try tinyPerceptualTrainer(discStart: 0, augment: true).trainStep(x)
        XCTAssertEqual(aug.reconstruction, plain.reconstruction)
        XCTAssertNotEqual(aug.generator, plain.generator)
        XCTAssertNotEqual(aug.discriminator, plain.discriminator)
        let twin = try tinyPerceptualTrainer(discStart: 0, augment: true)
        XCTAssertEqual(twin.generatorLoss(twin.forward(x).xhat).value.item, aug.generator, accuracy: 1e-6)
    }

    func testPerceptualResumeReproducesUninterruptedTraining() throws {
        for augment in [false, true] { try checkResume(augment: augment) }
    }

    func checkResume(augment: Bool) throws {
        let sampler = BatchSampler(pool: syntheticPool(), batch: 2, crop: 32, seed: 3)
        let straight = try tinyPerceptualTrainer(augment: augment)
        var losses: [Float] = []
        for s in 0..<4 { losses.append(straight.trainStep(sampler.batch(step: s)).loss) }

        let dir = try tempDir()
        let first = try tinyPerceptualTrainer(augment: augment)
        for s in 0..<2 { first.trainStep(sampler.batch(step: s)) }
        let path = try RunCheckpoints.save(first, runDir: dir, elapsed: 1)
        let names = try SafeTensorsFile.read(from: path).tensors.keys
        XCTAssertTrue(names.contains("disc.conv0.weight") && names.contains("optim.disc.m.disc.conv0.weight"))
        let (resumed, _) = try RunCheckpoints.restore(path, as: VQTrainer.self)
        XCTAssertEqual(resumed.options, first.options)
        XCTAssertEqual(resumed.discAdam.step, 1)
        resumed.perceptual = try randomLPIPS(seed: 9)
        var resumedLosses: [Float] = []
        for s in 2..<4 { resumedLosses.append(resumed.trainStep(sampler.batch(step: s)).loss) }
        XCTAssertEqual(resumedLosses, Array(losses[2...]))
        for (a, b) in zip(straight.trainedParameters.parameters, resumed.trainedParameters.parameters) {
            XCTAssertEqual(a.value, b.value, "\(a.name) differs after resume")
        }
        XCTAssertEqual(straight.discAdam.m, resumed.discAdam.m)
        XCTAssertEqual(straight.rng, resumed.rng)
    }

    func testLogHasThePerceptualColumns() throws {
        let dir = try tempDir()
        let t = try tinyPerceptualTrainer(steps: 3, discStart: 2)
        var driver = TrainingDriver(runDir: dir)
        driver.logEvery = 1
        var lines: [String] = []
        let run = VQTrainingRun(trainer: t, sampler: BatchSampler(pool: syntheticPool(), batch: 2, crop: 32, seed: 3))
        try driver.run(run, elapsed: 0) { lines.append($0) }
        let csv = try String(contentsOfFile: dir + "/log.csv", encoding: .utf8).split(separator: "\n").map(String.init)
        XCTAssertTrue(csv[0].hasPrefix("step,seconds,lr,loss,rec,msssim,commit,lpips,gan_g,gan_d,adaptive_weight,psnr_p1"), csv[0])
        let before = csv[2].split(separator: ",", omittingEmptySubsequences: false), after = csv[3].split(separator: ",", omittingEmptySubsequences: false)
        XCTAssertEqual(before[8...10].joined(separator: ","), ",,")
        XCTAssertFalse(after[10].isEmpty)
        XCTAssertTrue(lines.contains { $0.contains("adaptive_weight") }, lines.joined(separator: "\n"))
    }

    func testTrainingWithoutTheLPIPSNetworkIsAnError() throws {
        let t = try tinyPerceptualTrainer()
        t.perceptual = nil
        let run = VQTrainingRun(trainer: t, sampler: BatchSampler(pool: syntheticPool(), batch: 2, crop: 32, seed: 3))
        XCTAssertThrowsError(try run.trainStep()) { XCTAssertTrue("\($0)".contains("LPIPS"), "\($0)") }
        XCTAssertThrowsError(try t.loadPerceptualLoss(path: "/nonexistent/alex.safetensors")) {
            XCTAssertTrue("\($0)".contains("make lpips"), "\($0)")
        }
    }

    func testInitFromShippedWeights() throws {
        let sampler = BatchSampler(pool: syntheticPool(), batch: 2, crop: 32, seed: 3)
        let trained = try tinyTrainer()
        for s in 0..<2 { trained.trainStep(sampler.batch(step: s)) }
        let file = try SafeTensorsFile.parse(trained.exportWeights().serialized())
        let t = try tinyPerceptualTrainer()
        try t.initialize(from: file, path: "vq.safetensors")
        XCTAssertTrue(t.codebooks.isInitialized)
        for p in trained.params.parameters where !p.name.hasPrefix("quantizer.") || p.name.hasSuffix(".codebook") {
            XCTAssertEqual(t.params[p.name]!.value, p.value, p.name)
        }
        let x = sampler.batch(step: 5)
        XCTAssertEqual(t.psnr(x, prefixes: [1, 3]), trained.psnr(x, prefixes: [1, 3]))
        // The first EMA update keeps the codebooks close (uniform counts of 2·4·4/16 = 2 per code).
        XCTAssertEqual(t.params["quantizer.level0.ema_count"]!.value.storage[0], 2)
        t.trainStep(sampler.batch(step: 0))

        var other = VQTrainOptions()
        other.crop = 32
        let wider = try VQTrainer(config: VQConfig(channels: [8, 8, 16], encoderBlocks: 1, decoderBlocks: 1, groups: 4,
                                                   codeDim: 4, codebookSize: 16, levels: 3), options: other)
        XCTAssertThrowsError(try wider.initialize(from: file, path: "vq.safetensors")) { XCTAssertTrue("\($0)".contains("differs"), "\($0)") }
        let decoderOnly = try SafeTensorsFile.parse(trained.exportWeights(includeEncoder: false).serialized())
        XCTAssertThrowsError(try t.initialize(from: decoderOnly, path: "dec.safetensors")) { XCTAssertTrue("\($0)".contains("encoder"), "\($0)") }
    }

    func testInitFromShippedWeightsIntoADeeperNetwork() throws {
        let sampler = BatchSampler(pool: syntheticPool(), batch: 2, crop: 32, seed: 3)
        let trained = try tinyTrainer()
        for s in 0..<2 { trained.trainStep(sampler.batch(step: s)) }
        let file = try SafeTensorsFile.parse(trained.exportWeights().serialized())
        func trainer(encoderBlocks: Int, decoderBlocks: Int) throws -> VQTrainer {
            var config = trained.config
            config.encoderBlocks = encoderBlocks; config.decoderBlocks = decoderBlocks
            return try VQTrainer(config: config, options: trained.options)
        }
        // Added blocks start as identities: the deeper network decodes exactly what the file does.
        let deeper = try trainer(encoderBlocks: 2, decoderBlocks: 3)
        try deeper.initialize(from: file, path: "vq.safetensors")
        let x = sampler.batch(step: 5)
        XCTAssertEqual(deeper.psnr(x, prefixes: [1, 3]), trained.psnr(x, prefixes: [1, 3]))
        XCTAssertTrue(deeper.params["decoder.stage1.block2.conv2.weight"]!.value.storage.allSatisfy { $0 == 0 })
        XCTAssertTrue(deeper.params["decoder.stage1.block2.conv1.weight"]!.value.storage.contains { $0 != 0 },
                      "only the second conv is zeroed, so the block can learn")
        // ... and they train: one step moves the added blocks' zeroed conv.
        deeper.trainStep(sampler.batch(step: 0))
        XCTAssertTrue(deeper.params["decoder.stage1.block2.conv2.weight"]!.value.storage.contains { $0 != 0 })
        // Fewer blocks than the file is not a deepening.
        let shallower = try trainer(encoderBlocks: 0, decoderBlocks: 1)
        XCTAssertThrowsError(try shallower.initialize(from: file, path: "vq.safetensors")) {
            XCTAssertTrue("\($0)".contains("only added blocks"), "\($0)")
        }
    }
}
