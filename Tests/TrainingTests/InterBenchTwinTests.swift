import Foundation
import Models
import Training
import ToolTesting
import XCTest

/// `dcvc-bench train --model inter` and its PyTorch twin (scripts/torch_inter_twin.py): the bench
/// times the real trainer's step, and the twin has the model's parameter count.
final class InterBenchTwinTests: XCTestCase {
    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// Parameters of the default P-frame model, as the trainer registers them.
    static func trainerParams() throws -> Int {
        var o = InterTrainOptions.defaults(stage: 4)
        o.batch = 1; o.crop = 64; o.pFrames = 1
        return try InterTrainer(config: InterConfig(), options: o).params.scalarCount
    }

    /// One small timed step without PyTorch: the JSON names the model and its real parameter count.
    func testBenchTimesTheTrainerStepOnTheFixedBatch() throws {
        let tool = try ToolRunner("dcvc-bench", from: Self.self)
        let r = try tool.run(["train", "--model", "inter", "--no-torch", "--batch", "1", "--crop", "64",
                              "--p-frames", "1", "--steps", "1", "--warmup", "0", "--threads", "1", "--json"])
        XCTAssertEqual(r.status, 0, r.err)
        let obj = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any], r.out)
        XCTAssertEqual(obj["model"] as? String, "inter")
        XCTAssertEqual(obj["p_frames"] as? Int, 1)
        XCTAssertEqual(obj["params"] as? Int, try Self.trainerParams())
        XCTAssertGreaterThan(try XCTUnwrap(obj["ours_step_s"] as? Double), 0)
        XCTAssertTrue(obj["ratio"] is NSNull)
    }

    /// The twin mirrors the model layer for layer: same parameter count (skipped without
    /// Debian's python3-torch, scripts/install-torch.sh).
    func testTorchTwinHasTheModelsParameterCount() throws {
        let python = "/usr/bin/python3"
        guard FileManager.default.isExecutableFile(atPath: python) else { throw XCTSkip("no \(python)") }
        let script = Self.repoRoot.appendingPathComponent("scripts/torch_inter_twin.py").path
        let r = try ToolRunner(url: URL(fileURLWithPath: python)).run([script, "--params-only"])
        if r.status != 0, r.err.contains("No module named 'torch'") { throw XCTSkip("python3-torch is not installed") }
        XCTAssertEqual(r.status, 0, r.err)
        let obj = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any], r.out)
        XCTAssertEqual(obj["params"] as? Int, try Self.trainerParams())
    }
}
