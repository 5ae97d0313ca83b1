import Foundation
import Media
import Models
import Tensor
import TensorTraining

/// Rate-distortion of a tokenizer on the first frames of a video, through the real decoder path
/// (encoder on the training kernels, decoder on the deterministic kernels): RGB PSNR per prefix
/// of levels, from the mean of per-frame MSE (and, when given the network, the mean per-frame
/// LPIPS-Alex), the same for the 6:1:1-weighted MSE of full-resolution BT.601 YCbCr (the
/// weighting of `dcvc-eval`'s PSNR YUV, without its 4:2:0 chroma), and codebook usage per level. Frames are cropped to
/// the model's multiple (top-left). Bits are the uncoded index bits, L·log2(K) per latent.
/// Also counts, per level, how often an index repeats the previous frame's at the same position:
/// the temporal redundancy a prior conditioned on the previous frame's indices could use.
public struct TokenizerEvaluation {
    public var frames = 0
    public var width = 0, height = 0
    /// Prefix lengths evaluated.
    public var prefixes: [Int] = []
    /// Mean squared error per prefix (RGB, [0, 1] scale, output clamped).
    public var mse: [Double] = []
    /// Mean (6 MSE_Y + MSE_Cb + MSE_Cr) / 8 per prefix, full-range BT.601 at full resolution.
    public var mseYUV: [Double] = []
    /// Mean LPIPS-Alex per prefix (empty unless a network was given).
    public var lpips: [Double] = []
    /// Distinct codes used per level over all frames.
    public var codesUsed: [Int] = []
    /// Uncoded bits per pixel for each prefix.
    public var bpp: [Double] = []
    /// Per level, the fraction of indices equal to the previous frame's at the same position
    /// (over frames 2...n; empty with one frame).
    public var repeats: [Double] = []

    public var psnr: [Double] { Self.decibels(mse) }
    /// PSNR of `mseYUV`.
    public var psnrYUV: [Double] { Self.decibels(mseYUV) }

    private static func decibels(_ mse: [Double]) -> [Double] { mse.map { 10 * Foundation.log10(1 / max($0, 1e-12)) } }

    /// Evaluates `tokenizer` on up to `maxFrames` frames of `path`, decoding each frame from the
    /// first 1, 2, 4, 6 and 8 levels (those the model has), or from none when `decode` is false
    /// (codebook usage and repeats only, without the decoder's cost). With `lpips`, each decoded
    /// frame's LPIPS-Alex against the source is averaged too.
    public init(tokenizer tok: VQTokenizer, path: String, maxFrames: Int, threads: Int, decode: Bool = true,
                lpips network: LPIPSAlex? = nil) throws {
        let f = tok.config.factor, L = tok.config.levels
        prefixes = decode ? [1, 2, 4, 6, 8].filter { $0 <= L } : []
        mse = Array(repeating: 0, count: prefixes.count)
        mseYUV = mse
        if network != nil { lpips = Array(repeating: 0, count: prefixes.count) }
        var used = Array(repeating: Set<Int>(), count: L)
        var same = Array(repeating: 0, count: L), compared = 0
        var previous: [[Int]]?
        let reader = try openVideo(path: path, maxFrames: maxFrames)
        while let frame = try reader.nextFrame() {
            let rgb = ColorConversion.toRGB(frame)
            let w = rgb.width / f * f, h = rgb.height / f * f
            guard w > 0, h > 0 else { throw DataError.tooSmall(path: path, width: rgb.width, height: rgb.height, crop: f) }
            var x = Tensor.zeros([1, 3, h, w])
            for c in 0..<3 { for y in 0..<h { for xx in 0..<w {
                x.storage[(c * h + y) * w + xx] = rgb.data[(c * rgb.height + y) * rgb.width + xx]
            } } }
            let indices = tok.encode(x)
            for l in 0..<L { used[l].formUnion(indices[l]) }
            if let previous {
                for l in 0..<L { same[l] += zip(previous[l], indices[l]).filter { $0 == $1 }.count }
                compared += indices[0].count
            }
            previous = indices
            for (i, p) in prefixes.enumerated() {
                let y = tok.decode(indices: indices, levels: p, n: 1, height: h / f, width: w / f, threads: threads)
                var se = 0.0, seYUV = 0.0
                let plane = h * w
                for j in 0..<plane {
                    func d(_ c: Int) -> Double { Double(min(1, max(0, y.storage[c * plane + j])) - x.storage[c * plane + j]) }
                    let (r, g, b) = (d(0), d(1), d(2))
                    se += r * r + g * g + b * b
                    seYUV += Self.yuv611SquaredError(r, g, b)
                }
                mse[i] += se / Double(y.count)
                mseYUV[i] += seYUV / Double(plane)
                if let network {
                    let clamped = Tensor(shape: y.shape, storage: y.storage.map { min(1, max(0, $0)) })
                    lpips[i] += Double(Variable.noGrad { network.loss(Variable(clamped), target: x).value.item })
                }
            }
            frames += 1; width = w; height = h
        }
        mse = mse.map { $0 / Double(max(1, frames)) }
        mseYUV = mseYUV.map { $0 / Double(max(1, frames)) }
        lpips = lpips.map { $0 / Double(max(1, frames)) }
        codesUsed = used.map(\.count)
        if compared > 0 { repeats = same.map { Double($0) / Double(compared) } }
        let bitsPerLevel = Foundation.log2(Double(tok.config.codebookSize)) / Double(f * f)
        bpp = prefixes.map { Double($0) * bitsPerLevel }
    }

    /// (6 e_Y² + e_Cb² + e_Cr²) / 8 of one pixel's RGB error (r, g, b), in full-range BT.601
    /// (`InterDistortion.rgbToYCbCr`).
    public static func yuv611SquaredError(_ r: Double, _ g: Double, _ b: Double) -> Double {
        func e(_ row: Int) -> Double { ycbcr[3 * row] * r + ycbcr[3 * row + 1] * g + ycbcr[3 * row + 2] * b }
        let (luma, cb, cr) = (e(0), e(1), e(2))
        return (6 * luma * luma + cb * cb + cr * cr) / 8
    }

    private static let ycbcr = InterDistortion.rgbToYCbCr.storage.map(Double.init)

    /// A small table.
    public var report: String {
        var s = "frames \(frames) at \(width)x\(height)\nlevels  bpp(uncoded)  PSNR-RGB  PSNR-YUV444" + (lpips.isEmpty ? "" : "  LPIPS") + "\n"
        for (i, p) in prefixes.enumerated() {
            s += String(format: "%6d  %12.4f  %8.2f  %11.2f", p, bpp[i], psnr[i], psnrYUV[i])
            s += lpips.isEmpty ? "\n" : String(format: "  %5.4f\n", lpips[i])
        }
        s += "codes used per level: " + codesUsed.map(String.init).joined(separator: " ") + "\n"
        if !repeats.isEmpty {
            s += "same index as the previous frame, per level: "
                + repeats.map { String(format: "%.3f", $0) }.joined(separator: " ") + "\n"
        }
        return s
    }
}
