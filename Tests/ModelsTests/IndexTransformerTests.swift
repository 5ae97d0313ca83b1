import Deterministic
import Models
import ModelsTraining
import Tensor
import TensorTraining
import XCTest

final class IndexTransformerTests: XCTestCase {
    static let config = IndexTransformerConfig(levels: 3, codebookSize: 16, dModel: 16, layers: 2, heads: 2,
                                               mlpRatio: 2, rowsAbove: 2, columns: 2)

    /// A network whose every parameter (norm gains and biases included) is random, so no term is trivially 0 or 1.
    static func randomNetwork(seed: UInt64 = 3) throws -> IndexTransformer {
        var rng = RNG(seed: seed)
        let net = try IndexTransformer(config: config, rng: &rng)
        for p in net.params.parameters {
            let noise = rng.normalTensor(p.shape, std: 0.3)
            for i in 0..<p.value.count { p.value.storage[i] += noise.storage[i] }
        }
        return net
    }

    static func randomPlanes(width: Int, height: Int, seed: UInt64) -> [[Int32]] {
        var rng = RNG(seed: seed)
        return (0..<config.levels).map { _ in (0..<(width * height)).map { _ in Int32(rng.int(below: config.codebookSize)) } }
    }

    func trainingLogits(_ net: IndexTransformer, level: Int, width: Int, height: Int, planes: [[Int32]]) -> [Float] {
        let batch = IndexTransformerBatch(config: net.config, height: height, width: width, levels: [level],
                                          planes: [Array(planes[0...level])])
        return Variable.noGrad { net.logits(batch).value.storage }
    }

    func testDeterministicForwardMatchesTrainingForward() throws {
        let net = try Self.randomNetwork()
        let dec = IndexTransformerDecoder(network: net)
        let (w, h) = (7, 5)
        let planes = Self.randomPlanes(width: w, height: h, seed: 11)
        for level in 0..<Self.config.levels {
            let a = trainingLogits(net, level: level, width: w, height: h, planes: planes)
            let b = dec.logits(level: level, width: w, height: h, planes: planes)
            XCTAssertEqual(a.count, b.count)
            var worst: Float = 0
            for i in 0..<a.count { worst = max(worst, abs(a[i] - b[i]) / max(1, abs(a[i]))) }
            XCTAssertLessThan(worst, 2e-4, "level \(level)")
            XCTAssertGreaterThan(a.map(abs).max()!, 0.1, "logits are not trivial")
        }
    }

    func testLogitsAreCausal() throws {
        // Changing the index at position j of the coded level changes no logit at or before j.
        let net = try Self.randomNetwork()
        let (w, h) = (6, 5), level = 1, j = 14
        var planes = Self.randomPlanes(width: w, height: h, seed: 5)
        let before = trainingLogits(net, level: level, width: w, height: h, planes: planes)
        planes[level][j] = (planes[level][j] + 1) % Int32(Self.config.codebookSize)
        let after = trainingLogits(net, level: level, width: w, height: h, planes: planes)
        let K = Self.config.codebookSize
        XCTAssertEqual(Array(before[0..<((j + 1) * K)]), Array(after[0..<((j + 1) * K)]))
        XCTAssertNotEqual(Array(before[((j + 1) * K)...]), Array(after[((j + 1) * K)...]))
        // A higher level's index is not context for a lower level.
        var p2 = Self.randomPlanes(width: w, height: h, seed: 5)
        let base = trainingLogits(net, level: 0, width: w, height: h, planes: p2)
        p2[2][3] = (p2[2][3] + 1) % Int32(K)
        XCTAssertEqual(base, trainingLogits(net, level: 0, width: w, height: h, planes: p2))
    }

