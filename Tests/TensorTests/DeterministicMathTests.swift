@testable import Deterministic
import Foundation
import ToolTesting
import XCTest
@testable import Tensor

/// Error bounds of `DetMath` against Double libm, and scalar/SIMD bit identity.
///
/// The sweep density is `DCVC_MATH_SWEEP` points per function (default 200 000, fast in debug);
/// spec/deterministic-math.md records the bounds from a 4 000 000-point sweep.
final class DeterministicMathTests: XCTestCase {
    static let points = Int(ProcessInfo.processInfo.environment["DCVC_MATH_SWEEP"] ?? "") ?? 200_000

    /// Evenly spaced Floats over [lo, hi] plus a few exact values.
    func sweep(_ lo: Float, _ hi: Float) -> [Float] {
        let n = Self.points
        var xs = (0..<n).map { lo + (hi - lo) * Float($0) / Float(n - 1) }
        xs += [0, -0, 1, -1, lo, hi]
        return xs.filter { $0 >= lo && $0 <= hi }
    }

    /// Maximum error in units of the Float ulp at the reference value, over `xs`.
    func maxULP(_ xs: [Float], _ f: (Float) -> Float, _ ref: (Double) -> Double) -> Double {
        var worst = 0.0
        for x in xs {
            let r = ref(Double(x))
            let y = Double(f(x))
            let ulp = Double(max(Float(abs(r)), Float.leastNormalMagnitude).ulp)
            worst = max(worst, abs(y - r) / ulp)
        }
        return worst
    }

    func maxAbs(_ xs: [Float], _ f: (Float) -> Float, _ ref: (Double) -> Double) -> Double {
        xs.reduce(0.0) { max($0, abs(Double(f($1)) - ref(Double($1)))) }
    }

    func testExpLogBounds() {
        let e = maxULP(sweep(-87, 88), { DetMath.exp($0) }, Foundation.exp)
        let l = maxULP(sweep(1e-30, 1e30) + sweep(0.01, 10), { DetMath.log($0) }, Foundation.log)
        let l1 = maxULP(sweep(-0.99, 10) + sweep(-1e-6, 1e-6), { DetMath.log1p($0) }, Foundation.log1p)
        print("DetMath max ulp: exp \(e) log \(l) log1p \(l1)")
        XCTAssertLessThanOrEqual(e, 2)
        XCTAssertLessThanOrEqual(l, 2)
        XCTAssertLessThanOrEqual(l1, 3)
    }

    func testErfTanhSigmoidBounds() {
        let er = maxULP(sweep(-6, 6) + sweep(-0.01, 0.01), { DetMath.erf($0) }, Foundation.erf)
        let th = maxULP(sweep(-12, 12) + sweep(-0.01, 0.01), { DetMath.tanh($0) }, Foundation.tanh)
        let sg = maxULP(sweep(-80, 30), { DetMath.sigmoid($0) }, { 1 / (1 + Foundation.exp(-$0)) })
        print("DetMath max ulp: erf \(er) tanh \(th) sigmoid \(sg)")
        XCTAssertLessThanOrEqual(er, 4)
        XCTAssertLessThanOrEqual(th, 4)
        XCTAssertLessThanOrEqual(sg, 3)
    }

    func testSoftplusSiluGeluBounds() {
        let sp = maxULP(sweep(-80, 80), { DetMath.softplus($0) },
                        { max($0, 0) + Foundation.log1p(Foundation.exp(-abs($0))) })
        let si = maxULP(sweep(-80, 80), { DetMath.silu($0) }, { $0 / (1 + Foundation.exp(-$0)) })
        // GELU's relative error blows up where 1 + erf cancels (x << 0); bound it absolutely there.
        let gelu: (Double) -> Double = { 0.5 * $0 * (1 + Foundation.erf($0 / 2.0.squareRoot())) }
        let gp = maxULP(sweep(-1, 10), { DetMath.gelu($0) }, gelu)
        let ga = maxAbs(sweep(-10, -1), { DetMath.gelu($0) }, gelu)
        print("DetMath max ulp: softplus \(sp) silu \(si) gelu[-1,10] \(gp); gelu abs err [-10,-1] \(ga)")
        XCTAssertLessThanOrEqual(sp, 4)
        XCTAssertLessThanOrEqual(si, 4)
        XCTAssertLessThanOrEqual(gp, 6)
        XCTAssertLessThanOrEqual(ga, 2e-7)
    }

    func testSpecialValues() {
        XCTAssertEqual(DetMath.exp(Float(0)), 1)
        XCTAssertEqual(DetMath.exp(Float(200)), .infinity)
        XCTAssertEqual(DetMath.exp(Float(-200)), 0)
        XCTAssertTrue(DetMath.exp(Float.nan).isNaN)
        XCTAssertEqual(DetMath.log(Float(1)), 0)
        XCTAssertEqual(DetMath.log(Float(0)), -.infinity)
        XCTAssertTrue(DetMath.log(Float(-1)).isNaN)
        XCTAssertEqual(DetMath.log(Float.infinity), .infinity)
        XCTAssertEqual(Double(DetMath.log(Float.leastNonzeroMagnitude)),
                       Foundation.log(Double(Float.leastNonzeroMagnitude)), accuracy: 1e-5)
        XCTAssertEqual(DetMath.tanh(Float(30)), 1)
        XCTAssertEqual(DetMath.tanh(Float(-30)), -1)
        XCTAssertEqual(DetMath.sigmoid(Float(-200)), 0)
        XCTAssertEqual(DetMath.sigmoid(Float(200)), 1)
        XCTAssertEqual(DetMath.softplus(Float(100)), 100)
        XCTAssertEqual(DetMath.erf(Float(9)), 1)
        XCTAssertEqual(DetMath.erf(Float(-9)), -1)
    }

    /// The SIMD16 instantiation gives the same bits as the Float one, lane by lane.
    func testScalarAndSIMDAgreeBitwise() {
        var rng = SplitMix64(seed: 7)
        let xs: [Float] = (0..<4096).map { _ in rng.nextFloat(-100, 100) }
            + [0, -0, .infinity, -.infinity, .nan, Float(bitPattern: 0x0001_0000), -Float(bitPattern: 0x0001_0000), 88.5, -87.5]
        let fs: [(String, (Float) -> Float, (DetVector) -> DetVector)] = [
            ("exp", { DetMath.exp($0) }, { DetMath.exp($0) }),
            ("log", { DetMath.log($0) }, { DetMath.log($0) }),
            ("log1p", { DetMath.log1p($0) }, { DetMath.log1p($0) }),
            ("erf", { DetMath.erf($0) }, { DetMath.erf($0) }),
            ("tanh", { DetMath.tanh($0) }, { DetMath.tanh($0) }),
            ("sigmoid", { DetMath.sigmoid($0) }, { DetMath.sigmoid($0) }),
            ("softplus", { DetMath.softplus($0) }, { DetMath.softplus($0) }),
            ("silu", { DetMath.silu($0) }, { DetMath.silu($0) }),
            ("gelu", { DetMath.gelu($0) }, { DetMath.gelu($0) }),
        ]
        for (name, fs, fv) in fs {
            var i = 0
            while i + 16 <= xs.count {
                var v = DetVector()
                for l in 0..<16 { v[l] = xs[i + l] }
                let r = fv(v)
                for l in 0..<16 {
                    XCTAssertEqual(r[l].bitPattern, fs(xs[i + l]).bitPattern, "\(name)(\(xs[i + l]))")
                }
                i += 16
            }
        }
    }
}
