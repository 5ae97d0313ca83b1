import Foundation

extension Report {
    /// Drift across GOPs for the rows with per-frame data (our codec with P-frames): a summary per
    /// rate point, the first/last P-frame PSNR of every GOP, and the per-frame plots of each clip.
    func driftSection() -> String {
        let rows = table.rows.filter { $0.error == nil && $0.perFrame != nil }
        guard !rows.isEmpty else { return "" }
        let allowed = String(format: "%.0f", GOPDrift.allowedDrop)
        var s = "## Drift across GOPs\n\n"
        s += "Per-frame PSNR of the decoded frames and real frame sizes (each frame unit's bytes as stored in the "
        s += "`.dcv` file, framing and CRC included) of our codec's streams with P-frames. Target (issue #11): the "
        s += "last P-frame of every GOP within \(allowed) dB of the first, at every rate point. "
        s += "Drop = first P-frame PSNR - last P-frame PSNR (positive: the last is worse).\n\n"
        s += "| method | point | GOPs | worst drop YUV (dB) | worst drop Y (dB) | mean I-frame kbit | mean P-frame kbit | last P within \(allowed) dB |\n"
        s += "|---|---|---:|---:|---:|---:|---:|---|\n"
        func kbit(_ v: Double?) -> String { v.map { String(format: "%.1f", $0) } ?? "" }
        for p in PointDrift.summarize(rows) {
            s += "| \(p.method) | \(p.point) | \(p.gops) | " + String(format: "%+.2f | %+.2f", p.worstDropYUV, p.worstDropY)
            s += " | \(kbit(p.meanIKbit)) | \(kbit(p.meanPKbit)) | \(p.gops == 0 ? "no P-frames" : p.withinTarget ? "yes" : "**no**") |\n"
        }
        s += "\n**First and last P-frame of each GOP** (PSNR in dB)\n\n"
        s += "| video | method | point | GOP (frames) | first P | YUV first | YUV last | YUV drop | Y first | Y last | Y drop |\n"
        s += "|---|---|---|---|---:|---:|---:|---:|---:|---:|---:|\n"
        for r in rows {
            for d in GOPDrift.of(r) {
                s += "| \(d.clip) | \(d.method) | \(d.point) | \(d.gop) (\(d.frames.lowerBound)-\(d.frames.upperBound - 1)) | \(d.firstP) | "
                s += String(format: "%.2f | %.2f | %+.2f | %.2f | %.2f | %+.2f", d.firstYUV, d.lastYUV, d.dropYUV,
                            d.firstY, d.lastY, d.dropY)
                s += d.withinTarget ? " |\n" : " **(over \(allowed) dB)** |\n"
            }
        }
        s += "\n"
        let plotted = clips.filter { driftPlots[$0] != nil }
        if !plotted.isEmpty {
            s += "Per-frame PSNR and frame sizes across the first GOP, one line per rate point:\n\n"
            for clip in plotted { s += "- [\(clip)](\(driftPlots[clip]!))\n" }
            s += "\n"
            for clip in plotted { s += "![drift \(clip)](\(driftPlots[clip]!))\n\n" }
        }
        return s
    }
}