    func testGradientsMatchFiniteDifferences() throws {
        let net = try Self.randomNetwork(seed: 9)
        let (w, h) = (5, 4)
        let planes = Self.randomPlanes(width: w, height: h, seed: 2)
        let batch = IndexTransformerBatch(config: net.config, height: h, width: w, levels: [2, 1],
                                          planes: [planes, Array(planes[0...1])])
        func loss() -> Float { Variable.noGrad { Ops.crossEntropy(net.logits(batch), targets: batch.targets).value.item } }
        net.params.zeroGrad()
        Ops.crossEntropy(net.logits(batch), targets: batch.targets).backward()
        var rng = RNG(seed: 4)
        // (fc1 sits before a ReLU, whose kink a finite difference may straddle.)
        for name in ["embed", "blocks.0.qkv.weight", "blocks.0.attn_bias", "blocks.1.qkv.bias", "blocks.1.fc2.weight", "head.weight"] {
            let p = net.params[name]!
            let g = p.grad!
            for _ in 0..<4 {
                // Prefer entries with a gradient (embedding rows not used by the batch have none).
                var i = rng.int(below: p.value.count)
                for _ in 0..<50 where abs(g.storage[i]) < 1e-4 { i = rng.int(below: p.value.count) }
                let v = p.value.storage[i], e: Float = 1e-2
                p.value.storage[i] = v + e; let up = loss()
                p.value.storage[i] = v - e; let down = loss()
                p.value.storage[i] = v
                let numeric = (up - down) / (2 * e)
                XCTAssertEqual(g.storage[i], numeric, accuracy: 2e-3 + 0.05 * abs(numeric), "\(name)[\(i)]")
            }
        }
    }

    func testDecoderKernelsMatchDeterministicKernels() throws {
        // The decoder's linear layer and LayerNorm follow DeterministicKernels' summation order bit for bit.
        let net = try Self.randomNetwork()
        let dec = IndexTransformerDecoder(network: net)
        let planes = Self.randomPlanes(width: 4, height: 3, seed: 1)
        // Reference: the first position's logits of level 0 from DeterministicKernels only.
        let c = Self.config, d = c.dModel
        var x = [Float](repeating: 0, count: d)
        let emb = net.params["embed"]!.value.storage
        var rows = [Int32](repeating: -1, count: c.slots)
        rows.withUnsafeMutableBufferPointer { r in
            c.rows(level: 0, x: 0, y: 0, width: 4, into: r.baseAddress!) { m, j in planes[m][j] }
        }
        for r in rows where r >= 0 { for k in 0..<d { x[k] = x[k] + emb[Int(r) * d + k] } }
        func t(_ n: String) -> Tensor { net.params[n]!.value }
        typealias DK = DeterministicKernels
        var xt = Tensor(shape: [1, d], storage: x)
        for b in 0..<c.layers {
            let p = "blocks.\(b)."
            let hN = DK.layerNorm(xt, weight: t(p + "ln1.weight"), bias: t(p + "ln1.bias"), threads: 1)
            let qkv = DK.linear(hN, weight: t(p + "qkv.weight"), bias: t(p + "qkv.bias"), threads: 1)
            // Only the position itself is a key at (0, 0): attention returns v exactly (p = 1).
            let v = Tensor(shape: [1, d], storage: Array(qkv.storage[(2 * d)...]))
            xt = DK.add(xt, DK.linear(v, weight: t(p + "proj.weight"), bias: t(p + "proj.bias"), threads: 1), threads: 1)
            let h2 = DK.layerNorm(xt, weight: t(p + "ln2.weight"), bias: t(p + "ln2.bias"), threads: 1)
            let m = DK.relu(DK.linear(h2, weight: t(p + "fc1.weight"), bias: t(p + "fc1.bias"), threads: 1), threads: 1)
            xt = DK.add(xt, DK.linear(m, weight: t(p + "fc2.weight"), bias: t(p + "fc2.bias"), threads: 1), threads: 1)
        }
        let f = DK.layerNorm(xt, weight: t("ln_f.weight"), bias: t("ln_f.bias"), threads: 1)
        let ref = DK.linear(f, weight: t("head.weight"), bias: t("head.bias"), threads: 1).storage
        let got = Array(dec.logits(level: 0, width: 4, height: 3, planes: planes)[0..<c.codebookSize])
        XCTAssertEqual(got.map(\.bitPattern), ref.map(\.bitPattern))
    }

    func testWeightsFileRoundTrip() throws {
        let net = try Self.randomNetwork()
        let file = try SafeTensorsFile.parse(net.weightsFile().serialized())
        let back = try IndexTransformer.load(file: file, path: "mem")
        XCTAssertEqual(back.config, net.config)
        let planes = Self.randomPlanes(width: 3, height: 3, seed: 8)
        XCTAssertEqual(IndexTransformerDecoder(network: back).logits(level: 2, width: 3, height: 3, planes: planes),
                       IndexTransformerDecoder(network: net).logits(level: 2, width: 3, height: 3, planes: planes))
    }
}
