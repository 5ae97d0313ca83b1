// TEMPORARY STAND-INS — DELETE THIS FILE WHEN THE REAL SSIM / MS-SSIM / LPIPS ARE MERGED.
//
// The evaluation runner calls `ssim`, `msssim` and `LPIPSModel` with exactly the signatures
// below; another branch implements them properly (Gaussian windows, five MS-SSIM scales, LPIPS-Alex
// with our kernels). Until that branch is merged these crude versions keep the runner building:
// SSIM from whole-picture statistics per channel (no window), MS-SSIM equal to that, and an
// LPIPS model that can never load (so the LPIPS column stays empty with a warning).

import Foundation
import Media

/// STAND-IN: SSIM from global per-channel statistics (no sliding window), mean over R, G, B.
public func ssim(_ a: RGBPlanes, _ b: RGBPlanes) throws -> Double {
    guard a.width == b.width, a.height == b.height else {
        throw EvaluationError("SSIM: pictures differ in size: \(a.width)x\(a.height) vs \(b.width)x\(b.height)")
    }
    let n = a.planeCount, c1 = 0.0001, c2 = 0.0009  // (0.01 L)^2, (0.03 L)^2 with L = 1
    var total = 0.0
    for c in 0..<3 {
        var ma = 0.0, mb = 0.0
        for i in c * n..<(c + 1) * n { ma += Double(a.data[i]); mb += Double(b.data[i]) }
        ma /= Double(n); mb /= Double(n)
        var va = 0.0, vb = 0.0, cov = 0.0
        for i in c * n..<(c + 1) * n {
            let da = Double(a.data[i]) - ma, db = Double(b.data[i]) - mb
            va += da * da; vb += db * db; cov += da * db
        }
        va /= Double(n); vb /= Double(n); cov /= Double(n)
        total += ((2 * ma * mb + c1) * (2 * cov + c2)) / ((ma * ma + mb * mb + c1) * (va + vb + c2))
    }
    return total / 3
}

/// STAND-IN: returns the stand-in SSIM.
public func msssim(_ a: RGBPlanes, _ b: RGBPlanes) throws -> Double {
    try ssim(a, b)
}

/// STAND-IN: an LPIPS model that reports its weights as missing.
public final class LPIPSModel {
    public init(path: String) throws {
        throw EvaluationError("\(path): LPIPS is not in this build yet (stand-in)")
    }

    public func distance(_ a: RGBPlanes, _ b: RGBPlanes) throws -> Double {
        throw EvaluationError("LPIPS is not in this build yet (stand-in)")
    }

    public static func defaultPath(dataDir: String) -> String {
        (dataDir as NSString).appendingPathComponent("lpips/alex-lpips-v0.1.safetensors")
    }
}
