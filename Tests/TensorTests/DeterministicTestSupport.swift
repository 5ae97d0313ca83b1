@testable import Deterministic
import XCTest
@testable import Tensor
import ToolTesting


/// A tensor of `shape` with uniform values in [lo, hi).
func detRandomTensor(_ shape: [Int], seed: UInt64, _ lo: Float = -1, _ hi: Float = 1) -> Tensor {
    var rng = SplitMix64(seed: seed)
    return Tensor(shape: shape, storage: (0..<shape.reduce(1, *)).map { _ in rng.nextFloat(lo, hi) })
}

/// Straightforward Double-precision conv2d reference (PyTorch semantics, zero or replicate padding).
func detReferenceConv2d(_ x: Tensor, _ w: Tensor, _ b: Tensor?, stride s: Int, padding p: Int,
                     mode: PaddingMode, groups: Int) -> [Double] {
    let g = Conv2DGeometry(input: x.shape, weight: w.shape, stride: s, padding: p, groups: groups,
                           paddingMode: mode)
    let ipg = g.inChannels / groups, opg = g.outChannels / groups
    var out = [Double](repeating: 0, count: g.outputShape.reduce(1, *))
    var o = 0
    for n in 0..<g.batch {
        for co in 0..<g.outChannels {
            let gi = co / opg
            for oy in 0..<g.outHeight {
                for ox in 0..<g.outWidth {
                    var acc = Double(b?.storage[co] ?? 0)
                    for ci in 0..<ipg {
                        for ky in 0..<g.kernelH {
                            for kx in 0..<g.kernelW {
                                var iy = oy * s + ky - p, ix = ox * s + kx - p
                                if iy < 0 || iy >= g.height || ix < 0 || ix >= g.width {
                                    if mode == .zeros { continue }
                                    iy = min(max(iy, 0), g.height - 1); ix = min(max(ix, 0), g.width - 1)
                                }
                                acc += Double(x[n, gi * ipg + ci, iy, ix]) * Double(w[co, ci, ky, kx])
                            }
                        }
                    }
                    out[o] = acc; o += 1
                }
            }
        }
    }
    return out
}

/// Double-precision transposed conv2d reference (PyTorch `conv_transpose2d`, weight [cin, cout/g, kh, kw]).
func detReferenceConvTranspose2d(_ x: Tensor, _ w: Tensor, _ b: Tensor?, stride s: Int, padding p: Int,
                              outputPadding op: Int, groups: Int) -> (shape: [Int], values: [Double]) {
    let n = x.shape[0], cin = x.shape[1], h = x.shape[2], wd = x.shape[3]
    let opg = w.shape[1], kh = w.shape[2], kw = w.shape[3], ipg = cin / groups
    let cout = opg * groups
    let oh = (h - 1) * s - 2 * p + kh + op, ow = (wd - 1) * s - 2 * p + kw + op
    var out = [Double](repeating: 0, count: n * cout * oh * ow)
    for b0 in 0..<n {
        for co in 0..<cout { for i in 0..<(oh * ow) { out[(b0 * cout + co) * oh * ow + i] = Double(b?.storage[co] ?? 0) } }
        for ci in 0..<cin {
            let gi = ci / ipg
            for iy in 0..<h { for ix in 0..<wd {
                let v = Double(x[b0, ci, iy, ix])
                for c in 0..<opg { for ky in 0..<kh { for kx in 0..<kw {
                    let oy = iy * s - p + ky, ox = ix * s - p + kx
                    if oy < 0 || oy >= oh || ox < 0 || ox >= ow { continue }
                    out[((b0 * cout + gi * opg + c) * oh + oy) * ow + ox] += v * Double(w[ci, c, ky, kx])
                } } }
            } }
        }
    }
    return ([n, cout, oh, ow], out)
}

/// Largest |a - b| / (1 + |b|) over two equally long arrays.
func detMaxRelativeError(_ a: [Float], _ b: [Double]) -> Double {
    precondition(a.count == b.count, "lengths \(a.count) vs \(b.count)")
    var worst = 0.0
    for (x, y) in zip(a, b) { worst = max(worst, abs(Double(x) - y) / (1 + abs(y))) }
    return worst
}

/// Runs `op` for threads 1, 2, 8 and both variants and checks all results are bit-identical;
/// returns the threads-1 SIMD result.
func detAssertInvariant(_ name: String, file: StaticString = #filePath, line: UInt = #line,
                     _ op: (_ threads: Int, _ variant: KernelVariant) -> Tensor) -> Tensor {
    let base = op(1, .simd)
    for variant in KernelVariant.allCases {
        for threads in [1, 2, 8] where !(threads == 1 && variant == .simd) {
            let r = op(threads, variant)
            XCTAssertEqual(r.shape, base.shape, "\(name): shape, threads \(threads) \(variant)", file: file, line: line)
            let same = r.storage.count == base.storage.count
                && zip(r.storage, base.storage).allSatisfy { $0.bitPattern == $1.bitPattern }
            XCTAssertTrue(same, "\(name): bits differ for threads \(threads) variant \(variant)", file: file, line: line)
        }
    }
    return base
}

/// The agreement expected between a deterministic decode kernel and the training kernel for the
/// same op: max |a - b| / (1 + |b|) (spec/deterministic-math.md §4).
let deterministicVersusTrainingTolerance = 1e-5

/// Asserts that a deterministic kernel's output is within `deterministicVersusTrainingTolerance`
/// of another implementation's (e.g. the training kernels) for the same inputs.
func assertDeterministicMatches(_ deterministic: Tensor, _ other: Tensor, _ name: String,
                                file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(deterministic.shape, other.shape, "\(name): shapes", file: file, line: line)
    let err = detMaxRelativeError(deterministic.storage, other.storage.map(Double.init))
    XCTAssertLessThan(err, deterministicVersusTrainingTolerance, "\(name): deterministic vs other", file: file, line: line)
}
