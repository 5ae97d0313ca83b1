import Foundation

/// The 1-D Gaussian window of the SSIM family: `size` taps centred on 0, weights
/// exp(-x² / 2σ²) normalised to sum 1 (as pytorch-msssim's `_fspecial_gauss_1d`, in Double).
struct GaussianWindow {
    let taps: [Double]

    init(size: Int = 11, sigma: Double = 1.5) {
        precondition(size % 2 == 1, "the window size must be odd")
        let half = size / 2
        let raw = (0..<size).map { i -> Double in
            let x = Double(i - half)
            return exp(-(x * x) / (2 * sigma * sigma))
        }
        let sum = raw.reduce(0, +)
        taps = raw.map { $0 / sum }
    }

    var size: Int { taps.count }

    /// The window SSIM and MS-SSIM use: 11 taps, σ = 1.5.
    static let standard = GaussianWindow()
}
