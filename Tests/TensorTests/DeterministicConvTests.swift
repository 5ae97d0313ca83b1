@testable import Deterministic
import XCTest
@testable import Tensor

/// Deterministic convolutions: bit-identical across threads 1/2/8 and scalar/SIMD, and within
/// 1e-5 (relative to 1 + |value|) of a Double reference.
final class DeterministicConvTests: XCTestCase {
    struct Case { var n, cin, cout, h, w, k, stride, pad, groups: Int; var mode: PaddingMode }

    let cases: [Case] = [
        Case(n: 1, cin: 5, cout: 7, h: 9, w: 37, k: 3, stride: 1, pad: 1, groups: 1, mode: .zeros),
        Case(n: 2, cin: 8, cout: 8, h: 7, w: 19, k: 3, stride: 1, pad: 1, groups: 1, mode: .replicate),
        Case(n: 1, cin: 6, cout: 9, h: 11, w: 23, k: 1, stride: 1, pad: 0, groups: 1, mode: .zeros),
        Case(n: 2, cin: 5, cout: 6, h: 3, w: 64, k: 1, stride: 1, pad: 0, groups: 1, mode: .zeros),
        Case(n: 1, cin: 4, cout: 8, h: 13, w: 35, k: 3, stride: 2, pad: 1, groups: 1, mode: .zeros),
        Case(n: 1, cin: 3, cout: 5, h: 10, w: 17, k: 5, stride: 2, pad: 2, groups: 1, mode: .replicate),
        Case(n: 1, cin: 12, cout: 12, h: 9, w: 33, k: 3, stride: 1, pad: 1, groups: 12, mode: .zeros),
        Case(n: 1, cin: 6, cout: 12, h: 8, w: 21, k: 3, stride: 1, pad: 1, groups: 3, mode: .replicate),
        Case(n: 1, cin: 4, cout: 4, h: 6, w: 6, k: 4, stride: 4, pad: 0, groups: 1, mode: .zeros),
        Case(n: 1, cin: 3, cout: 2, h: 5, w: 5, k: 3, stride: 1, pad: 0, groups: 1, mode: .zeros),
        Case(n: 2, cin: 4, cout: 8, h: 9, w: 15, k: 3, stride: 2, pad: 1, groups: 4, mode: .replicate),
        // More input channels than one SIMD chunk (32 for 3x3, 64 for 1x1): partial sums cross chunks.
        Case(n: 1, cin: 70, cout: 6, h: 4, w: 21, k: 3, stride: 1, pad: 1, groups: 1, mode: .replicate),
        Case(n: 1, cin: 130, cout: 5, h: 3, w: 19, k: 1, stride: 1, pad: 0, groups: 1, mode: .zeros),
        Case(n: 1, cin: 72, cout: 8, h: 5, w: 9, k: 3, stride: 2, pad: 1, groups: 2, mode: .zeros),
        // Winograd F(2x2, 3x3) path: odd sizes (partial tiles), more than one tile chunk (> 80 tiles
        // across), every GEMM block width (cout mod 6), batches, and 1x1 products with column tails.
        Case(n: 2, cin: 13, cout: 17, h: 7, w: 171, k: 3, stride: 1, pad: 1, groups: 1, mode: .zeros),
        Case(n: 1, cin: 40, cout: 12, h: 6, w: 40, k: 3, stride: 1, pad: 1, groups: 1, mode: .zeros),
        Case(n: 1, cin: 3, cout: 4, h: 1, w: 1, k: 3, stride: 1, pad: 1, groups: 1, mode: .zeros),
        Case(n: 1, cin: 9, cout: 11, h: 5, w: 3, k: 3, stride: 1, pad: 1, groups: 1, mode: .zeros),
        Case(n: 2, cin: 9, cout: 23, h: 5, w: 61, k: 1, stride: 1, pad: 0, groups: 1, mode: .zeros),
        Case(n: 1, cin: 64, cout: 10, h: 17, w: 31, k: 1, stride: 1, pad: 0, groups: 1, mode: .zeros),
    ]

    func testConv2dInvariantAndAccurate() {
        for (i, c) in cases.enumerated() {
            let x = detRandomTensor([c.n, c.cin, c.h, c.w], seed: UInt64(10 + i))
            let w = detRandomTensor([c.cout, c.cin / c.groups, c.k, c.k], seed: UInt64(100 + i), -0.5, 0.5)
            let b = detRandomTensor([c.cout], seed: UInt64(200 + i))
            let r = detAssertInvariant("conv2d case \(i)") { t, v in
                DeterministicKernels.conv2d(x, weight: w, bias: b, stride: c.stride, padding: c.pad,
                                            paddingMode: c.mode, groups: c.groups, threads: t, variant: v)
            }
            let ref = detReferenceConv2d(x, w, b, stride: c.stride, padding: c.pad, mode: c.mode, groups: c.groups)
            XCTAssertLessThan(detMaxRelativeError(r.storage, ref), 1e-5, "conv2d case \(i)")
        }
    }

    func testConvTranspose2dInvariantAndAccurate() {
        let cases: [(n: Int, cin: Int, cout: Int, h: Int, w: Int, k: Int, s: Int, p: Int, op: Int, g: Int)] = [
            (1, 5, 6, 7, 19, 3, 2, 1, 1, 1),
            (1, 4, 3, 5, 9, 4, 2, 1, 0, 1),
            (2, 6, 6, 4, 18, 5, 2, 2, 1, 2),
            (1, 3, 4, 6, 7, 3, 1, 1, 0, 1),
            (1, 4, 4, 3, 5, 2, 3, 0, 1, 4),
            (1, 40, 5, 3, 6, 3, 2, 1, 1, 1),
        ]
        for (i, c) in cases.enumerated() {
            let x = detRandomTensor([c.n, c.cin, c.h, c.w], seed: UInt64(300 + i))
            let w = detRandomTensor([c.cin, c.cout / c.g, c.k, c.k], seed: UInt64(400 + i), -0.5, 0.5)
            let b = detRandomTensor([c.cout], seed: UInt64(500 + i))
            let r = detAssertInvariant("convTranspose2d case \(i)") { t, v in
                DeterministicKernels.convTranspose2d(x, weight: w, bias: b, stride: c.s, padding: c.p,
                                                     outputPadding: c.op, groups: c.g, threads: t, variant: v)
            }
            let ref = detReferenceConvTranspose2d(x, w, b, stride: c.s, padding: c.p, outputPadding: c.op, groups: c.g)
            XCTAssertEqual(r.shape, ref.shape)
            XCTAssertLessThan(detMaxRelativeError(r.storage, ref.values), 1e-5, "convTranspose2d case \(i)")
        }
    }
}
