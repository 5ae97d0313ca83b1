import COpenBLAS
import Foundation
import Tensor
import TensorTraining

/// `dcvc-bench train --convs`: training-path conv GFLOP/s (forward, input grad, weight grad)
/// next to OpenBLAS sgemm in the same run — a quick check of the >= 70%-of-sgemm target.
enum ConvReport {
    static func best(_ reps: Int, _ body: () -> Void) -> Double {
        body()
        var t = Double.infinity
        for _ in 0..<reps { let t0 = now(); body(); t = min(t, now() - t0) }
        return t
    }

    /// sgemm at the reference size, re-measured beside each case (best time) so that a busy
    /// machine affects both figures alike.
    static func sgemmRate(threads: Int, a: Tensor, b: Tensor, c: inout Tensor) -> Double {
        let n = a.shape[0]
        Gemm.setThreads(threads)
        let t = best(3) {
            a.withPointer { ap in b.withPointer { bp in c.withMutablePointer { cp in
                Gemm.sgemm(m: n, n: n, k: n, a: ap, lda: n, b: bp, ldb: n, c: cp, ldc: n)
            } } }
        }
        return 2 * Double(n * n * n) / t / 1e9
    }

    static func run(threads: Int) {
        TrainingKernels.threads = threads
        let n = 1024
        var rng = RNG(seed: 3)
        let a = rng.uniformTensor([n, n]), b = rng.uniformTensor([n, n])
        var c = Tensor.zeros([n, n])
        var sgemm = sgemmRate(threads: threads, a: a, b: b, c: &c)
        print(String(format: "sgemm %dx%dx%d: %.1f GFLOP/s (%d threads)", n, n, n, sgemm, threads))
        // The reference model's own 3x3 shapes (batch 8) first, then larger single images.
        let shapes: [(String, [Int], [Int], Int, Int)] = [
            ("3x3 64->64 64x64 b8", [8, 64, 64, 64], [64, 64, 3, 3], 1, 1),
            ("3x3 64->128 32x32 b8", [8, 64, 32, 32], [128, 64, 3, 3], 1, 1),
            ("3x3 128->128 32x32 b8", [8, 128, 32, 32], [128, 128, 3, 3], 1, 1),
            ("3x3 128->128 16x16 b8", [8, 128, 16, 16], [128, 128, 3, 3], 1, 1),
            ("3x3 128->64 32x32 b8", [8, 128, 32, 32], [64, 128, 3, 3], 1, 1),
            ("3x3 64->64 128x128 b1", [1, 64, 128, 128], [64, 64, 3, 3], 1, 1),
            ("3x3 128->128 128x128 b1", [1, 128, 128, 128], [128, 128, 3, 3], 1, 1),
            ("1x1 128->128 128x128 b1", [1, 128, 128, 128], [128, 128, 1, 1], 1, 0),
            ("3x3 s2 64->64 128x128 b1", [1, 64, 128, 128], [64, 64, 3, 3], 2, 1),
        ]
        print("effective GFLOP/s, counted as direct convolution; \"im2col\" is the GEMM path measured beside it")
        for (name, xs, ws, s, p) in shapes {
            let x = rng.uniformTensor(xs), w = rng.uniformTensor(ws, -0.1, 0.1)
            let g = Conv2DGeometry(input: xs, weight: ws, stride: s, padding: p)
            let flop = 2 * Double(g.macs)
            func rates() -> (Double, Double, Double) {
                let tf = best(3) { _ = TrainingKernels.conv2d(x, weight: w, bias: nil, stride: s, padding: p) }
                let y = TrainingKernels.conv2d(x, weight: w, bias: nil, stride: s, padding: p)
                let td = best(3) { _ = TrainingKernels.conv2dBackward(y, input: x, weight: w, stride: s, padding: p, needWeight: false, needBias: false) }
                let tw = best(3) { _ = TrainingKernels.conv2dBackward(y, input: x, weight: w, stride: s, padding: p, needInput: false, needBias: false) }
                return (flop / tf / 1e9, flop / td / 1e9, flop / tw / 1e9)
            }
            let (f, d, wg) = rates()
            let winograd = TrainingKernels.usesWinograd(g)
            sgemm = max(sgemm, sgemmRate(threads: threads, a: a, b: b, c: &c))
            var line = String(format: "%-26@ fwd %6.1f  dX %6.1f  dW %6.1f GFLOP/s = %4.2f %4.2f %4.2f x sgemm %.1f",
                              name, f, d, wg, f / sgemm, d / sgemm, wg / sgemm, sgemm)
            if winograd {
                TrainingKernels.winogradEnabled = false
                let (fi, di, wi) = rates()
                TrainingKernels.winogradEnabled = true
                line += String(format: "  [winograd; im2col %.1f %.1f %.1f]", fi, di, wi)
            }
            print(line)
        }
    }
}
