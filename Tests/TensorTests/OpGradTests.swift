@testable import TensorTraining
import XCTest
@testable import Tensor

/// Finite-difference checks of every differentiable op, plus forward checks against definitions.
final class OpGradTests: XCTestCase {
    func testUnaryFunctions() {
        // Keep inputs away from kinks (relu/abs at 0) so central differences are valid.
        var x = randomTensor([2, 3, 4], seed: 1, -2, 2)
        for i in 0..<x.count where abs(x.storage[i]) < 0.05 { x.storage[i] = 0.3 }
        let fs: [UnaryFunction] = [.relu, .leakyRelu(slope: 0.1), .silu, .gelu, .sigmoid, .tanh, .softplus, .exp, .square, .abs, .neg]
        for f in fs { gradCheck([x]) { Ops.unary($0[0], f) } }
        let pos = randomTensor([2, 5], seed: 2, 0.5, 2)
        for f: UnaryFunction in [.log, .sqrt] { gradCheck([pos]) { Ops.unary($0[0], f) } }
        gradCheck([pos]) { Ops.pow($0[0], 0.3) }
        gradCheck([x]) { Ops.clampMin($0[0], 0.1) }
        // Forward spot checks against the definitions.
        let y = UnaryFunction.gelu.apply(Tensor(shape: [2], storage: [1, -0.5]))
        XCTAssertEqual(y.storage[0], 0.8413447, accuracy: 1e-5)
        XCTAssertEqual(y.storage[1], -0.1542687, accuracy: 1e-5)
        XCTAssertEqual(UnaryFunction.softplus.apply(Tensor(shape: [1], storage: [0])).storage[0], Float(M_LN2), accuracy: 1e-6)
    }

    func testBinaryBroadcastAndReductions() {
        let a = randomTensor([2, 3, 4], seed: 3), b = randomTensor([1, 3, 1], seed: 4)
        let c = randomTensor([2, 3, 4], seed: 5, 0.5, 1.5)
        gradCheck([a, b]) { $0[0] + $0[1] }
        gradCheck([a, b]) { $0[0] - $0[1] }
        gradCheck([a, b]) { $0[0] * $0[1] }
        gradCheck([a, c]) { $0[0] / $0[1] }
        gradCheck([a]) { 3 * $0[0] - 1 }
        gradCheck([a]) { Ops.sum($0[0]) }
        gradCheck([a]) { Ops.mean($0[0]) }
        gradCheck([a]) { Ops.sum($0[0], axis: 1) }
        gradCheck([a]) { Ops.mean($0[0], axis: 2) }
        XCTAssertEqual(TrainingKernels.expand(Tensor(shape: [2, 1], storage: [1, 2]), to: [2, 3]).storage, [1, 1, 1, 2, 2, 2])
        XCTAssertEqual(TrainingKernels.sumTo(Tensor(shape: [2, 3], storage: [1, 2, 3, 4, 5, 6]), shape: [1, 3]).storage, [5, 7, 9])
    }

    func testShapeOps() {
        let a = randomTensor([2, 3, 4, 5], seed: 6), b = randomTensor([2, 2, 4, 5], seed: 7)
        gradCheck([a, b]) { Ops.concat([$0[0], $0[1]], axis: 1) }
        gradCheck([a]) { Ops.slice($0[0], axis: 3, 1..<4) }
        gradCheck([a]) { Ops.crop($0[0], top: 1, left: 2, height: 2, width: 3) }
        gradCheck([a]) { Ops.pad2d($0[0], left: 1, right: 2, top: 0, bottom: 1) }
        gradCheck([a]) { Ops.pad2d($0[0], left: 2, right: 1, top: 2, bottom: 1, mode: .replicate) }
        gradCheck([a]) { Ops.pad2d($0[0], left: -1, right: 2, top: 1, bottom: -2) } // negative amounts crop
        XCTAssertEqual(TrainingKernels.pad2d(a, left: -1, right: 0, top: -2, bottom: 0)[1, 2, 0, 0], a[1, 2, 2, 1])
        gradCheck([a]) { Ops.reshape($0[0], [6, 20]) }
        let s = randomTensor([2, 8, 3, 2], seed: 8)
        gradCheck([s]) { Ops.pixelShuffle($0[0], factor: 2) }
        gradCheck([a]) { Ops.upsampleNearest($0[0], factor: 2) }
        gradCheck([a]) { Ops.upsampleNearest($0[0], factor: 3) }
        let up = TrainingKernels.upsampleNearest(a, factor: 3)
        XCTAssertEqual(up[1, 2, 11, 7], a[1, 2, 3, 2])
        gradCheck([randomTensor([1, 2, 4, 6], seed: 9)]) { Ops.pixelUnshuffle($0[0], factor: 2) }
        // pixel_shuffle definition: out[c, h*r+i, w*r+j] = in[c*r*r + i*r + j, h, w].
        let p = TrainingKernels.pixelShuffle(s, factor: 2)
        XCTAssertEqual(p[1, 1, 3, 2], s[1, 1 * 4 + 1 * 2 + 0, 1, 1])
        XCTAssertEqual(TrainingKernels.pixelShuffle(p, factor: 2, inverse: true), s)
    }

