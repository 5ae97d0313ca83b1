import Foundation
import Models
import ModelsTraining
import Tensor
import TensorTraining
import Training
import XCTest

func tinyTrainer(steps: Int = 10) throws -> VQTrainer {
    let config = VQConfig(channels: [8, 8, 8], encoderBlocks: 1, decoderBlocks: 1, groups: 4,
                          codeDim: 4, codebookSize: 16, levels: 3)
    var o = VQTrainOptions()
    o.steps = steps; o.batch = 2; o.crop = 32; o.warmup = 2; o.seed = 11
    return try VQTrainer(config: config, options: o)
}

/// A pool of synthetic gradient images (no files needed).
func syntheticPool() -> FramePool {
    var rng = RNG(seed: 5)
    let frames = (0..<3).map { _ -> FrameImage in
        let w = 48, h = 40
        let rgb = (0..<3 * w * h).map { i -> UInt8 in UInt8(((i % w) * 4 + (i / w % h) * 2 + rng.int(below: 20)) % 256) }
        return FrameImage(width: w, height: h, rgb: rgb)
    }
    return FramePool(frames: frames, labels: ["a", "b", "c"])
}

final class VQTrainerTests: XCTestCase {
    override func setUp() { TrainingKernels.threads = 1 }

    func tempDir() throws -> String {
        let d = FileManager.default.temporaryDirectory.appendingPathComponent("vqtrain-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: d) }
        return d
    }

    func testResumeReproducesUninterruptedTraining() throws {
        let sampler = BatchSampler(pool: syntheticPool(), batch: 2, crop: 32, seed: 3)
        let straight = try tinyTrainer()
        var losses: [Float] = []
        for s in 0..<4 { losses.append(straight.trainStep(sampler.batch(step: s)).loss) }

        let dir = try tempDir()
        let first = try tinyTrainer()
        for s in 0..<2 { first.trainStep(sampler.batch(step: s)) }
        let path = try RunCheckpoints.save(first, runDir: dir, elapsed: 1)
        let (resumed, elapsed) = try RunCheckpoints.restore(path, as: VQTrainer.self)
        XCTAssertEqual(elapsed, 1)
        XCTAssertEqual(resumed.options, first.options)
        XCTAssertEqual(resumed.step, 2)
        XCTAssertTrue(resumed.codebooks.isInitialized)
        var resumedLosses: [Float] = []
        for s in 2..<4 { resumedLosses.append(resumed.trainStep(sampler.batch(step: s)).loss) }
        XCTAssertEqual(resumedLosses, Array(losses[2...]))
        for (a, b) in zip(straight.params.parameters, resumed.params.parameters) {
            XCTAssertEqual(a.value, b.value, "\(a.name) differs after resume")
        }
        XCTAssertEqual(straight.rng, resumed.rng)
    }

    func testCheckpointRotationKeepsNewestTwo() throws {
        let dir = try tempDir()
        let t = try tinyTrainer()
        let sampler = BatchSampler(pool: syntheticPool(), batch: 2, crop: 32, seed: 3)
        for s in 0..<3 {
            t.trainStep(sampler.batch(step: s))
            _ = try RunCheckpoints.save(t, runDir: dir, elapsed: Double(s))
        }
        XCTAssertEqual(RunCheckpoints.list(dir).map { ($0 as NSString).lastPathComponent },
                       ["ckpt-00000002.safetensors", "ckpt-00000003.safetensors"])
    }

    func testTrainingLoopLogsAndExportedWeightsDecodeLikeTheTrainer() throws {
        let dir = try tempDir()
        let t = try tinyTrainer(steps: 4)
        var driver = TrainingDriver(runDir: dir)
        driver.logEvery = 2
        var lines: [String] = []
        let run = VQTrainingRun(trainer: t, sampler: BatchSampler(pool: syntheticPool(), batch: 2, crop: 32, seed: 3))
        try driver.run(run, elapsed: 0) { lines.append($0) }
        let csv = try String(contentsOfFile: dir + "/log.csv", encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(csv.count, 3)
        XCTAssertTrue(csv[0].hasPrefix("step,seconds,lr,loss,rec,msssim,commit,psnr_p1,psnr_p2,latent_db_p1,latent_db_p2,ppl_l0"))
        XCTAssertTrue(csv[2].hasPrefix("4,"))
        XCTAssertEqual(RunCheckpoints.list(dir).count, 1)

        // Shipped weights: config in metadata, decoder on deterministic kernels close to training.
        let file = t.exportWeights()
        let tok = try VQTokenizer(file: try SafeTensorsFile.parse(file.serialized()), path: "mem")
        XCTAssertEqual(tok.config, t.config)
        var rng = RNG(seed: 8)
        let x = rng.uniformTensor([1, 3, 16, 24])
        let idx = tok.encode(x)
        XCTAssertEqual(idx.count, 3)
        XCTAssertEqual(idx[0].count, 2 * 3)
        for levels in 1...3 {
            let y1 = tok.decode(indices: idx, levels: levels, n: 1, height: 2, width: 3, threads: 1)
            let y2 = tok.decode(indices: idx, levels: levels, n: 1, height: 2, width: 3, threads: 2)
            XCTAssertEqual(y1, y2)
            XCTAssertEqual(tok.gains, t.codebooks.quantizer.levelGains)
            let z = tok.quantizer.decoderInput(indices: idx, prefix: [levels], gains: tok.gains, height: 2, width: 3)
            let ref = t.network.decode(Variable(z), TrainingBackend(params: t.params)).value
            XCTAssertLessThan(zip(y1.storage, ref.storage).map { abs($0 - $1) }.max()!, 1e-4)
        }
        var noEncoder = t.exportWeights(includeEncoder: false)
        XCTAssertNil(try VQTokenizer(file: noEncoder, path: "mem").encoderWeights)
        noEncoder.tensors.removeValue(forKey: ResidualQuantizer.codebookName(2))
        XCTAssertThrowsError(try VQTokenizer(file: noEncoder, path: "mem"))
    }

    /// The yuv611 loss is (6 MSE_Y + MSE_Cb + MSE_Cr) / 8 of the reconstruction in BT.601 YCbCr,
    /// mse+yuv611 the mean of that and the RGB MSE, and an unknown loss name is refused rather than
    /// read as L1.
    func testYUV611ReconstructionLossWeighsLumaSixToOne() throws {
        let config = VQConfig(channels: [8, 8, 8], encoderBlocks: 1, decoderBlocks: 1, groups: 4,
                              codeDim: 4, codebookSize: 16, levels: 3)
        var o = VQTrainOptions()
        o.batch = 2; o.crop = 32; o.seed = 11; o.reconstruction = "yuv611"
        let t = try VQTrainer(config: config, options: o)
        var rng = RNG(seed: 3)
        let x = Tensor(shape: [2, 3, 32, 32], storage: (0..<2 * 3 * 32 * 32).map { _ in rng.uniform() })
        let f = t.forward(x)
        let xhat = f.xhat.value.storage, plane = 32 * 32
        var sums = [Double](repeating: 0, count: 3)
        for n in 0..<2 {
            for i in 0..<plane {
                let d = (0..<3).map { Double(xhat[(n * 3 + $0) * plane + i] - x.storage[(n * 3 + $0) * plane + i]) }
                let y = 0.299 * d[0] + 0.587 * d[1] + 0.114 * d[2]
                let cb = -0.168736 * d[0] - 0.331264 * d[1] + 0.5 * d[2]
                let cr = 0.5 * d[0] - 0.418688 * d[1] - 0.081312 * d[2]
                sums[0] += y * y; sums[1] += cb * cb; sums[2] += cr * cr
            }
        }
        let expected = (6 * sums[0] + sums[1] + sums[2]) / 8 / Double(2 * plane)
        XCTAssertEqual(Double(f.reconstruction.value.item), expected, accuracy: expected * 1e-4)
        let rgb = zip(xhat, x.storage).reduce(0.0) { $0 + Double(($1.0 - $1.1) * ($1.0 - $1.1)) } / Double(xhat.count)
        XCTAssertGreaterThan(abs(expected - rgb), expected * 0.05, "the test image must tell the two losses apart")
        // mse+yuv611 is their mean, on the same reconstruction (same seed, same initial weights).
        o.reconstruction = "mse+yuv611"
        let mixed = try VQTrainer(config: config, options: o).forward(x)
        XCTAssertEqual(mixed.xhat.value.storage, xhat)
        XCTAssertEqual(Double(mixed.reconstruction.value.item), (expected + rgb) / 2, accuracy: expected * 1e-4)
        o.reconstruction = "l2"
        XCTAssertThrowsError(try VQTrainer(config: config, options: o))
    }
}
