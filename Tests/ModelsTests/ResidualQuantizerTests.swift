import Models
import ModelsTraining
import Tensor
import TensorTraining
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

    func testDecoderInputPlacesScaledLevelsSideBySide() {
        var rng = RNG(seed: 3)
        let (k, d, levels, h, w) = (8, 2, 3, 2, 2)
        let q = ResidualQuantizer(codebooks: (0..<levels).map { l in rng.normalTensor([k, d], std: 1 / Float(l + 1)) })
        let gains = q.levelGains
        for (l, g) in gains.enumerated() {
            let rms = (q.codebooks[l].storage.reduce(0) { $0 + $1 * $1 } / Float(k * d)).squareRoot()
            XCTAssertEqual(g * rms, 1, accuracy: 1e-5)
        }
        let indices = (0..<levels).map { _ in (0..<2 * h * w).map { _ in rng.int(below: k) } }
        let x = q.decoderInput(indices: indices, prefix: [3, 1], gains: gains, height: h, width: w)
        XCTAssertEqual(x.shape, [2, levels * d, h, w])
        for b in 0..<2 { for l in 0..<levels { for c in 0..<d { for p in 0..<h * w {
            let v = x.storage[((b * levels + l) * d + c) * h * w + p]
            let expected = l < [3, 1][b] ? gains[l] * q.codebooks[l].storage[indices[l][b * h * w + p] * d + c] : 0
            XCTAssertEqual(v, expected)
        } } } }
        // Straight-through: the latent gets the sum of the used levels' gradients.
        let z = Variable(rng.normalTensor([2, d, h, w]), requiresGrad: true)
        let st = Ops.straightThroughLevels(z, input: x, prefix: [3, 1], gains: gains)
        XCTAssertEqual(st.value, x)
        var seed = Tensor.zeros(x.shape)
        for i in 0..<seed.count { seed.storage[i] = Float(i % 7) }
        st.backward(seed: seed)
        for c in 0..<d * h * w {
            XCTAssertEqual(z.grad!.storage[c], (0..<3).reduce(Float(0)) { $0 + seed.storage[$1 * d * h * w + c] })
            XCTAssertEqual(z.grad!.storage[d * h * w + c], seed.storage[(levels + 0) * d * h * w + c])
        }
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
