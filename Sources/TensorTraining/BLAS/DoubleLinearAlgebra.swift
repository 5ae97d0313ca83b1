import COpenBLAS

/// Double-precision dense linear algebra over OpenBLAS (row-major arrays): what statistics over
/// features need (covariances, symmetric matrix square roots), not the float training path.
public enum DoubleLinearAlgebra {
    /// C[m,n] = alpha * op(A) * op(B) + beta * C, row-major with leading dimensions.
    public static func dgemm(transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int,
                             alpha: Double = 1, a: UnsafePointer<Double>, lda: Int,
                             b: UnsafePointer<Double>, ldb: Int,
                             beta: Double = 0, c: UnsafeMutablePointer<Double>, ldc: Int) {
        if m == 0 || n == 0 { return }
        cblas_dgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    /// The product of two row-major n x n matrices.
    public static func multiply(_ a: [Double], _ b: [Double], n: Int) -> [Double] {
        precondition(a.count == n * n && b.count == n * n, "multiply of \(a.count) and \(b.count) values as \(n)x\(n)")
        var c = [Double](repeating: 0, count: n * n)
        a.withUnsafeBufferPointer { ap in b.withUnsafeBufferPointer { bp in c.withUnsafeMutableBufferPointer { cp in
            dgemm(m: n, n: n, k: n, a: ap.baseAddress!, lda: n, b: bp.baseAddress!, ldb: n, c: cp.baseAddress!, ldc: n)
        } } }
        return c
    }

    /// Eigenvalues (ascending) and, when `vectors` is true, the orthonormal eigenvectors of a
    /// symmetric n x n matrix (LAPACK `dsyevd`; only the lower triangle of `a` is read).
    /// Eigenvector k is `vectors[k * n ..< (k + 1) * n]`.
    ///
    /// - Throws: `LinearAlgebraError` when LAPACK reports a failure (it names the `info` code).
    public static func symmetricEigen(_ a: [Double], n: Int, vectors: Bool = true) throws
        -> (values: [Double], vectors: [Double]) {
        precondition(a.count == n * n, "symmetricEigen of \(a.count) values as \(n)x\(n)")
        if n == 0 { return ([], []) }
        // Row-major lower = column-major upper; a symmetric matrix is its own transpose.
        var m = a, w = [Double](repeating: 0, count: n)
        let jobz: CChar = vectors ? 86 /* V */ : 78 /* N */, uplo: CChar = 85 /* U */
        var nn = Int32(n), info: Int32 = 0, lwork: Int32 = -1, liwork: Int32 = -1
        var workSize = 0.0, iworkSize: Int32 = 0
        var jz = jobz, ul = uplo
        dsyevd_(&jz, &ul, &nn, &m, &nn, &w, &workSize, &lwork, &iworkSize, &liwork, &info, 1, 1)
        guard info == 0 else { throw LinearAlgebraError("dsyevd workspace query failed (info \(info))") }
        lwork = Int32(workSize.rounded(.up)); liwork = max(iworkSize, 1)
        var work = [Double](repeating: 0, count: Int(lwork)), iwork = [Int32](repeating: 0, count: Int(liwork))
        dsyevd_(&jz, &ul, &nn, &m, &nn, &w, &work, &lwork, &iwork, &liwork, &info, 1, 1)
        guard info == 0 else {
            throw LinearAlgebraError("dsyevd failed on a \(n)x\(n) matrix (info \(info): "
                                     + (info < 0 ? "argument \(-info) invalid)" : "no convergence)"))
        }
        // Column-major eigenvector columns are row-major rows: vector k at m[k*n...].
        return (w, vectors ? m : [])
    }
}

/// A failure of a LAPACK routine.
public struct LinearAlgebraError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
