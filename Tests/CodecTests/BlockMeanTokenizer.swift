import Bitstream
import Codec
import CodecEncoder
import Tensor

/// A tiny stand-in I-frame model for pipeline tests: each f x f block's mean colour, quantized by a
/// residual scalar quantizer whose step halves at every level (level 0 on a 4x4x4 colour grid).
final class BlockMeanTokenizer: IntraEncodingTokenizer {
    let modelName = "test-blockmean"
    let weightRefs = [WeightRef(name: "none.safetensors", sha256: [UInt8](repeating: 7, count: 32))]
    let downsampling: Int
    let maxLevels = 4
    let codebookSize = 64

    init(downsampling: Int = 8) { self.downsampling = downsampling }

    private func step(_ level: Int) -> Float { 1 / Float(4 << level) }

    /// Level l codes each channel's residual with 4 steps of `step(l)`, centred for l > 0.
    private func code(_ r: Float, level: Int) -> Int {
        let s = step(level)
        let q = level == 0 ? Int((r / s).rounded(.down)) : Int((r / s).rounded()) + 2
        return min(max(q, 0), 3)
    }

    private func value(_ q: Int, level: Int) -> Float {
        let s = step(level)
        return level == 0 ? (Float(q) + 0.5) * s : Float(q - 2) * s
    }

    func encode(_ image: Tensor, levels: Int, threads: Int) throws -> IndexPlanes {
        let h = image.shape[2], w = image.shape[3], f = downsampling
        let lw = w / f, lh = h / f
        var planes = [[Int32]](repeating: [Int32](repeating: 0, count: lw * lh), count: levels)
        for by in 0..<lh {
            for bx in 0..<lw {
                var residual = (0..<3).map { c -> Float in
                    var s: Float = 0
                    for y in 0..<f { for x in 0..<f { s += image[0, c, by * f + y, bx * f + x] } }
                    return s / Float(f * f)
                }
                for l in 0..<levels {
                    var symbol = 0
                    for c in 0..<3 {
                        let q = code(residual[c], level: l)
                        residual[c] -= value(q, level: l)
                        symbol = symbol * 4 + q
                    }
                    planes[l][by * lw + bx] = Int32(symbol)
                }
            }
        }
        return IndexPlanes(width: lw, height: lh, planes: planes)
    }

    func decode(_ indices: IndexPlanes, threads: Int) throws -> Tensor {
        let f = downsampling
        var out = Tensor(shape: [1, 3, indices.height * f, indices.width * f])
        for by in 0..<indices.height {
            for bx in 0..<indices.width {
                var rgb: [Float] = [0, 0, 0]
                for (l, plane) in indices.planes.enumerated() {
                    let s = Int(plane[by * indices.width + bx])
                    for c in 0..<3 { rgb[c] += value((s >> (2 * (2 - c))) & 3, level: l) }
                }
                for c in 0..<3 {
                    for y in 0..<f { for x in 0..<f { out[0, c, by * f + y, bx * f + x] = rgb[c] } }
                }
            }
        }
        return out
    }
}
