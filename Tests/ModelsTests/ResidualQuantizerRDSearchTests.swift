import Models
import ModelsTraining
import Tensor
import TensorTraining
import XCTest

/// `ResidualQuantizer.searchRD`: the encoder's rate-distortion choice of RVQ codes.
final class ResidualQuantizerRDSearchTests: XCTestCase {
    private let (k, d, levels, m) = (32, 8, 4, 600)

    /// Codebooks whose scale shrinks with the level, as a trained RVQ's do, and unit-norm rows.
    private func setup(seed: UInt64) -> (ResidualQuantizer, Tensor) {
        var rng = RNG(seed: seed)
        let q = ResidualQuantizer(codebooks: (0..<levels).map { l in rng.normalTensor([k, d], std: 0.4 / Float(l + 1)) })
        var rows = rng.normalTensor([m, d])
        for i in 0..<m {
            let n = (0..<d).reduce(Float(0)) { $0 + rows.storage[i * d + $1] * rows.storage[i * d + $1] }.squareRoot()
            for c in 0..<d { rows.storage[i * d + c] /= n }
        }
        return (q, rows)
    }

    /// Mean squared final residual of `codes`.
    private func energy(_ q: ResidualQuantizer, _ rows: Tensor, _ codes: [[Int]]) -> Double {
        var s = 0.0
        for i in 0..<m {
            for c in 0..<d {
                var r = rows.storage[i * d + c]
                for l in 0..<codes.count { r -= q.codebooks[l].storage[codes[l][i] * d + c] }
                s += Double(r * r)
            }
        }
        return s / Double(m)
    }

    /// Per-row bits: code j of level l at row i costs a seeded value in 1...9 bits.
    private func bitsTable(seed: UInt64) -> [[Float]] {
        var rng = RNG(seed: seed)
        return (0..<levels).map { _ in (0..<(m * k)).map { _ in 1 + 8 * rng.uniform() } }
    }

    private func totalBits(_ bits: [[Float]], _ codes: [[Int]]) -> Double {
        var s = 0.0
        for l in 0..<codes.count { for i in 0..<m { s += Double(bits[l][i * k + codes[l][i]]) } }
        return s
    }

    func testBeamOneWithoutRateIsGreedy() {
        for seed: UInt64 in [1, 2, 3] {
            let (q, rows) = setup(seed: seed)
            for n in [1, 3, levels] {
                let greedy = q.encode(rows: rows, levels: n).indices
                XCTAssertEqual(q.searchRD(rows: rows, levels: n, beam: 1, lambda: 0, bits: nil, threads: 1), greedy, "seed \(seed) levels \(n)")
                // λ = 0 ignores a rate table.
                XCTAssertEqual(q.searchRD(rows: rows, levels: n, beam: 1, lambda: 0, bits: bitsTable(seed: seed), threads: 2), greedy)
            }
        }
    }

    func testWiderBeamLowersTheResidualOnAverage() {
        let (q, rows) = setup(seed: 5)
        let greedy = energy(q, rows, q.encode(rows: rows, levels: levels).indices)
        let beam8 = energy(q, rows, q.searchRD(rows: rows, levels: levels, beam: 8, lambda: 0, bits: nil, threads: 2))
        XCTAssertLessThan(beam8, greedy * 0.98, "beam 8 \(beam8) against greedy \(greedy)")
    }

    func testRateTermTradesResidualForBits() {
        let (q, rows) = setup(seed: 9)
        let bits = bitsTable(seed: 10)
        var last: (e: Double, b: Double)? = nil
        for lambda: Float in [0, 0.002, 0.01, 0.05] {
            let codes = q.searchRD(rows: rows, levels: levels, beam: 4, lambda: lambda, bits: bits, threads: 2)
            let now = (e: energy(q, rows, codes), b: totalBits(bits, codes))
            if let last {
                XCTAssertLessThan(now.b, last.b, "λ \(lambda) spends fewer bits")
                XCTAssertGreaterThanOrEqual(now.e, last.e, "λ \(lambda) for more residual")
            }
            last = now
        }
        // A huge λ takes the cheapest code of every level and row.
        let cheapest = q.searchRD(rows: rows, levels: levels, beam: 1, lambda: 1e6, bits: bits, threads: 1)
        for l in 0..<levels {
            for i in 0..<m {
                let row = bits[l][(i * k)..<((i + 1) * k)]
                XCTAssertEqual(bits[l][i * k + cheapest[l][i]], row.min()!)
            }
        }
    }

    func testThreadCountDoesNotChangeTheCodes() {
        let (q, rows) = setup(seed: 12)
        let bits = bitsTable(seed: 13)
        let one = q.searchRD(rows: rows, levels: levels, beam: 3, lambda: 0.01, bits: bits, threads: 1)
        XCTAssertEqual(q.searchRD(rows: rows, levels: levels, beam: 3, lambda: 0.01, bits: bits, threads: 2), one)
        XCTAssertEqual(q.searchRD(rows: rows, levels: levels, beam: 3, lambda: 0.01, bits: bits, threads: 7), one)
    }

    func testGreedyResidualEnergies() {
        let (q, rows) = setup(seed: 14)
        let e = q.greedyResidualEnergies(rows: rows, levels: 3)
        XCTAssertEqual(e.count, 4)
        XCTAssertEqual(e[0], 1, accuracy: 1e-5, "unit rows")
        XCTAssertEqual(e[3], energy(q, rows, q.encode(rows: rows, levels: 3).indices), accuracy: 1e-9)
        for l in 0..<3 { XCTAssertLessThan(e[l + 1], e[l]) }
    }
}
