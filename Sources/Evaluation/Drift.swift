import Foundation

/// How quality falls across the P-frames of a GOP: for every GOP of a sequence with P-frames,
/// the PSNR of its first and last P-frame (issue #11's target: the last within 2 dB of the first).
public struct GOPDrift: Sendable, Equatable {
    public var clip: String, method: String, point: String
    /// 0-based GOP number and the frames it covers (I-frame first).
    public var gop: Int
    public var frames: Range<Int>
    /// Display indices of the first and last P-frame.
    public var firstP: Int, lastP: Int
    public var firstY: Double, lastY: Double
    public var firstYUV: Double, lastYUV: Double

    /// Quality lost from the first to the last P-frame, in dB (positive: the last is worse).
    public var dropY: Double { firstY - lastY }
    public var dropYUV: Double { firstYUV - lastYUV }

    /// The largest drop the target allows, in dB.
    public static let allowedDrop = 2.0

    /// True when the last P-frame is within `allowedDrop` of the first, on Y and on YUV.
    public var withinTarget: Bool { dropY <= GOPDrift.allowedDrop && dropYUV <= GOPDrift.allowedDrop }

    /// The drift of every GOP with at least one P-frame in a row's per-frame series.
    public static func of(_ row: ResultRow) -> [GOPDrift] {
        guard let s = row.perFrame else { return [] }
        var out: [GOPDrift] = []
        for (g, range) in s.gops.enumerated() {
            let ps = range.filter { s.types[$0] == "P" }
            guard let a = ps.first, let b = ps.last else { continue }
            out.append(GOPDrift(clip: row.clip, method: row.method, point: row.point, gop: g, frames: range,
                                firstP: a, lastP: b, firstY: s.psnrY[a], lastY: s.psnrY[b],
                                firstYUV: s.psnrYUV[a], lastYUV: s.psnrYUV[b]))
        }
        return out
    }
}

/// One rate point's drift over all clips and GOPs, with its mean I- and P-frame sizes.
public struct PointDrift: Sendable, Equatable {
    public var method: String, point: String
    /// GOPs measured (over all clips).
    public var gops: Int
    /// The largest drop over all GOPs, in dB.
    public var worstDropY: Double, worstDropYUV: Double
    /// Mean kbit of the I-frames and of the P-frames (over all clips).
    public var meanIKbit: Double?, meanPKbit: Double?
    /// True when every GOP of every clip meets the target.
    public var withinTarget: Bool

    /// One entry per (method, point) with per-frame data, in table order.
    public static func summarize(_ rows: [ResultRow]) -> [PointDrift] {
        var order: [String] = []
        var groups: [String: [ResultRow]] = [:]
        for r in rows where r.error == nil && r.perFrame != nil {
            let key = r.method + "\u{0}" + r.point
            if groups[key] == nil { order.append(key) }
            groups[key, default: []].append(r)
        }
        return order.compactMap { key in
            let rs = groups[key]!
            let drifts = rs.flatMap(GOPDrift.of)
            var iBits: [Double] = [], pBits: [Double] = []
            for r in rs {
                let s = r.perFrame!
                for (t, b) in zip(s.types, s.bytes) {
                    if t == "I" { iBits.append(Double(b) * 8 / 1000) } else { pBits.append(Double(b) * 8 / 1000) }
                }
            }
            func mean(_ v: [Double]) -> Double? { v.isEmpty ? nil : v.reduce(0, +) / Double(v.count) }
            return PointDrift(method: rs[0].method, point: rs[0].point, gops: drifts.count,
                              worstDropY: drifts.map(\.dropY).max() ?? 0, worstDropYUV: drifts.map(\.dropYUV).max() ?? 0,
                              meanIKbit: mean(iBits), meanPKbit: mean(pBits),
                              withinTarget: drifts.allSatisfy(\.withinTarget))
        }
    }
}