    func testLinearMatmulSoftmax() {
        let x = randomTensor([3, 5], seed: 10), w = randomTensor([4, 5], seed: 11), b = randomTensor([4], seed: 12)
        gradCheck([x, w, b]) { Ops.linear($0[0], $0[1], $0[2]) }
        let a = randomTensor([2, 3, 4], seed: 13), c = randomTensor([2, 4, 5], seed: 14)
        gradCheck([a, c]) { Ops.matmul($0[0], $0[1]) }
        gradCheck([a, randomTensor([2, 3, 5], seed: 15)]) { Ops.matmul($0[0], $0[1], transA: true) }
        gradCheck([a, randomTensor([2, 5, 4], seed: 16)]) { Ops.matmul($0[0], $0[1], transB: true) }
        gradCheck([a, randomTensor([2, 5, 3], seed: 17)]) { Ops.matmul($0[0], $0[1], transA: true, transB: true) }
        gradCheck([a, randomTensor([4, 6], seed: 18)]) { Ops.matmul($0[0], $0[1]) }
        gradCheck([a]) { Ops.softmax($0[0]) }
        let logits = randomTensor([4, 6], seed: 19, -2, 2)
        gradCheck([logits]) { Ops.crossEntropy($0[0], targets: [0, 5, 2, 2]) }
        let sm = TrainingKernels.softmax(Tensor(shape: [1, 2], storage: [0, Float(M_LN2)]))
        XCTAssertEqual(sm.storage[1], 2 / 3, accuracy: 1e-6)
    }

    func testNormalization() {
        let x = randomTensor([2, 6, 3, 4], seed: 20, -2, 3)
        let g = randomTensor([6], seed: 21, 0.5, 1.5), b = randomTensor([6], seed: 22)
        gradCheck([x, g, b]) { Ops.groupNorm($0[0], groups: 3, gamma: $0[1], beta: $0[2]) }
        gradCheck([x]) { Ops.groupNorm($0[0], groups: 2, gamma: nil, beta: nil) }
        let y = TrainingKernels.groupNorm(x, groups: 3, gamma: nil, beta: nil).0
        // Each (sample, group) is normalised: mean 0, variance ~1.
        let grp = Array(y.storage[0..<24])
        XCTAssertEqual(grp.reduce(0, +) / 24, 0, accuracy: 1e-5)
        XCTAssertEqual(grp.map { $0 * $0 }.reduce(0, +) / 24, 1, accuracy: 1e-3)
        let t = randomTensor([3, 2, 5], seed: 23)
        gradCheck([t, randomTensor([5], seed: 24, 0.5, 1.5), randomTensor([5], seed: 25)]) {
            Ops.layerNorm($0[0], gamma: $0[1], beta: $0[2])
        }
    }

    func testGDN() {
        let x = randomTensor([2, 3, 3, 2], seed: 26)
        let gamma = randomTensor([3, 3], seed: 27, 0.05, 0.3), beta = randomTensor([3], seed: 28, 0.5, 1.5)
        for inverse in [false, true] {
            gradCheck([x, gamma, beta]) { Ops.gdn($0[0], gamma: $0[1], beta: $0[2], inverse: inverse) }
        }
        // Definition at one element.
        let y = TrainingKernels.gdn(x, gamma: gamma, beta: beta, inverse: false).0
        var n = beta[1]
        for j in 0..<3 { n += gamma[1, j] * x[0, j, 1, 1] * x[0, j, 1, 1] }
        XCTAssertEqual(y[0, 1, 1, 1], x[0, 1, 1, 1] / n.squareRoot(), accuracy: 1e-6)
    }

    func testPoolResizeWarp() {
        let x = randomTensor([2, 2, 6, 5], seed: 29)
        gradCheck([x]) { Ops.avgPool2d($0[0], kernel: 2) }
        gradCheck([x]) { Ops.avgPool2d($0[0], kernel: 3, stride: 1) }
        for ac in [false, true] {
            gradCheck([x]) { Ops.resizeBilinear($0[0], height: 9, width: 11, alignCorners: ac) }
            gradCheck([x]) { Ops.resizeBilinear($0[0], height: 3, width: 4, alignCorners: ac) }
        }
        // align_corners=False upsampling by 2: out[1] = 0.75*in[0] + 0.25*in[1] (PyTorch).
        let r = TrainingKernels.resizeBilinear(Tensor(shape: [1, 1, 1, 2], storage: [0, 4]), height: 1, width: 4)
        XCTAssertEqual(r.storage, [0, 1, 3, 4])
        // Flow with fractional parts away from integers (no kinks), some pointing outside (border).
        var flow = randomTensor([2, 2, 6, 5], seed: 30, -2, 2)
        for i in 0..<flow.count {
            let f = flow.storage[i] - flow.storage[i].rounded(.down)
            if f < 0.15 || f > 0.85 { flow.storage[i] += 0.4 }
        }
        flow[0, 0, 0, 0] = -3.5; flow[1, 1, 5, 4] = 2.5 // clamped at the border: zero flow gradient
        gradCheck([x, flow], eps: 1e-3) { Ops.flowWarp($0[0], flow: $0[1]) }
        // Zero flow is the identity; an integer shift moves pixels; outside samples repeat the edge.
        XCTAssertEqual(TrainingKernels.flowWarp(x, flow: .zeros([2, 2, 6, 5])), x)
        var shift = Tensor.zeros([2, 2, 6, 5])
        for b in 0..<2 { for yy in 0..<6 { for xx in 0..<5 { shift[b, 0, yy, xx] = 1 } } }
        let w = TrainingKernels.flowWarp(x, flow: shift)
        XCTAssertEqual(w[1, 1, 2, 1], x[1, 1, 2, 2], accuracy: 1e-6)
        XCTAssertEqual(w[1, 1, 2, 4], x[1, 1, 2, 4], accuracy: 1e-6)
    }

