import Foundation
import Models
import ModelsTraining
import Tensor
import Training
import XCTest

final class TransformerPriorTrainerTests: XCTestCase {
    /// Grids where each level-0 index repeats its left neighbour most of the time and level 1
    /// copies level 0: learnable context.
    static func dataset() -> TokenDataset {
        var rng = RNG(seed: 3)
        let grids = (0..<3).map { _ -> TokenGrid in
            let (w, h) = (10, 8)
            var p0 = [Int32](repeating: 0, count: w * h)
            for i in 0..<(w * h) { p0[i] = i % w > 0 && rng.int(below: 5) > 0 ? p0[i - 1] : Int32(rng.int(below: 8)) }
            return TokenGrid(width: w, height: h, planes: [p0, p0])
        }
        return TokenDataset(grids: grids, levels: 2, codebookSize: 8)
    }

    static let config = IndexTransformerConfig(levels: 2, codebookSize: 8, dModel: 16, layers: 1, heads: 2, mlpRatio: 2,
                                               rowsAbove: 1, columns: 1)

    static func options() -> TransformerPriorOptions {
        var o = TransformerPriorOptions()
        o.steps = 60; o.batch = 4; o.crop = 6; o.lr = 1e-2; o.warmup = 5
        return o
    }

    func testLossFallsBelowUniform() throws {
        let data = Self.dataset()
        let t = try TransformerPriorTrainer(config: Self.config, options: Self.options())
        var first = 0.0, last = 0.0
        for s in 0..<60 {
            let r = t.trainStep(t.sample(data))
            XCTAssertEqual(r.levelCount.reduce(0, +), 4 * 36)
            if s < 5 { first += r.bits / 5 }
            if s >= 55 { last += r.bits / 5 }
        }
        XCTAssertGreaterThan(first, 2.5)   // about log2(8) = 3 bits at the start
        XCTAssertLessThan(last, 1.8)
    }

    func testCheckpointResumesTheSameRun() throws {
        let data = Self.dataset()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tprior-run-\(getpid())").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var driver = TrainingDriver(runDir: dir)
        driver.logEvery = 5
        var opts = Self.options(); opts.steps = 10
        let a = try TransformerPriorTrainer(config: Self.config, options: opts)
        try driver.run(TransformerPriorRun(trainer: a, data: data), elapsed: 0, progress: { _ in })
        XCTAssertEqual(a.step, 10)
        let (b, _) = try RunCheckpoints.restore(RunCheckpoints.list(dir).last!, as: TransformerPriorTrainer.self)
        XCTAssertEqual(b.step, 10)
        XCTAssertEqual(a.trainStep(a.sample(data)).bits, b.trainStep(b.sample(data)).bits)
        let csv = try String(contentsOfFile: (dir as NSString).appendingPathComponent("log.csv"), encoding: .utf8)
        XCTAssertEqual(csv.split(separator: "\n").count, 3)   // header, steps 5 and 10
        XCTAssertTrue(csv.hasPrefix("step,seconds,lr,bits,bits_l0,bits_l1"))
    }
}
