import Foundation
import Media

/// Squared-error sums of one frame pair, per plane, from which PSNR figures are formed.
///
/// Averaging rule (docs/evaluation.md): PSNR is computed from the mean of per-frame MSE over the sequence,
/// per plane; the YUV figure weighs planes 6:1:1 as (6 MSE_Y + MSE_U + MSE_V) / 8.
public struct PlaneErrors: Sendable, Equatable {
    /// Mean squared error of Y, U, V on the 0-255 scale.
    public var y: Double, u: Double, v: Double

    /// Errors between two frames of equal size and format.
    public init(_ a: VideoFrame, _ b: VideoFrame) throws {
        guard a.width == b.width, a.height == b.height, a.format == b.format else {
            throw EvaluationError("frames differ in size or format: \(a.width)x\(a.height) \(a.format.rawValue) vs \(b.width)x\(b.height) \(b.format.rawValue)")
        }
        y = PlaneErrors.mse(a.y, b.y)
        u = PlaneErrors.mse(a.u, b.u)
        v = PlaneErrors.mse(a.v, b.v)
    }

    init(y: Double, u: Double, v: Double) { self.y = y; self.u = u; self.v = v }

    /// The 6:1:1 weighted MSE.
    public var yuv: Double { (6 * y + u + v) / 8 }

    static func mse(_ a: [UInt8], _ b: [UInt8]) -> Double {
        var sum: UInt64 = 0
        for i in 0..<a.count {
            let d = Int(a[i]) - Int(b[i])
            sum += UInt64(d * d)
        }
        return a.isEmpty ? 0 : Double(sum) / Double(a.count)
    }
}

/// PSNR in dB of an 8-bit MSE (capped at 100 dB for identical planes).
public func psnr(mse: Double) -> Double {
    mse <= 0 ? 100 : min(100, 10 * log10(255 * 255 / mse))
}

/// Running per-sequence PSNR: add frames, read the mean-of-MSE figures.
public struct SequencePSNR: Sendable {
    public private(set) var frames = 0
    private var sum = PlaneErrors(y: 0, u: 0, v: 0)

    public init() {}

    public mutating func add(_ e: PlaneErrors) {
        frames += 1
        sum.y += e.y; sum.u += e.u; sum.v += e.v
    }

    private var mean: PlaneErrors {
        let n = Double(max(frames, 1))
        return PlaneErrors(y: sum.y / n, u: sum.u / n, v: sum.v / n)
    }

    public var y: Double { psnr(mse: mean.y) }
    public var u: Double { psnr(mse: mean.u) }
    public var v: Double { psnr(mse: mean.v) }
    /// PSNR of the 6:1:1 weighted mean MSE.
    public var yuv: Double { psnr(mse: mean.yuv) }
}

/// A measurement that cannot be made, with the reason.
public struct EvaluationError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
