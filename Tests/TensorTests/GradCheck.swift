@testable import TensorTraining
import XCTest
@testable import Tensor

/// Central-difference check of every input's gradient for `f`, through the loss sum(f(x) * w)
/// with fixed random weights w (so every output element matters). Checks up to `samples`
/// coordinates per input.
func gradCheck(_ inputs: [Tensor], eps: Float = 1e-2, rtol: Float = 2e-2, samples: Int = 20, seed: UInt64 = 7,
               file: StaticString = #filePath, line: UInt = #line, _ f: ([Variable]) -> Variable) {
    var rng = RNG(seed: seed)
    let vars = inputs.map { Variable($0, requiresGrad: true) }
    let y = f(vars)
    let w = rng.uniformTensor(y.shape, -1, 1)
    func loss(_ xs: [Tensor]) -> Double {
        let out = f(xs.map { Variable($0) }).value
        var s: Double = 0
        for i in 0..<out.count { s += Double(out.storage[i]) * Double(w.storage[i]) }
        return s
    }
    y.backward(seed: w)
    for (k, v) in vars.enumerated() {
        guard let g = v.grad else { XCTFail("input \(k) got no gradient", file: file, line: line); continue }
        let scale = g.storage.reduce(Float(0)) { max($0, abs($1)) }
        let picks = inputs[k].count <= samples ? Array(0..<inputs[k].count) : (0..<samples).map { _ in rng.int(below: inputs[k].count) }
        for i in picks {
            var plus = inputs, minus = inputs
            plus[k].storage[i] += eps
            minus[k].storage[i] -= eps
            let numeric = Float((loss(plus) - loss(minus)) / Double(2 * eps))
            let analytic = g.storage[i]
            XCTAssertLessThanOrEqual(abs(numeric - analytic), rtol * max(abs(numeric), 0.05 * scale, 1e-3),
                                     "input \(k) element \(i): analytic \(analytic) numeric \(numeric)", file: file, line: line)
        }
    }
}

func randomTensor(_ shape: [Int], seed: UInt64, _ lo: Float = -1, _ hi: Float = 1) -> Tensor {
    var rng = RNG(seed: seed)
    return rng.uniformTensor(shape, lo, hi)
}

func assertClose(_ a: Tensor, _ b: Tensor, tol: Float = 1e-4, _ msg: String = "",
                 file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(a.shape, b.shape, msg, file: file, line: line)
    guard a.shape == b.shape else { return }
    var worst: Float = 0
    for i in 0..<a.count { worst = max(worst, abs(a.storage[i] - b.storage[i]) / max(1, abs(b.storage[i]))) }
    XCTAssertLessThanOrEqual(worst, tol, "max relative difference \(worst) \(msg)", file: file, line: line)
}

/// Finite-difference check of the gradients `f` produces in every parameter of `params`.
func paramGradCheck(_ params: ParameterSet, eps: Float = 1e-2, rtol: Float = 2e-2, samples: Int = 6,
                    file: StaticString = #filePath, line: UInt = #line, _ f: () -> Variable) {
    var rng = RNG(seed: 99)
    let y0 = f()
    let w = rng.uniformTensor(y0.shape, -1, 1)
    func loss() -> Double {
        let out = f().value
        var s: Double = 0
        for i in 0..<out.count { s += Double(out.storage[i]) * Double(w.storage[i]) }
        return s
    }
    params.zeroGrad()
    y0.backward(seed: w)
    for p in params.parameters {
        guard let g = p.grad else { XCTFail("\(p.name) got no gradient", file: file, line: line); continue }
        let scale = g.storage.reduce(Float(0)) { max($0, abs($1)) }
        for _ in 0..<samples {
            let i = rng.int(below: p.value.count)
            let orig = p.value.storage[i]
            p.value.storage[i] = orig + eps; let lp = loss()
            p.value.storage[i] = orig - eps; let lm = loss()
            p.value.storage[i] = orig
            let numeric = Float((lp - lm) / Double(2 * eps))
            XCTAssertLessThanOrEqual(abs(numeric - g.storage[i]), rtol * max(abs(numeric), 0.05 * scale, 1e-3),
                                     "\(p.name)[\(i)]: analytic \(g.storage[i]) numeric \(numeric)", file: file, line: line)
        }
    }
}
