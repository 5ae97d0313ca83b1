import Tensor
extension DeterministicKernels {
    /// Matrix product C = A B for A [m, k] and B [k, n]:
    /// `C[i][j] = sum over p = 0..<k (ascending) of A[i][p] * B[p][j]`, from +0.
    /// Runs on the convolution's correlation kernel (a 1x1 conv with A as weights, B as input),
    /// SIMD across 16 columns j and 4 rows i at a time; threads split rows of C.
    public static func matmul(_ a: Tensor, _ b: Tensor, threads: Int = defaultThreadCount,
                              variant: KernelVariant = .simd) -> Tensor {
        precondition(a.rank == 2 && b.rank == 2 && a.shape[1] == b.shape[0], "matmul \(a.shape) x \(b.shape)")
        let m = a.shape[0], k = a.shape[1], n = b.shape[1]
        let storage = rowsTimesMatrix(rows: m, depth: k, columns: n, bias: nil, threads: threads,
                                      variant: variant, weightAt: { i, p in a.storage[i * k + p] },
                                      input: b.storage)
        return Tensor(shape: [m, n], storage: storage)
    }

    /// Fully connected layer as PyTorch's `linear`: x [m, k], weight [n, k], bias [n] -> [m, n],
    /// `y[i][j] = (sum over p ascending of weight[j][p] * x[i][p]) + bias[j]`.
    public static func linear(_ x: Tensor, weight: Tensor, bias: Tensor? = nil, threads: Int = defaultThreadCount,
                              variant: KernelVariant = .simd) -> Tensor {
        precondition(x.rank == 2 && weight.rank == 2 && x.shape[1] == weight.shape[1],
                     "linear \(x.shape) with weight \(weight.shape)")
        let m = x.shape[0], k = x.shape[1], n = weight.shape[0]
        if let b = bias { precondition(b.count == n) }
        // y^T = W x^T: rows are output features (bias per row), columns the m inputs.
        let xt = transpose2D(x)
        let yt = rowsTimesMatrix(rows: n, depth: k, columns: m, bias: bias?.storage, threads: threads,
                                 variant: variant, weightAt: { j, p in weight.storage[j * k + p] },
                                 input: xt.storage)
        return transpose2D(Tensor(shape: [n, m], storage: yt))
    }

    /// The exact transpose of a matrix.
    public static func transpose2D(_ x: Tensor) -> Tensor {
        precondition(x.rank == 2)
        let r = x.shape[0], c = x.shape[1]
        var out = [Float](repeating: 0, count: x.count)
        // 32 x 32 tiles, so both the reads and the writes stay in cache lines already loaded.
        x.storage.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for i0 in stride(from: 0, to: r, by: 32) {
                    for j0 in stride(from: 0, to: c, by: 32) {
                        for i in i0..<min(i0 + 32, r) {
                            for j in j0..<min(j0 + 32, c) { dst[j * r + i] = src[i * c + j] }
                        }
                    }
                }
            }
        }
        return Tensor(shape: [c, r], storage: out)
    }

    /// out[i][j] = (sum over p of weightAt(i, p) * input[p][j]) (+ bias[i]), with input [depth, columns].
    static func rowsTimesMatrix(rows: Int, depth: Int, columns: Int, bias: [Float]?, threads: Int,
                                variant: KernelVariant, weightAt: (Int, Int) -> Float, input: [Float]) -> [Float] {
        // Input rows padded to whole 32-lane steps plus slack for the vector loads.
        let stride = detRoundUp(columns, 32) + 1
        var padded = [Float](repeating: 0, count: depth * stride)
        for p in 0..<depth {
            for j in 0..<columns { padded[p * stride + j] = input[p * columns + j] }
        }
        let packed = PackedCorrelationWeights(outPerGroup: rows, inPerGroup: depth, taps: 1, groups: 1,
                                              blockWidth: 4) { _, i, p, _ in weightAt(i, p) }
        var out = [Float](repeating: 0, count: rows * columns)
        withCorrelationBuffers(input: padded, taps: [0], packed: packed, bias: bias, out: &out) { buf in
            forEachTile(packed.blocks.count, threads: threads) { range in
                for bi in range {
                    let job = CorrelationJob(input: buf.input, channelStride: stride, channels: depth, taps: buf.taps,
                                             tapCount: 1, weights: buf.weights)
                    let target = CorrelationRowTarget(out: buf.out, count: columns, laneStride: 1,
                                                      channelStride: columns, bias: buf.bias, firstChannel: 0)
                    correlateRow(job, rowOrigin: 0, blocks: UnsafeBufferPointer(rebasing: buf.blocks[bi...bi]),
                                 target: target, variant: variant)
                }
            }
        }
        return out
    }
}
