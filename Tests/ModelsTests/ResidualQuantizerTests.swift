import Models
import Tensor
import XCTest

final class ResidualQuantizerTests: XCTestCase {
    func testEncodeDequantizeConsistency() {
        var rng = RNG(seed: 7)
        let (k, d, levels) = (8, 4, 3)
        let q = ResidualQuantizer(codebooks: (0..<levels).map { l in rng.normalTensor([k, d], std: 1 / Float(l + 1)) })
        let (n, h, w) = (2, 3, 2)
        let rows = rng.normalTensor([n * h * w, d])
        let (indices, residuals) = q.encode(rows: rows)
        XCTAssertEqual(indices.count, levels)
        XCTAssertEqual(residuals[0], rows)
        for p in 1...levels {
            let z = q.dequantize(indices: indices, prefix: Array(repeating: p, count: n), height: h, width: w)
            let zr = LatentLayout.rows(z)
            // Sum of the chosen codewords in level order.
            for i in 0..<rows.shape[0] {
                for c in 0..<d {
                    var s = q.codebooks[0].storage[indices[0][i] * d + c]
                    for l in 1..<p { s = s + q.codebooks[l].storage[indices[l][i] * d + c] }
                    XCTAssertEqual(zr.storage[i * d + c], s)
                }
            }
            // Quantized plus the residual left for the next level reconstructs the input.
            if p < levels {
                for i in 0..<rows.count { XCTAssertEqual(zr.storage[i] + residuals[p].storage[i], rows.storage[i], accuracy: 1e-5) }
            }
        }
        // Each level picks the nearest codeword of its residual.
        for l in 0..<levels {
            for i in 0..<rows.shape[0] {
                func dist(_ j: Int) -> Float { (0..<d).reduce(0) { let e = residuals[l].storage[i * d + $1] - q.codebooks[l].storage[j * d + $1]; return $0 + e * e } }
                let best = (0..<k).map(dist).min()!
                XCTAssertEqual(dist(indices[l][i]), best, accuracy: 1e-5)
            }
        }
        // Mixed prefixes per image.
        let mixed = q.dequantize(indices: indices, prefix: [1, 3], height: h, width: w)
        let one = q.dequantize(indices: indices, prefix: [1, 1], height: h, width: w)
        let three = q.dequantize(indices: indices, prefix: [3, 3], height: h, width: w)
        let half = mixed.count / 2
        XCTAssertEqual(Array(mixed.storage[..<half]), Array(one.storage[..<half]))
        XCTAssertEqual(Array(mixed.storage[half...]), Array(three.storage[half...]))
    }

    func testLayoutRoundTrip() {
        var rng = RNG(seed: 1)
        let x = rng.normalTensor([2, 3, 4, 5])
        let r = LatentLayout.rows(x)
        XCTAssertEqual(r.shape, [40, 3])
        XCTAssertEqual(r[7, 2], x[0, 2, 1, 2])
        XCTAssertEqual(LatentLayout.planes(r, n: 2, height: 4, width: 5), x)
    }

    func testL2NormalizeAndStraightThrough() {
        var rng = RNG(seed: 2)
        let x = Variable(rng.normalTensor([1, 4, 2, 2]), requiresGrad: true)
        let y = Ops.l2NormalizeChannels(x)
        for p in 0..<4 {
            let s = (0..<4).reduce(Float(0)) { $0 + y.value.storage[$1 * 4 + p] * y.value.storage[$1 * 4 + p] }
            XCTAssertEqual(s, 1, accuracy: 1e-4)
        }
        let q = rng.normalTensor([1, 4, 2, 2])
        let st = Ops.straightThrough(x, quantized: q)
        XCTAssertEqual(st.value, q)
        Ops.sum(st * 3).backward()
        XCTAssertEqual(x.grad!.storage, Array(repeating: 3, count: 16))
    }
}
