@testable import TensorTraining
import XCTest
@testable import Tensor

final class OptimTests: XCTestCase {
    func testAdamMatchesTheFormula() {
        let params = ParameterSet()
        let p = params.add("w", Tensor(shape: [2], storage: [1, -2]))
        let adam = Adam()
        let grads: [[Float]] = [[0.5, -1], [0.1, 2]]
        var m: [Double] = [0, 0], v: [Double] = [0, 0], w: [Double] = [1, -2]
        for (t, g) in grads.enumerated() {
            p.grad = Tensor(shape: [2], storage: g)
            adam.update(params, lr: 0.1)
            for i in 0..<2 {
                m[i] = 0.9 * m[i] + 0.1 * Double(g[i]); v[i] = 0.999 * v[i] + 0.001 * Double(g[i]) * Double(g[i])
                let mh = m[i] / (1 - pow(0.9, Double(t + 1))), vh = v[i] / (1 - pow(0.999, Double(t + 1)))
                w[i] -= 0.1 * mh / (vh.squareRoot() + 1e-8)
                XCTAssertEqual(Double(p.value.storage[i]), w[i], accuracy: 1e-5)
            }
        }
        // AdamW decays the weight itself: with a zero gradient only the decay acts.
        let q = ParameterSet()
        let r = q.add("w", Tensor(shape: [1], storage: [2]))
        let adamw = Adam(weightDecay: 0.5, decoupled: true)
        r.grad = Tensor(shape: [1], storage: [0])
        adamw.update(q, lr: 0.1)
        XCTAssertEqual(r.value.storage[0], 2 * (1 - 0.05), accuracy: 1e-6)
        // A per-parameter scale multiplies that parameter's step and nobody else's.
        let s = ParameterSet()
        let a = s.add("a", Tensor(shape: [1], storage: [0])), b = s.add("b", Tensor(shape: [1], storage: [0]))
        let scaled = Adam()
        scaled.lrScale["b"] = 3
        a.grad = Tensor(shape: [1], storage: [1]); b.grad = Tensor(shape: [1], storage: [1])
        scaled.update(s, lr: 0.01)
        XCTAssertEqual(a.value.storage[0], -0.01, accuracy: 1e-6)
        XCTAssertEqual(b.value.storage[0], -0.03, accuracy: 1e-6)
    }

    func testSchedulesAndClipping() {
        let s = LRSchedule.warmupCosine(peak: 1, warmup: 10, total: 110, floor: 0.1)
        XCTAssertEqual(s.lr(at: 0), 0.1, accuracy: 1e-6)
        XCTAssertEqual(s.lr(at: 9), 1, accuracy: 1e-6)
        XCTAssertEqual(s.lr(at: 60), 0.55, accuracy: 1e-5)
        XCTAssertEqual(s.lr(at: 110), 0.1, accuracy: 1e-6)
        XCTAssertEqual(LRSchedule.step(base: 1, every: 5, gamma: 0.5).lr(at: 11), 0.25)
        XCTAssertEqual(LRSchedule.constant(0.3).lr(at: 1000), 0.3)
        let params = ParameterSet()
        let a = params.add("a", .zeros([2])), b = params.add("b", .zeros([1]))
        a.grad = Tensor(shape: [2], storage: [3, 0]); b.grad = Tensor(shape: [1], storage: [4])
        XCTAssertEqual(clipGradNorm(params, maxNorm: 1), 5, accuracy: 1e-5)
        XCTAssertEqual(a.grad!.storage[0], 0.6, accuracy: 1e-5)
        XCTAssertEqual(b.grad!.storage[0], 0.8, accuracy: 1e-5)
        XCTAssertEqual(clipGradNorm(params, maxNorm: 10), 1, accuracy: 1e-5)
        XCTAssertEqual(b.grad!.storage[0], 0.8, accuracy: 1e-5)
    }

    func testRNGIsSeededAndRestorable() {
        var a = RNG(seed: 1), b = RNG(seed: 1), c = RNG(seed: 2)
        XCTAssertEqual(a.next(), b.next())
        XCTAssertNotEqual(a.next(), c.next())
        let saved = a.stateWords
        let x = (0..<5).map { _ in a.uniform() }
        var restored = RNG(state: saved)
        XCTAssertEqual((0..<5).map { _ in restored.uniform() }, x)
        var r = RNG(seed: 3)
        var counts = [Int](repeating: 0, count: 3)
        for _ in 0..<3000 { counts[r.int(below: 3)] += 1 }
        XCTAssertTrue(counts.allSatisfy { $0 > 900 && $0 < 1100 }, "\(counts)")
        let normals = (0..<4000).map { _ in r.normal() }
        let mean = normals.reduce(0, +) / 4000, varc = normals.map { $0 * $0 }.reduce(0, +) / 4000
        XCTAssertEqual(mean, 0, accuracy: 0.06); XCTAssertEqual(varc, 1, accuracy: 0.08)
    }

    /// A tiny conv model trained on random batches drawn from the checkpointed RNG.
    struct TinyModel {
        let params = ParameterSet()
        let c1: Conv2d, n1: GroupNorm, c2: Conv2d
        init(seed: UInt64) {
            var rng = RNG(seed: seed)
            c1 = Conv2d(params, "c1", inChannels: 3, outChannels: 8, kernel: 3, stride: 2, rng: &rng)
            n1 = GroupNorm(params, "n1", groups: 4, channels: 8)
            c2 = Conv2d(params, "c2", inChannels: 8, outChannels: 12, kernel: 3, rng: &rng)
        }
        func loss(_ x: Tensor) -> Variable {
            let y = Ops.pixelShuffle(c2(Ops.silu(n1(c1(Variable(x))))), factor: 2)
            return Ops.mse(y, Variable(x))
        }
    }

