import Tensor
/// The packed matrix product behind the Winograd 3x3 convolution and the 1x1 convolution:
/// `C[r][j] = sum over k (ascending, from +0) of A[r][k] * B[k][j]`, then optionally `+ bias[r]`.
///
/// Every element of C is one such sum: the SIMD kernel holds 6 rows x 16 columns in 6 vectors
/// (one output per lane) and the scalar path runs each element alone, so both give the same bits
/// whatever the blocking (spec/deterministic-math.md §3, §5).
struct PackedGemmA {
    /// Row blocks: first row, width (1...6) and offset of the block's [depth][width] floats.
    var blocks: [(start: Int, width: Int, offset: Int)]
    var data: [Float]
    var rows: Int
    var depth: Int

    /// Rows of A in blocks of 6 (the last one narrower), each laid out [k][row in block].
    init(rows: Int, depth: Int, _ valueAt: (_ r: Int, _ k: Int) -> Float) {
        self.rows = rows; self.depth = depth
        var blocks: [(start: Int, width: Int, offset: Int)] = []
        var start = 0
        while start < rows {
            let w = min(6, rows - start)
            blocks.append((start, w, start * depth))
            start += w
        }
        var data = [Float](repeating: 0, count: rows * depth)
        for b in blocks {
            var o = b.offset
            for k in 0..<depth { for r in 0..<b.width { data[o] = valueAt(b.start + r, k); o += 1 } }
        }
        self.blocks = blocks; self.data = data
    }
}

/// One product: A packed, B with `ldb` floats between rows, C with `ldc` floats between rows.
struct GemmOperands {
    var a: UnsafePointer<Float>
    var blocks: UnsafeBufferPointer<(start: Int, width: Int, offset: Int)>
    var depth: Int
    var b: UnsafePointer<Float>
    var ldb: Int
    var c: UnsafeMutablePointer<Float>
    var ldc: Int
    /// Columns of C computed (all rows).
    var columns: Int
    /// Added last to every element of row r, when present.
    var bias: UnsafePointer<Float>?
}

typealias GemmVector = SIMD16<Float>
typealias GemmAccumulators = (GemmVector, GemmVector, GemmVector, GemmVector, GemmVector, GemmVector)

extension DeterministicKernels {
    /// Computes C = A B (+ bias) for the operands; `variant` picks the SIMD or scalar path.
    static func gemm(_ o: GemmOperands, variant: KernelVariant) {
        var j0 = 0
        if variant == .simd {
            while j0 + 16 <= o.columns {
                for blk in o.blocks {
                    let ap = o.a + blk.offset, bp = o.b + j0, cp = o.c + blk.start * o.ldc + j0
                    let bias = o.bias.map { $0 + blk.start }
                    switch blk.width {
                    case 6: gemmStore(gemmMicro(6, ap, bp, o.ldb, o.depth), 6, cp, o.ldc, bias)
                    case 5: gemmStore(gemmMicro(5, ap, bp, o.ldb, o.depth), 5, cp, o.ldc, bias)
                    case 4: gemmStore(gemmMicro(4, ap, bp, o.ldb, o.depth), 4, cp, o.ldc, bias)
                    case 3: gemmStore(gemmMicro(3, ap, bp, o.ldb, o.depth), 3, cp, o.ldc, bias)
                    case 2: gemmStore(gemmMicro(2, ap, bp, o.ldb, o.depth), 2, cp, o.ldc, bias)
                    default: gemmStore(gemmMicro(1, ap, bp, o.ldb, o.depth), 1, cp, o.ldc, bias)
                    }
                }
                j0 += 16
            }
        }
        // Scalar path, and the SIMD path's column tail: the same sum per element.
        guard j0 < o.columns else { return }
        for blk in o.blocks {
            for r in 0..<blk.width {
                let ap = o.a + blk.offset + r, cp = o.c + (blk.start + r) * o.ldc
                let bias = o.bias?[blk.start + r]
                for j in j0..<o.columns {
                    var acc: Float = 0
                    var bp = o.b + j
                    for k in 0..<o.depth {
                        acc = acc + ap[k * blk.width] * bp[0]
                        bp += o.ldb
                    }
                    cp[j] = bias.map { acc + $0 } ?? acc
                }
            }
        }
    }
}

/// `w` rows (a constant after inlining) x 16 columns: `acc_r = acc_r + A[r][k] * B[k][j..j+15]`,
/// k ascending from +0.
@inline(__always)
func gemmMicro(_ w: Int, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ ldb: Int, _ depth: Int)
    -> GemmAccumulators {
    var a0 = GemmVector(), a1 = GemmVector(), a2 = GemmVector(), a3 = GemmVector(), a4 = GemmVector(),
        a5 = GemmVector()
    var ap = a, bp = b
    for _ in 0..<depth {
        let v = UnsafeRawPointer(bp).loadUnaligned(as: GemmVector.self)
        a0 = a0 + GemmVector(repeating: ap[0]) * v
        if w > 1 { a1 = a1 + GemmVector(repeating: ap[1]) * v }
        if w > 2 { a2 = a2 + GemmVector(repeating: ap[2]) * v }
        if w > 3 { a3 = a3 + GemmVector(repeating: ap[3]) * v }
        if w > 4 { a4 = a4 + GemmVector(repeating: ap[4]) * v }
        if w > 5 { a5 = a5 + GemmVector(repeating: ap[5]) * v }
        ap += w
        bp += ldb
    }
    return (a0, a1, a2, a3, a4, a5)
}

/// Stores the first `w` accumulators as rows of C, each `+ bias[r]` when there is a bias.
@inline(__always)
func gemmStore(_ acc: GemmAccumulators, _ w: Int, _ c: UnsafeMutablePointer<Float>, _ ldc: Int,
               _ bias: UnsafePointer<Float>?) {
    @inline(__always) func put(_ v: GemmVector, _ r: Int) {
        let x = bias.map { v + GemmVector(repeating: $0[r]) } ?? v
        UnsafeMutableRawPointer(c + r * ldc).storeBytes(of: x, as: GemmVector.self)
    }
    put(acc.0, 0)
    if w > 1 { put(acc.1, 1) }
    if w > 2 { put(acc.2, 2) }
    if w > 3 { put(acc.3, 3) }
    if w > 4 { put(acc.4, 4) }
    if w > 5 { put(acc.5, 5) }
}
