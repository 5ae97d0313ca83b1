import Foundation
import Models
import Tensor
import Training
import XCTest

final class TrainingDriverTests: XCTestCase {
    typealias Fixture = TransformerPriorTrainerTests

    func tempDir(_ name: String) -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(getpid())").path
        try? FileManager.default.removeItem(atPath: dir)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: dir) }
        return dir
    }

    func trainer(steps: Int) throws -> TransformerPriorTrainer {
        var o = Fixture.options(); o.steps = steps
        return try TransformerPriorTrainer(config: Fixture.config, options: o)
    }

    /// A run stopped after 4 steps and resumed from its checkpoint ends with the weights, RNG and
    /// log of the run that was never stopped; checkpoints fall on the step interval.
    func testStopAndResumeMatchesAnUninterruptedRun() throws {
        let data = Fixture.dataset()
        let straightDir = tempDir("driver-straight")
        var driver = TrainingDriver(runDir: straightDir)
        driver.logEvery = 2; driver.checkpointSeconds = nil; driver.checkpointSteps = 3
        let straight = try trainer(steps: 8)
        try driver.run(TransformerPriorRun(trainer: straight, data: data), elapsed: 0, progress: { _ in })
        XCTAssertEqual(RunCheckpoints.list(straightDir).map { ($0 as NSString).lastPathComponent },
                       ["ckpt-00000006.safetensors", "ckpt-00000008.safetensors"])

        let dir = tempDir("driver-resumed")
        driver.runDir = dir
        driver.stopAfter = 4
        try driver.run(TransformerPriorRun(trainer: try trainer(steps: 8), data: data), elapsed: 0, progress: { _ in })
        XCTAssertEqual(RunCheckpoints.list(dir).last.map { ($0 as NSString).lastPathComponent }, "ckpt-00000004.safetensors")
        let (resumed, _) = try XCTUnwrap(RunCheckpoints.resumed(TransformerPriorTrainer.self, runDir: dir, resume: true,
                                                                steps: nil, log: { _ in }))
        XCTAssertEqual(resumed.step, 4)
        driver.stopAfter = nil
        try driver.run(TransformerPriorRun(trainer: resumed, data: data), elapsed: 0, progress: { _ in })
        XCTAssertEqual(resumed.step, 8)
        for (a, b) in zip(straight.network.params.parameters, resumed.network.params.parameters) {
            XCTAssertEqual(a.value, b.value, "\(a.name) differs after resume")
        }
        XCTAssertEqual(straight.rng, resumed.rng)
        func losses(_ d: String) throws -> [String] {
            try String(contentsOfFile: d + "/log.csv", encoding: .utf8).split(separator: "\n")
                .map { $0.split(separator: ",", omittingEmptySubsequences: false).enumerated().filter { $0.offset != 1 }
                    .map { String($0.element) }.joined(separator: ",") }   // all but the seconds
        }
        XCTAssertEqual(try losses(dir), try losses(straightDir))
        XCTAssertEqual(try losses(dir).count, 5)   // header, steps 2, 4, 6, 8
    }

    func testLossPlotHasOnePanelPerColumnGroup() throws {
        let csv = """
            step,seconds,lr,loss,psnr_p1,psnr_p2,held_bits_l0,held_bits_mean,dead_l0
            2,1.0,0.001,0.5,20.1,22.4,,,3
            4,2.0,0.001,0.4,21.0,23.5,5.1,5.1,0
            """
        let svg = try XCTUnwrap(LossPlot.svg(csv: csv, title: "run <1>"))
        XCTAssertEqual(svg.components(separatedBy: "<g class=\"panel\">").count - 1, 4)   // loss, psnr, held_bits, dead
        XCTAssertEqual(svg.components(separatedBy: "<polyline").count - 1, 6)
        XCTAssertTrue(svg.contains("run &lt;1&gt;"))
        XCTAssertEqual(LossPlot.group("latent_db_p4"), "latent_db")
        XCTAssertEqual(LossPlot.group("msssim"), "msssim")
        XCTAssertNil(LossPlot.svg(csv: "step,seconds,lr,loss\n", title: "empty"))
    }

    func testDriverWritesTheLossPlotBesideTheLog() throws {
        let dir = tempDir("driver-plot")
        var driver = TrainingDriver(runDir: dir)
        driver.logEvery = 1
        try driver.run(TransformerPriorRun(trainer: try trainer(steps: 3), data: Fixture.dataset()), elapsed: 0,
                       progress: { _ in })
        let svg = try String(contentsOfFile: driver.plotPath, encoding: .utf8)
        XCTAssertTrue(svg.contains("bits_l1"))
        XCTAssertEqual(svg.components(separatedBy: "<g class=\"panel\">").count - 1, 1)   // bits and bits_l*
    }
}
