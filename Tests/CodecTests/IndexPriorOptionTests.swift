import Foundation
import Media
import ToolTesting
import XCTest

/// `dcvc-enc --index-prior` with the shipped weights: the default picks the model's context
/// prior, `none` turns it off, and a wrong name or a prior of another model is a clear error.
final class IndexPriorOptionTests: XCTestCase {
    private let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    private var dir: String!

    override func setUpWithError() throws {
        dir = NSTemporaryDirectory() + "prior-option-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let y4m = try Y4MWriter(path: dir + "/in.y4m", header: Y4MHeader(width: 48, height: 32, frameRate: FrameRate(25),
                                                                          chroma: .c420jpeg, colorRange: .limited))
        var luma = [UInt8](repeating: 0, count: 48 * 32)
        for i in 0..<luma.count { luma[i] = UInt8(16 + (i % 48) * 3 + (i / 48) * 2) }
        try y4m.write(VideoFrame(width: 48, height: 32, format: .yuv420p, y: luma,
                                 u: [UInt8](repeating: 120, count: 24 * 16), v: [UInt8](repeating: 136, count: 24 * 16)))
        try y4m.close()
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: dir) }

    private func encode(_ extra: [String]) throws -> (status: Int32, err: String, tools: [String: Any]) {
        let out = dir + "/o-\(UUID().uuidString).dcv"
        let r = try ToolRunner("dcvc-enc", from: Self.self).run(
            [dir + "/in.y4m", "-o", out, "--weights", root.appendingPathComponent("weights").path] + extra)
        guard r.status == 0 else { return (r.status, r.err, [:]) }
        let info = try ToolRunner("dcvc-info", from: Self.self).run(["--json", out])
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(info.out.utf8)) as? [String: Any])
        let tools = try XCTUnwrap((json["sequence"] as? [String: Any])?["tools"] as? [String: Any])
        return (r.status, r.err, tools)
    }

    func testDefaultUsesTheModelsContextPriorAndNoneTurnsItOff() throws {
        let auto = try encode(["--rvq-layers", "2"])
        XCTAssertEqual(auto.status, 0, auto.err)
        XCTAssertEqual(auto.tools["index_prior"] as? String, "ctx-f8")
        XCTAssertEqual(auto.tools["index_model"] as? String, "learned-prior-v1")
        let none = try encode(["--rvq-layers", "2", "--index-prior", "none"])
        XCTAssertEqual(none.status, 0, none.err)
        XCTAssertNil(none.tools["index_prior"])
        XCTAssertEqual(none.tools["index_model"] as? String, "uniform-or-adaptive-v1")
    }

    /// The fine-tuned tokenizers (perceptual, MSE) are models of their own: the stream names
    /// them, their default prior is theirs, and the base model's prior is refused for them (and
    /// theirs for it).
    func testPerceptualModelsHaveTheirOwnPriors() throws {
        for (model, prior, other, otherModel) in [("vqgan-f8-perceptual", "ctx-f8-perceptual", "ctx-f8", "vqgan-f8"),
                                                  ("vqgan-f16-perceptual", "ctx-f16-perceptual", "ctx-f16", "vqgan-f16"),
                                                  ("vqgan-f8-mse", "ctx-f8-mse", "ctx-f8", "vqgan-f8"),
                                                  ("vqgan-f8-mse-deep", "ctx-f8-mse-deep", "ctx-f8-mse", "vqgan-f8-mse"),
                                                  ("vqgan-f8-yuv", "ctx-f8-yuv", "ctx-f8-mse-deep", "vqgan-f8-mse-deep"),
                                                  ("vqgan-f8-rgb", "ctx-f8-rgb", "ctx-f8-yuv", "vqgan-f8-yuv"),
                                                  ("vqgan-f8-mix", "ctx-f8-mix", "ctx-f8-rgb", "vqgan-f8-rgb"),
                                                  ("vqgan-f8-mix-usage", "ctx-f8-mix-usage", "ctx-f8-mix", "vqgan-f8-mix")] {
            let auto = try encode(["--rvq-layers", "2", "--model", model])
            XCTAssertEqual(auto.status, 0, auto.err)
            XCTAssertEqual(auto.tools["intra_model"] as? String, model)
            XCTAssertEqual(auto.tools["index_prior"] as? String, prior)
            let wrong = try encode(["--model", model, "--index-prior", other])
            XCTAssertEqual(wrong.status, 1)
            XCTAssertTrue(wrong.err.contains("trained for \(otherModel), not \(model)"), wrong.err)
        }
        let fidelity = try encode(["--index-prior", "ctx-f8-perceptual"])
        XCTAssertEqual(fidelity.status, 1)
        XCTAssertTrue(fidelity.err.contains("trained for vqgan-f8-perceptual"), fidelity.err)
    }

    /// Each perceptual tokenizer, and vqgan-f8-yuv, -mix and -mix-usage, has a temporal prior of its
    /// own, used only when asked for (the default stays the spatial prior, checked above) and
    /// refused for the other tokenizers.
    func testFineTunedTemporalPriorsAreTheirModels() throws {
        for (model, prior, other) in [("vqgan-f8-perceptual", "ctx-f8-perceptual-temporal", "vqgan-f8"),
                                      ("vqgan-f16-perceptual", "ctx-f16-perceptual-temporal", "vqgan-f8-perceptual"),
                                      ("vqgan-f8-yuv", "ctx-f8-yuv-temporal", "vqgan-f8-mse-deep"),
                                      ("vqgan-f8-mix", "ctx-f8-mix-temporal", "vqgan-f8-rgb"),
                                      ("vqgan-f8-mix-usage", "ctx-f8-mix-usage-temporal", "vqgan-f8-mix")] {
            let named = try encode(["--rvq-layers", "2", "--model", model, "--index-prior", prior])
            XCTAssertEqual(named.status, 0, named.err)
            XCTAssertEqual(named.tools["index_prior"] as? String, prior)
            let wrong = try encode(["--model", other, "--index-prior", prior])
            XCTAssertEqual(wrong.status, 1)
            XCTAssertTrue(wrong.err.contains("trained for \(model), not \(other)"), wrong.err)
        }
    }

    func testUnknownOrMismatchedPriorIsAnError() throws {
        let bogus = try encode(["--index-prior", "bogus"])
        XCTAssertEqual(bogus.status, 1)
        XCTAssertTrue(bogus.err.contains("unknown index prior"), bogus.err)
        let other = try encode(["--index-prior", "ctx-f16"])
        XCTAssertEqual(other.status, 1)
        XCTAssertTrue(other.err.contains("trained for vqgan-f16"), other.err)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".dcv") }, [],
                       "nothing left behind")
    }
}
