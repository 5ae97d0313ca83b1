import Models
import ModelsTraining
import Tensor
import TensorTraining
import Training
import XCTest

final class CodebookTrainerTests: XCTestCase {
    /// Unit-norm toy latents in a few clusters with per-row jitter.
    func toyRows(_ m: Int, dim: Int, seed: UInt64) -> Tensor {
        var rng = RNG(seed: seed)
        let centres = rng.normalTensor([6, dim])
        var t = Tensor.zeros([m, dim])
        for i in 0..<m {
            let c = rng.int(below: 6)
            var s: Float = 0
            for j in 0..<dim { let v = centres.storage[c * dim + j] + 0.3 * rng.normal(); t.storage[i * dim + j] = v; s += v * v }
            for j in 0..<dim { t.storage[i * dim + j] /= s.squareRoot() }
        }
        return t
    }

    func latentError(_ q: ResidualQuantizer, _ rows: Tensor, prefix: Int) -> Float {
        let (idx, res) = q.encode(rows: rows)
        let after = prefix < q.levels ? res[prefix] : {
            var r = res[prefix - 1]
            let c = TrainingKernels.gatherRows(q.codebooks[prefix - 1], idx[prefix - 1])
            for i in 0..<r.count { r.storage[i] -= c.storage[i] }
            return r
        }()
        return after.storage.reduce(0) { $0 + $1 * $1 } / Float(after.count)
    }

    func testEachLevelReducesLatentErrorAfterKMeans() {
        let rows = toyRows(512, dim: 4, seed: 1)
        let cb = CodebookTrainer(params: ParameterSet(), levels: 4, size: 16, dim: 4, kmeansIterations: 8)
        var rng = RNG(seed: 2)
        XCTAssertFalse(cb.isInitialized)
        cb.initialize(rows: rows, rng: &rng)
        XCTAssertTrue(cb.isInitialized)
        let q = cb.quantizer
        // Level 0 is a cosine codebook.
        for k in 0..<16 {
            let n = (0..<4).reduce(Float(0)) { $0 + q.codebooks[0].storage[k * 4 + $1] * q.codebooks[0].storage[k * 4 + $1] }
            XCTAssertEqual(n, 1, accuracy: 1e-4)
        }
        var previous = rows.storage.reduce(0) { $0 + $1 * $1 } / Float(rows.count)
        for p in 1...4 {
            let e = latentError(q, rows, prefix: p)
            XCTAssertLessThan(e, previous, "level \(p) must reduce the latent error")
            previous = e
        }
    }

    func testDeadCodesAreRestartedWithCurrentResiduals() {
        let rows = toyRows(64, dim: 4, seed: 3)
        let cb = CodebookTrainer(params: ParameterSet(), levels: 1, size: 8, dim: 4, deadAfter: 3)
        var rng = RNG(seed: 4)
        cb.initialize(rows: rows, rng: &rng)
        // Every row assigned to code 0: codes 1...7 go unused.
        let idx = [[Int](repeating: 0, count: 64)]
        var dead: [Int] = []
        for step in 0..<4 { dead.append(cb.update(indices: idx, residuals: [rows], step: step, rng: &rng)[0].dead) }
        XCTAssertEqual(dead, [0, 0, 0, 7], "restarted once unused for deadAfter steps")
        let book = cb.quantizer.codebooks[0]
        for k in 1..<8 {
            let code = Array(book.storage[k * 4..<(k + 1) * 4])
            let isRow = (0..<64).contains { i in zip(code, rows.storage[i * 4..<(i + 1) * 4]).allSatisfy { abs($0 - $1) < 1e-5 } }
            XCTAssertTrue(isRow, "code \(k) restarted from a current residual")
        }
        XCTAssertEqual(cb.update(indices: idx, residuals: [rows], step: 4, rng: &rng)[0].dead, 0)
    }

    func testEMAMovesCodewordsTowardsAssignedMeans() {
        let rows = Tensor(shape: [4, 2], storage: [1, 0, 1, 0, 0, 1, 0, 1])
        let cb = CodebookTrainer(params: ParameterSet(), levels: 2, size: 2, dim: 2, decay: 0.5, kmeansIterations: 3)
        var rng = RNG(seed: 5)
        cb.initialize(rows: rows, rng: &rng)
        let residual = Tensor(shape: [4, 2], storage: [0.1, 0, 0.1, 0, 0, 0.3, 0, 0.3])
        let idx = [[0, 0, 1, 1], [0, 0, 1, 1]]
        for s in 0..<20 { cb.update(indices: idx, residuals: [rows, residual], step: s, rng: &rng) }
        let b1 = cb.quantizer.codebooks[1]
        XCTAssertEqual(b1[0, 0], 0.1, accuracy: 1e-3)
        XCTAssertEqual(b1[1, 1], 0.3, accuracy: 1e-3)
    }

    func testPerplexity() {
        XCTAssertEqual(CodebookTrainer.perplexity(counts: [5, 5, 5, 5]), 4, accuracy: 1e-4)
        XCTAssertEqual(CodebookTrainer.perplexity(counts: [9, 0, 0]), 1, accuracy: 1e-6)
    }

    func testQuantizerDropoutPrefixes() {
        var rng = RNG(seed: 9)
        let p = QuantizerDropout.prefixes(count: 4000, levels: 8, rng: &rng)
        XCTAssertTrue(p.allSatisfy { (1...8).contains($0) })
        for l in 1...8 {
            let n = p.filter { $0 == l }.count
            XCTAssertGreaterThan(n, 400, "prefix \(l) drawn about uniformly")
            XCTAssertLessThan(n, 600)
        }
        // With dropout probability 0.5, half the samples keep all levels.
        let half = QuantizerDropout.prefixes(count: 4000, levels: 8, probability: 0.5, rng: &rng)
        let full = half.filter { $0 == 8 }.count
        XCTAssertGreaterThan(full, 2000 + 250 - 200)
        XCTAssertLessThan(full, 2000 + 250 + 200)
        XCTAssertGreaterThan(half.filter { $0 == 1 }.count, 150)
        var a = RNG(seed: 3), b = RNG(seed: 3)
        XCTAssertEqual(QuantizerDropout.prefixes(count: 10, levels: 5, rng: &a), QuantizerDropout.prefixes(count: 10, levels: 5, rng: &b))
    }
}
