import Plotting

/// Per-frame plots of one clip across its first GOP: PSNR (YUV and Y) and frame sizes (all
/// frames, and the P-frames alone so the I-frame does not flatten them), one line per rate
/// point of every row with a per-frame series.
public enum DriftPlots {
    /// The file name of a clip's plot in the output directory (the clip name made file-safe).
    public static func fileName(clip: String) -> String {
        let safe = clip.unicodeScalars.map { scalar -> String in
            let c = Character(scalar)
            return c.isASCII && (c.isLetter || c.isNumber || c == "-" || c == "_" || c == ".") ? String(c) : "_"
        }.joined()
        return "drift-\(safe).svg"
    }

    /// The legend name of a row's line.
    static func seriesName(_ r: ResultRow, methods: Int) -> String { methods > 1 ? "\(r.method) \(r.point)" : r.point }

    /// The plot of `clip`, or nil when none of its rows has a per-frame series.
    public static func svg(_ table: ResultsTable, clip: String, title: String) -> String? {
        let rows = table.rows.filter { $0.clip == clip && $0.error == nil && $0.perFrame != nil }
        guard !rows.isEmpty else { return nil }
        let methods = Set(rows.map(\.method)).count
        let names = rows.map { seriesName($0, methods: methods) }
        func panel(_ title: String, pOnly: Bool, _ value: (FrameSeries, Int) -> Double) -> SVGPlot.Panel {
            SVGPlot.Panel(title: title, series: zip(rows, names).map { r, name in
                let s = r.perFrame!
                let gop = s.gops.first ?? 0..<0
                let pts = gop.filter { !pOnly || s.types[$0] == "P" }.map { (x: Double($0), y: value(s, $0)) }
                return SVGPlot.Series(name: name, points: pts)
            })
        }
        let panels = [
            panel("PSNR YUV 6:1:1 (dB)", pOnly: false) { $0.psnrYUV[$1] },
            panel("PSNR Y (dB)", pOnly: false) { $0.psnrY[$1] },
            panel("kbit per frame", pOnly: false) { Double($0.bytes[$1]) * 8 / 1000 },
            panel("kbit per P-frame", pOnly: true) { Double($0.bytes[$1]) * 8 / 1000 },
        ]
        let size = rows.first.map { " (\($0.width)x\($0.height))" } ?? ""
        return SVGPlot(title: "\(title): \(clip)\(size), first GOP, frame by frame", xLabel: "frame",
                       yLabel: "dB or kbit (see panel title)", panels: panels, legend: names).render()
    }
}
