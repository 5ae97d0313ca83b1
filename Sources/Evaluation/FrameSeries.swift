import Foundation

/// Per-frame figures of one coded sequence, in display order: what drift across a GOP is read
/// from. Types and bytes come from the stream's frame units (real sizes, unit framing and CRC
/// included), PSNR from the decoded frames against the source.
public struct FrameSeries: Codable, Sendable, Equatable {
    /// "I" or "P" per frame, as the stream's frame units say.
    public var types: [String]
    /// Bytes of each frame unit as stored in the `.dcv` file.
    public var bytes: [Int]
    /// PSNR of the luma plane per frame.
    public var psnrY: [Double]
    /// PSNR of (6 MSE_Y + MSE_U + MSE_V) / 8 per frame.
    public var psnrYUV: [Double]

    enum CodingKeys: String, CodingKey {
        case types, bytes
        case psnrY = "psnr_y", psnrYUV = "psnr_yuv"
    }

    public init(types: [String], bytes: [Int], psnrY: [Double], psnrYUV: [Double]) {
        self.types = types; self.bytes = bytes; self.psnrY = psnrY; self.psnrYUV = psnrYUV
    }

    /// Frames in the series.
    public var count: Int { types.count }

    /// The frame ranges of the GOPs: each starts at an I-frame (a leading run of P-frames, which
    /// a valid stream never has, would form a GOP of its own).
    public var gops: [Range<Int>] {
        var starts = types.indices.filter { types[$0] == "I" }
        if starts.first != 0 && !types.isEmpty { starts.insert(0, at: 0) }
        return starts.indices.map { i in starts[i]..<(i + 1 < starts.count ? starts[i + 1] : types.count) }
    }

    /// Checks that the four lists describe the same frames.
    func validated(_ what: String) throws -> FrameSeries {
        guard bytes.count == count, psnrY.count == count, psnrYUV.count == count else {
            throw EvaluationError("\(what): \(count) frame types, \(bytes.count) sizes, \(psnrY.count) and \(psnrYUV.count) PSNR values")
        }
        return self
    }
}