    func trainSteps(_ model: TinyModel, _ adam: Adam, _ rng: inout RNG, steps: Range<Int>) -> [Float] {
        let schedule = LRSchedule.warmupCosine(peak: 1e-2, warmup: 2, total: 8, floor: 1e-3)
        var losses: [Float] = []
        for step in steps {
            let x = rng.uniformTensor([2, 3, 8, 8])
            model.params.zeroGrad()
            let loss = model.loss(x)
            loss.backward()
            clipGradNorm(model.params, maxNorm: 0.5)
            adam.update(model.params, lr: schedule.lr(at: step))
            losses.append(loss.value.item)
        }
        return losses
    }

    func testCheckpointResumeReproducesTheLossCurve() throws {
        let path = NSTemporaryDirectory() + "dcvc-ckpt-\(getpid()).safetensors"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let full = TinyModel(seed: 5)
        var rngFull = RNG(seed: 11)
        let expected = trainSteps(full, Adam(weightDecay: 0.01, decoupled: true), &rngFull, steps: 0..<8)
        XCTAssertLessThan(expected.last!, expected.first!, "training should reduce the loss")

        let first = TinyModel(seed: 5)
        let adam1 = Adam(weightDecay: 0.01, decoupled: true)
        var rng1 = RNG(seed: 11)
        let head = trainSteps(first, adam1, &rng1, steps: 0..<3)
        try Checkpoint.save(to: path, params: first.params, optimizer: adam1, step: 3, rng: rng1, extra: ["note": "test"])

        let resumed = TinyModel(seed: 999) // different init: everything must come from the file
        let adam2 = Adam(weightDecay: 0.01, decoupled: true)
        let state = try Checkpoint.load(from: path, params: resumed.params, optimizer: adam2)
        XCTAssertEqual(state.step, 3)
        XCTAssertEqual(state.metadata["note"], "test")
        var rng2 = state.rng
        let tail = trainSteps(resumed, adam2, &rng2, steps: state.step..<8)
        XCTAssertEqual(head + tail, expected) // bit-identical
        for (a, b) in zip(full.params.parameters, resumed.params.parameters) { XCTAssertEqual(a.value, b.value, a.name) }

        // Two optimizers under their own keys (e.g. generator and discriminator).
        let genOpt = Adam(), discOpt = Adam()
        let gen = first.params.subset { $0.hasPrefix("c1") }, disc = first.params.subset { !$0.hasPrefix("c1") }
        for p in first.params.parameters { p.grad = Tensor(shape: p.shape, repeating: 0.1) }
        genOpt.update(gen, lr: 0.01); discOpt.update(disc, lr: 0.02); discOpt.update(disc, lr: 0.02)
        try Checkpoint.save(to: path, params: first.params, optimizers: ["gen": genOpt, "disc": discOpt], step: 9, rng: rng1)
        let g2 = Adam(), d2 = Adam()
        _ = try Checkpoint.load(from: path, params: resumed.params, optimizers: ["gen": g2, "disc": d2])
        XCTAssertEqual(g2.step, 1); XCTAssertEqual(d2.step, 2)
        XCTAssertEqual(Set(g2.m.keys), Set(gen.names)); XCTAssertEqual(Set(d2.v.keys), Set(disc.names))
        XCTAssertEqual(d2.v["c2.weight"], discOpt.v["c2.weight"])
        XCTAssertThrowsError(try Checkpoint.load(from: path, params: resumed.params, optimizer: Adam())) { e in
            XCTAssertTrue("\(e)".contains("optimizer"), "\(e)")
        }
    }
}

final class AutogradTests: XCTestCase {
    func testSharedNodesAccumulateAndNoGradRecordsNothing() {
        let x = Variable(Tensor(shape: [2], storage: [1, 2]), requiresGrad: true)
        let y = x * x + x  // x used three times
        Ops.sum(y).backward()
        XCTAssertEqual(x.grad?.storage, [3, 5])
        // The graph is consumed by backward unless retained.
        let w = x * x
        w.backward(seed: Tensor(shape: [2], repeating: 1), retainGraph: true)
        w.backward(seed: Tensor(shape: [2], repeating: 1))
        XCTAssertEqual(x.grad?.storage, [3 + 4, 5 + 8])
        w.backward(seed: Tensor(shape: [2], repeating: 1))
        XCTAssertEqual(x.grad?.storage, [3 + 4, 5 + 8])
        let z = Variable.noGrad { x * x }
        XCTAssertFalse(z.requiresGrad)
        XCTAssertEqual(z.value.storage, [1, 4])
    }

    func testFrozenParametersGetNoGradient() {
        let params = ParameterSet()
        var rng = RNG(seed: 1)
        let a = Conv2d(params, "motion", inChannels: 2, outChannels: 2, kernel: 3, rng: &rng)
        let b = Conv2d(params, "context", inChannels: 2, outChannels: 2, kernel: 3, rng: &rng)
        params.setTrainable(false) { $0.hasPrefix("motion") }
        let x = Variable(rng.uniformTensor([1, 2, 5, 5]))
        Ops.mean(b(a(x))).backward()
        XCTAssertNil(a.weight.grad)
        XCTAssertNotNil(b.weight.grad)
        let trainable = params.subset { $0.hasPrefix("context") }
        XCTAssertEqual(trainable.names, ["context.weight", "context.bias"])
        XCTAssertTrue(trainable["context.weight"] === b.weight)
    }
}
