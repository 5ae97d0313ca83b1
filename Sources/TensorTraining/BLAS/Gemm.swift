import Tensor
import COpenBLAS

/// Thin wrappers over OpenBLAS `cblas_sgemm` (row-major), plus its thread count.
public enum Gemm {
    nonisolated(unsafe) private static var currentThreads = -1

    /// Sets OpenBLAS's own thread count (cached so repeated calls are free).
    public static func setThreads(_ n: Int) {
        if n != currentThreads {
            openblas_set_num_threads(Int32(n))
            currentThreads = n
        }
    }

    /// C[m,n] = alpha * op(A)[m,k] * op(B)[k,n] + beta * C, all row-major with leading dimensions.
    @inline(__always)
    public static func sgemm(transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int,
                             alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
                             b: UnsafePointer<Float>, ldb: Int,
                             beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int) {
        if m == 0 || n == 0 { return }
        if k == 0 {
            // BLAS would only scale C; do it here so beta = 0 clears garbage.
            for i in 0..<m { for j in 0..<n { c[i * ldc + j] = beta == 0 ? 0 : beta * c[i * ldc + j] } }
            return
        }
        cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }
}
