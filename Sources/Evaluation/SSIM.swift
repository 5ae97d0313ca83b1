import Foundation
import Media

// SSIM and MS-SSIM of RGB images, in the convention of pytorch-msssim (Fang, 2020), which most
// learned-codec papers report: samples scaled to [0,255] (data range 255), an 11-tap Gaussian
// window with σ = 1.5 applied separably with no padding ("valid"), K1 = 0.01, K2 = 0.03, the mean
// of each channel's map, and the mean over R, G, B. See docs/metrics.md.

/// Structural similarity of two RGB images of the same size (1 for identical images).
///
/// Each channel's SSIM map is averaged over the positions where the whole 11x11 window fits (no
/// padding), then the three channel means are averaged. Double throughout, window included:
/// equals `pytorch_msssim.ssim(X*255, Y*255, data_range=255, win=<its window in float64>)` and
/// skimage's `structural_similarity(..., gaussian_weights=True, sigma=1.5,
/// use_sample_covariance=False, data_range=255)` to ~1e-15; pytorch-msssim's default window is
/// rounded to float32, which moves its result by a few 1e-6.
///
/// - Throws: `EvaluationError` when the sizes differ or a side is smaller than the 11-sample window.
public func ssim(_ a: RGBPlanes, _ b: RGBPlanes) throws -> Double {
    try checkSSIMInputs(a, b, metric: "SSIM")
    var sum = 0.0
    for c in 0..<3 {
        sum += SSIMStatistics(MetricPlane(a, channel: c), MetricPlane(b, channel: c)).ssim
    }
    return sum / 3
}

/// Multi-scale structural similarity of two RGB images of the same size (1 for identical images).
///
/// Per channel, as `pytorch_msssim.ms_ssim`: at scales 0..<L-1 the mean contrast-structure term
/// `cs` (clamped at 0), at the coarsest scale the mean SSIM (clamped at 0), combined as
/// Π csᵢ^wᵢ · ssim^w_last; between scales a 2x2 average pool (padding `side % 2`, zeros counted);
/// the result is the mean of the three channel values. Weights are
/// [0.0448, 0.2856, 0.3001, 0.2363, 0.1333].
///
/// **Small images.** pytorch-msssim asserts a shorter side above 160 for its 5 scales. We use
/// `L = msssimScaleCount(width:height:)`: the most scales (at most 5) whose coarsest image still
/// has both sides >= 11 (the window). Its weights are the first L standard weights renormalised
/// to sum 1. Every image with a shorter side of 161 or more gets exactly 5 scales and the standard
/// weights, so this agrees with pytorch-msssim wherever pytorch-msssim runs; CIF 352x288 gets 5,
/// QCIF 176x144 (carphone) gets 4, 40x32 gets 2, 11x11 to 20x20 get 1 (MS-SSIM = SSIM clamped at 0).
///
/// - Throws: `EvaluationError` when the sizes differ or a side is smaller than the window.
public func msssim(_ a: RGBPlanes, _ b: RGBPlanes) throws -> Double {
    try checkSSIMInputs(a, b, metric: "MS-SSIM")
    let weights = msssimWeights(scales: msssimScaleCount(width: a.width, height: a.height))
    var sum = 0.0
    for c in 0..<3 {
        var x = MetricPlane(a, channel: c), y = MetricPlane(b, channel: c)
        var value = 1.0
        for (level, w) in weights.enumerated() {
            let s = SSIMStatistics(x, y)
            if level == weights.count - 1 {
                value *= pow(max(s.ssim, 0), w)
            } else {
                value *= pow(max(s.cs, 0), w)
                x = averagePool2x2(x)
                y = averagePool2x2(y)
            }
        }
        sum += value
    }
    return sum / 3
}

/// The standard MS-SSIM scale weights (Wang, Simoncelli and Bovik, 2003), finest first.
public let msssimStandardWeights: [Double] = [0.0448, 0.2856, 0.3001, 0.2363, 0.1333]

/// How many MS-SSIM scales an image of this size gets: the most (at most 5) whose coarsest
/// scale, after the 2x2 poolings, keeps both sides >= 11; 0 when the image itself is smaller.
public func msssimScaleCount(width: Int, height: Int) -> Int {
    let window = GaussianWindow.standard.size
    var w = width, h = height, scales = 0
    while scales < msssimStandardWeights.count, w >= window, h >= window {
        scales += 1
        w = pooledSide(w)
        h = pooledSide(h)
    }
    return scales
}

/// The first `scales` standard weights, renormalised to sum 1 (the standard ones for 5).
public func msssimWeights(scales: Int) -> [Double] {
    precondition((1...msssimStandardWeights.count).contains(scales), "MS-SSIM has 1 to 5 scales")
    if scales == msssimStandardWeights.count { return msssimStandardWeights }
    let w = Array(msssimStandardWeights.prefix(scales))
    let sum = w.reduce(0, +)
    return w.map { $0 / sum }
}

func checkSSIMInputs(_ a: RGBPlanes, _ b: RGBPlanes, metric: String) throws {
    guard a.width == b.width, a.height == b.height else {
        throw EvaluationError("\(metric): images differ in size: \(a.width)x\(a.height) vs \(b.width)x\(b.height)")
    }
    let k = GaussianWindow.standard.size
    guard a.width >= k, a.height >= k else {
        throw EvaluationError("\(metric): a \(a.width)x\(a.height) image is smaller than the \(k)x\(k) Gaussian window")
    }
}
