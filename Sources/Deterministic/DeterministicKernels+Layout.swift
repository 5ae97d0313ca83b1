import Tensor
extension DeterministicKernels {
    /// Pixel shuffle (sub-pixel upsampling) as PyTorch's `pixel_shuffle`: [n, c r^2, h, w] ->
    /// [n, c, h r, w r], out[n][c][y r + i][x r + j] = in[n][c r^2 + i r + j][y][x]. Exact (a copy).
    public static func pixelShuffle(_ x: Tensor, factor r: Int, threads: Int = defaultThreadCount) -> Tensor {
        precondition(x.rank == 4 && r >= 1 && x.shape[1] % (r * r) == 0, "pixelShuffle \(x.shape) by \(r)")
        let n = x.shape[0], c = x.shape[1] / (r * r), h = x.shape[2], w = x.shape[3]
        var out = [Float](repeating: 0, count: x.count)
        x.storage.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                forEachTile(n * c * h * r, threads: threads) { rows in
                    for row in rows {
                        let oy = row % (h * r), nc = row / (h * r)
                        let y = oy / r, i = oy % r
                        let d = dst.baseAddress! + row * w * r
                        for j in 0..<r {
                            let s = src.baseAddress! + ((nc * r * r + i * r + j) * h + y) * w
                            for xx in 0..<w { d[xx * r + j] = s[xx] }
                        }
                    }
                }
            }
        }
        return Tensor(shape: [n, c, h * r, w * r], storage: out)
    }

    /// Concatenation along `axis` (exact copies).
    public static func concat(_ parts: [Tensor], axis: Int) -> Tensor {
        precondition(!parts.isEmpty, "concat of nothing")
        let rank = parts[0].rank
        precondition(axis >= 0 && axis < rank)
        for p in parts {
            precondition(p.rank == rank && (0..<rank).allSatisfy { $0 == axis || p.shape[$0] == parts[0].shape[$0] },
                         "concat shapes \(parts.map(\.shape)) along \(axis)")
        }
        let outer = parts[0].shape[..<axis].reduce(1, *)
        let inner = parts[0].shape[(axis + 1)...].reduce(1, *)
        var shape = parts[0].shape
        shape[axis] = parts.reduce(0) { $0 + $1.shape[axis] }
        var out: [Float] = []
        out.reserveCapacity(shape.reduce(1, *))
        for o in 0..<outer {
            for p in parts {
                let len = p.shape[axis] * inner
                out.append(contentsOf: p.storage[(o * len)..<((o + 1) * len)])
            }
        }
        return Tensor(shape: shape, storage: out)
    }

    /// Nearest-codeword lookup by index (embedding gather): `codebook` [k, d] and `indices` of any
    /// shape [n, h, w] give [n, d, h, w] (channels first, as the decoder consumes them). Exact.
    public static func gatherCodewords(_ codebook: Tensor, indices: [Int32], shape: [Int]) -> Tensor {
        precondition(codebook.rank == 2 && shape.count == 3 && shape.reduce(1, *) == indices.count,
                     "gatherCodewords: codebook \(codebook.shape), index shape \(shape)")
        let k = codebook.shape[0], d = codebook.shape[1]
        let n = shape[0], hw = shape[1] * shape[2]
        var out = [Float](repeating: 0, count: n * d * hw)
        for b in 0..<n {
            for p in 0..<hw {
                let i = Int(indices[b * hw + p])
                precondition(i >= 0 && i < k, "codeword index \(i) outside 0..<\(k)")
                for c in 0..<d { out[(b * d + c) * hw + p] = codebook.storage[i * d + c] }
            }
        }
        return Tensor(shape: [n, d, shape[1], shape[2]], storage: out)
    }
}
