import Codec
import CodecEncoder
import Foundation
import Models
import ModelsTraining
import Tensor
import XCTest

final class TransformerIndexPriorTests: XCTestCase {
    /// A tiny randomly initialised prior (no trained weights needed).
    static func tinyPrior() throws -> (TransformerIndexPrior, IndexTransformer) {
        var rng = RNG(seed: 21)
        let config = IndexTransformerConfig(levels: 3, codebookSize: 32, dModel: 16, layers: 2, heads: 2, mlpRatio: 2,
                                            rowsAbove: 2, columns: 2)
        let net = try IndexTransformer(config: config, rng: &rng)
        for p in net.params.parameters {
            let noise = rng.normalTensor(p.shape, std: 0.5)
            for i in 0..<p.value.count { p.value.storage[i] += noise.storage[i] }
        }
        return (TransformerIndexPrior(network: net), net)
    }

    /// Planes with spatial structure, so a prior's logits matter.
    static func planes(width: Int, height: Int, levels: Int, k: Int) -> [[Int32]] {
        var rng = RNG(seed: 4)
        return (0..<levels).map { l in
            (0..<(width * height)).map { i in
                let x = i % width, y = i / width
                return Int32(((x / 3 + y / 2) * (l + 1) + (rng.int(below: 4) == 0 ? rng.int(below: k) : 0)) % k)
            }
        }
    }

    func testRoundTripThroughRans() throws {
        let (prior, _) = try Self.tinyPrior()
        XCTAssertEqual(prior.name, "tf-d16x2")
        let (w, h) = (9, 7)
        let planes = Self.planes(width: w, height: h, levels: prior.levels, k: prior.codebookSize)
        var streams: [Int: [[UInt8]]] = [:]
        for threads in [1, 2] {
            var decoded: [[Int32]] = []
            for l in 0..<prior.levels {
                let e = try PriorPlaneCoder.encode(prior: prior, level: l, width: w, height: h, planes: planes, threads: threads,
                                                   estimate: true)
                XCTAssertGreaterThan(try XCTUnwrap(e.estimatedBits), 0)
                streams[threads, default: []].append(e.bytes)
                decoded.append(try PriorPlaneCoder.decode(e.bytes, prior: prior, level: l, width: w, height: h,
                                                          lower: decoded, threads: threads))
            }
            XCTAssertEqual(decoded, planes, "threads \(threads)")
        }
        XCTAssertEqual(streams[1], streams[2], "bytes differ between thread counts")
        // The prior's logits shape the code: a different plane gives different bytes.
        var other = planes
        other[0][5] = (other[0][5] + 1) % Int32(prior.codebookSize)
        let e = try PriorPlaneCoder.encode(prior: prior, level: 0, width: w, height: h, planes: other, threads: 1)
        XCTAssertNotEqual(e.bytes, streams[1]![0])
    }

    func testLoadsWeightFileAndNamesIt() throws {
        let (_, net) = try Self.tinyPrior()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tf-prior-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("prior-test.safetensors").path
        try net.weightsFile().write(to: path)
        let prior = try TransformerIndexPrior(path: path)
        XCTAssertEqual(prior.weightRef.name, "prior-test.safetensors")
        XCTAssertEqual(prior.weightRef.sha256, SHA256Hex.bytes(try SafeTensorsFile.sha256Hex(ofFile: path)))
        XCTAssertEqual(prior.levels, 3); XCTAssertEqual(prior.codebookSize, 32)
        XCTAssertThrowsError(try prior.code(level: 3, width: 2, height: 2, lower: [], threads: 1) { _, _ in 0 })
        XCTAssertThrowsError(try TransformerIndexPrior(path: dir.appendingPathComponent("missing").path))
    }
}

extension TransformerIndexPriorTests {
    func testShippedWeightsCodeAllLevels() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("weights/prior-tf-f8.safetensors").path
        let prior = try TransformerIndexPrior(path: path)
        XCTAssertEqual(prior.name, "tf-d64x2")
        XCTAssertEqual(prior.levels, 8); XCTAssertEqual(prior.codebookSize, 256)
        let (w, h) = (6, 4)
        let planes = Self.planes(width: w, height: h, levels: 8, k: 256)
        var decoded: [[Int32]] = []
        for l in 0..<8 {
            let e = try PriorPlaneCoder.encode(prior: prior, level: l, width: w, height: h, planes: planes, threads: 1)
            decoded.append(try PriorPlaneCoder.decode(e.bytes, prior: prior, level: l, width: w, height: h,
                                                      lower: decoded, threads: 1))
        }
        XCTAssertEqual(decoded, planes)
    }
}

/// Hex string to bytes (test helper).
enum SHA256Hex {
    static func bytes(_ hex: String) -> [UInt8] {
        var out: [UInt8] = [], chars = Array(hex.utf8)
        while chars.count >= 2 { out.append(UInt8(String(decoding: chars[0..<2], as: UTF8.self), radix: 16)!); chars.removeFirst(2) }
        return out
    }
}
