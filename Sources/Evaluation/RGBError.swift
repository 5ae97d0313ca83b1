import Media

/// Mean squared error of two RGB pictures on the 0-255 scale, over all three channels.
///
/// PSNR RGB (docs/evaluation.md) is formed from the mean over frames of this per-frame MSE.
public func rgbMSE(_ a: RGBPlanes, _ b: RGBPlanes) throws -> Double {
    guard a.width == b.width, a.height == b.height else {
        throw EvaluationError("RGB pictures differ in size: \(a.width)x\(a.height) vs \(b.width)x\(b.height)")
    }
    var sum = 0.0
    a.data.withUnsafeBufferPointer { pa in
        b.data.withUnsafeBufferPointer { pb in
            // Rows of Float partial sums keep the loop vectorisable; the total is in Double.
            let n = pa.count, chunk = 4096
            var start = 0
            while start < n {
                let end = min(start + chunk, n)
                var part: Float = 0
                for i in start..<end {
                    let d = pa[i] - pb[i]
                    part += d * d
                }
                sum += Double(part)
                start = end
            }
        }
    }
    return a.data.isEmpty ? 0 : sum / Double(a.data.count) * 255 * 255
}