    func testRoundingAndCodebook() {
        let x = Variable(Tensor(shape: [4], storage: [0.4, 0.5, 1.5, -2.6]), requiresGrad: true)
        let r = Ops.roundStraightThrough(x)
        XCTAssertEqual(r.value.storage, [0, 0, 2, -3])
        Ops.sum(r * Variable(Tensor(shape: [4], storage: [1, 2, 3, 4]))).backward()
        XCTAssertEqual(x.grad?.storage, [1, 2, 3, 4])
        let y = Variable(Tensor(shape: [5], storage: [-0.5, 0, 0.25, 1, 1.75]), requiresGrad: true)
        let c = Ops.clampStraightThrough(y, 0, 1)
        XCTAssertEqual(c.value.storage, [0, 0, 0.25, 1, 1])
        XCTAssertEqual(Ops.clampStraightThrough(Variable(Tensor(shape: [1], storage: [.nan])), 0, 1).value.storage, [0])
        Ops.sum(c * Variable(Tensor(shape: [5], storage: [1, 2, 3, 4, 5]))).backward()
        XCTAssertEqual(y.grad?.storage, [1, 2, 3, 4, 5])
        let book = randomTensor([37, 6], seed: 31), q = randomTensor([300, 6], seed: 32)
        let idx = TrainingKernels.nearestCodeword(q, codebook: book)
        for i in stride(from: 0, to: 300, by: 7) {
            var best = 0, bestD = Float.infinity
            for j in 0..<37 {
                var d: Float = 0
                for c in 0..<6 { let e = q[i, c] - book[j, c]; d += e * e }
                if d < bestD { bestD = d; best = j }
            }
            XCTAssertEqual(idx[i], best, "row \(i)")
        }
        gradCheck([book]) { Ops.embedding($0[0], indices: [3, 0, 3, 36]) }
    }

    func testLosses() {
        let a = randomTensor([2, 3, 4], seed: 33), off = randomTensor([2, 3, 4], seed: 34, 0.1, 1)
        // b differs from a by at least 0.1 so L1 has no kink within the difference step.
        var b = a
        for i in 0..<b.count { b.storage[i] += i % 2 == 0 ? off.storage[i] : -off.storage[i] }
        gradCheck([a, b]) { Ops.mse($0[0], $0[1]) }
        gradCheck([a, b]) { Ops.l1($0[0], $0[1]) }
        XCTAssertEqual(Ops.mse(Variable(a), Variable(a)).value.item, 0)
    }

    func testMSSSIM() {
        let small = MSSSIM(windowSize: 3, sigma: 1.5, weights: [0.3, 0.7])
        let x = randomTensor([1, 2, 6, 6], seed: 35, 0, 1), y = randomTensor([1, 2, 6, 6], seed: 36, 0, 1)
        gradCheck([x, y], eps: 3e-3, rtol: 5e-2) { small($0[0], $0[1]) }
        let full = MSSSIM()
        XCTAssertEqual(full.minimumSide, 161)
        let img = randomTensor([1, 1, 161, 161], seed: 37, 0, 1)
        XCTAssertEqual(full(Variable(img), Variable(img)).value.item, 1, accuracy: 1e-4)
        let noisy = TrainingKernels.map2(img, randomTensor([1, 1, 161, 161], seed: 38, -0.2, 0.2), +)
        let v = full(Variable(img), Variable(noisy)).value.item
        XCTAssertTrue(v > 0 && v < 0.99, "MS-SSIM of a noisy copy: \(v)")
    }

    func testAttentionAndLayers() {
        let params = ParameterSet()
        var rng = RNG(seed: 40)
        let attn = SelfAttention2d(params, "attn", channels: 4, groups: 2, rng: &rng)
        let block = ResBlock(params, "res", inChannels: 4, outChannels: 6, groups: 2, rng: &rng)
        let x = randomTensor([2, 4, 3, 3], seed: 41)
        gradCheck([x]) { block(attn($0[0])) }
        paramGradCheck(params) { block(attn(Variable(x))) }
    }
}
