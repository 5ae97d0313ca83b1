import ModelsTraining
import Tensor
import TensorTraining
import XCTest

/// DiffAugment's forward against a pixel-by-pixel computation, its backward against finite
/// differences (the map is affine, so they agree to rounding), and its random draws.
final class DiffAugmentTests: XCTestCase {
    let draw = DiffAugment.Draw(brightness: 0.1, saturation: 1.7, contrast: 0.6, shiftY: 1, shiftX: -2,
                                cutRows: 0..<2, cutColumns: 3..<5)

    func images(seed: UInt64, n: Int = 2, h: Int = 4, w: Int = 5) -> Tensor {
        var rng = RNG(seed: seed)
        return rng.uniformTensor([n, 3, h, w])
    }

    func testIdentityDrawReturnsTheImages() {
        let x = images(seed: 1)
        let y = DiffAugment.apply(Variable(x), [.identity, .identity]).value
        for (a, b) in zip(y.storage, x.storage) { XCTAssertEqual(a, b, accuracy: 1e-6) }
    }

    func testForwardMatchesPixelByPixelComputation() {
        let x = images(seed: 2), (h, w) = (4, 5)
        let y = DiffAugment.apply(Variable(x), [.identity, draw]).value
        func px(_ c: Int, _ r: Int, _ q: Int) -> Float { x.storage[((3 + c) * h + r) * w + q] }   // image 1
        // Colour of image 1: brightness, then per-pixel saturation, then contrast about the image mean.
        var colour = [[[Float]]](repeating: [[Float]](repeating: [Float](repeating: 0, count: w), count: h), count: 3)
        for r in 0..<h {
            for q in 0..<w {
                let v = (0..<3).map { px($0, r, q) + 0.1 }, m = v.reduce(0, +) / 3
                for c in 0..<3 { colour[c][r][q] = (v[c] - m) * 1.7 + m }
            }
        }
        let mean = colour.joined().joined().reduce(0, +) / Float(3 * h * w)
        for c in 0..<3 {
            for r in 0..<h {
                for q in 0..<w {
                    let (sr, sq) = (r - 1, q + 2)
                    let cut = r < 2 && (3..<5).contains(q)
                    let expected = cut || !(0..<h).contains(sr) || !(0..<w).contains(sq)
                        ? DiffAugment.fill : (colour[c][sr][sq] - mean) * 0.6 + mean
                    XCTAssertEqual(y.storage[((3 + c) * h + r) * w + q], expected, accuracy: 1e-5, "c \(c) y \(r) x \(q)")
                }
            }
        }
        for i in 0..<(3 * h * w) { XCTAssertEqual(y.storage[i], x.storage[i], accuracy: 1e-6) }
    }

    func testBackwardMatchesFiniteDifferences() {
        let x0 = images(seed: 3), weights = images(seed: 4)
        let draws = [draw, DiffAugment.Draw(brightness: -0.2, saturation: 0.3, contrast: 1.4, shiftY: -1, shiftX: 0,
                                            cutRows: 2..<4, cutColumns: 0..<2)]
        func loss(_ x: Tensor) -> Double {
            let y = DiffAugment.apply(Variable(x), draws).value
            return zip(y.storage, weights.storage).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        }
        let x = Variable(x0, requiresGrad: true)
        Ops.sum(DiffAugment.apply(x, draws) * Variable(weights)).backward()
        let eps: Float = 0.01
        for i in stride(from: 0, to: x0.count, by: 3) {
            var plus = x0, minus = x0
            plus.storage[i] += eps; minus.storage[i] -= eps
            let numeric = (loss(plus) - loss(minus)) / Double(2 * eps)
            XCTAssertEqual(Double(x.grad!.storage[i]), numeric, accuracy: 2e-3, "element \(i)")
        }
    }

    func testDrawsStayInDiffAugmentsRanges() {
        var rng = RNG(seed: 5)
        let d = DiffAugment.draws(count: 500, height: 128, width: 96, rng: &rng)
        XCTAssertTrue(d.allSatisfy { abs($0.brightness) <= 0.25 && (0...2).contains($0.saturation) && (0.5...1.5).contains($0.contrast) })
        XCTAssertEqual(d.map(\.shiftY).min(), -16); XCTAssertEqual(d.map(\.shiftY).max(), 16)
        XCTAssertEqual(d.map(\.shiftX).min(), -12); XCTAssertEqual(d.map(\.shiftX).max(), 12)
        XCTAssertTrue(d.allSatisfy { $0.cutRows.count <= 64 && $0.cutColumns.count <= 48 && $0.cutRows.count >= 32 })
        XCTAssertEqual(d.map(\.cutRows.count).max(), 64)
    }
}
