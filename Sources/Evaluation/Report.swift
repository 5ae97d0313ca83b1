import Foundation

/// `report.md` of an experiment: what was run where, BD-rate and BD-PSNR of every method against
/// the anchor per video and on average, the plots, and every row.
public struct Report {
    public var config: EvalConfig
    public var table: ResultsTable
    /// The metrics whose plots were written.
    public var plots: [PlotMetric]
    /// A note about LPIPS (weights missing), if any.
    public var lpipsNote: String?
    /// A note about FID (weights missing), if any.
    public var fidNote: String?
    /// The per-frame drift plot of each clip that has one (file names in the output directory).
    public var driftPlots: [String: String] = [:]
    /// When the report is written (a parameter so tests can fix it).
    public var date = Date()

    public init(config: EvalConfig, table: ResultsTable, plots: [PlotMetric], lpipsNote: String?) {
        self.config = config; self.table = table; self.plots = plots; self.lpipsNote = lpipsNote
    }

    /// Clips in table order.
    var clips: [String] {
        var out: [String] = []
        for r in table.rows where !out.contains(r.clip) { out.append(r.clip) }
        return out
    }

    public func markdown() -> String {
        var s = "# \(config.name): rate-distortion results\n\n"
        if let d = config.description { s += d + "\n\n" }
        s += conditions() + "\n" + bdSections() + plotSection() + driftSection() + rowsSection() + notes()
        return s
    }

    private func conditions() -> String {
        let stamp = ISO8601DateFormatter().string(from: date)
        var s = "## Conditions\n\n"
        s += "- Config: `\(config.path)`; written by `dcvc-eval --config \(config.path)` at \(stamp).\n"
        s += "- Machine: \(Report.cpuModel()), \(ProcessInfo.processInfo.activeProcessorCount) cores; "
        s += "`dcvc-enc`/`dcvc-dec` threads: \(config.threads.map(String.init) ?? "default (all cores)"); "
        s += "x265/x264: libavcodec's default threading; decoding for timing: 1 thread.\n"
        s += "- Frames: the first \(config.frames) of each video (or all, if fewer); intra period \(config.intraPeriod)"
        let overrides = config.methods.filter { $0.intraPeriod != config.intraPeriod }
        if !overrides.isEmpty {
            s += " (" + overrides.map { "\($0.name): \($0.intraPeriod)" }.joined(separator: ", ") + ")"
        }
        s += ".\n"
        if let anchor = config.anchor {
            s += "- Anchor for BD figures: **\(anchor)**"
            if !config.extraAnchors.isEmpty {
                s += "; also measured against " + config.extraAnchors.map { "**\($0)**" }.joined(separator: ", ")
            }
            s += ".\n"
        }
        if let cap = config.bdMaxBpp {
            s += "- BD figures use only the points at or below \(formatNumber(cap)) bpp (`bd_max_bpp`); the plots and the table of points show them all.\n"
        }
        s += "\n| video | path | size | frames |\n|---|---|---|---|\n"
        for clip in clips {
            let r = table.rows.first { $0.clip == clip && $0.width > 0 } ?? table.rows.first { $0.clip == clip }!
            s += "| \(clip) | `\(r.video)` | \(r.width)x\(r.height) | \(r.frames) |\n"
        }
        s += "\n| method | kind | rate points | settings |\n|---|---|---|---|\n"
        for m in config.methods {
            let points = m.points.map(\.label).joined(separator: ", ")
            let settings: String
            switch m.kind {
            case .dcvc:
                settings = "`dcvc-enc " + m.args.joined(separator: " ") + "` + per point: "
                    + m.points.map { "\($0.label): `\($0.args.joined(separator: " "))`" }.joined(separator: "; ")
            case .x265, .x264:
                let o = BaselineCodec(method: m).options(EvalPoint(label: "", args: [], crf: 0))
                settings = "lib\(m.kind.rawValue) " + o.keys.sorted().filter { $0 != "crf" }
                    .map { "\($0)=\(o[$0]!)" }.joined(separator: " ") + " (g = keyint)"
            }
            s += "| \(m.name) | \(m.kind.rawValue) | \(points) | \(settings) |\n"
        }
        return s
    }

    /// BD-rate and BD-PSNR tables against each anchor, after a summary of the averages.
    private func bdSections() -> String {
        let anchors = config.anchors
        guard !anchors.isEmpty else { return "" }
        var reasons: [String] = []
        var s = anchors.count > 1 ? bdSummary(anchors) : ""
        for anchor in anchors { s += bdSections(anchor: anchor, reasons: &reasons) }
        if !reasons.isEmpty {
            s += "n/a:\n\n" + Set(reasons).sorted().map { "- \($0)\n" }.joined() + "\n"
        }
        return s
    }

    /// One line per method: its average BD-rate (PSNR YUV and RGB) against every anchor, side by side.
    func bdSummary(_ anchors: [String]) -> String {
        var s = "## BD-rate summary\n\n"
        s += "Mean over videos of the per-video BD-rate (percent; negative: fewer bits than the anchor), "
        s += "against each anchor; the sections below give the per-video figures.\n\n"
        let metrics: [PlotMetric] = [.psnrYUV, .psnrRGB]
        s += "| method | " + anchors.flatMap { a in metrics.map { "vs \(a), \($0.title)" } }.joined(separator: " | ") + " |\n"
        s += "|---|" + String(repeating: "---:|", count: anchors.count * metrics.count) + "\n"
        for m in config.methods.map(\.name) {
            var cells: [String] = []
            for a in anchors {
                for metric in metrics {
                    if a == m { cells.append("(anchor)"); continue }
                    let values = clips.compactMap { try? Bjontegaard.rate(anchor: curve($0, a, metric), test: curve($0, m, metric)) }
                    guard !values.isEmpty else { cells.append("n/a"); continue }
                    var text = String(format: "%+.1f %%", values.reduce(0, +) / Double(values.count))
                    if values.count < clips.count { text += " (\(values.count) of \(clips.count))" }
                    cells.append(text)
                }
            }
            s += "| \(m) | " + cells.joined(separator: " | ") + " |\n"
        }
        return s + "\n"
    }

    /// BD-rate and BD-PSNR tables of every other method against `anchor`.
    private func bdSections(anchor: String, reasons: inout [String]) -> String {
        let others = config.methods.map(\.name).filter { $0 != anchor }
        guard !others.isEmpty else { return "" }
        var s = "## BD-rate against \(anchor)\n\n"
        s += "Average bit-rate difference at equal quality, in percent (negative: fewer bits than \(anchor)). "
        s += "Piecewise cubic (pchip) interpolation of log-rate over the overlapping quality range, as the "
        s += "`bd-metric` package computes it; the average column is the mean of the per-video figures.\n\n"
        var metrics: [PlotMetric] = [.psnrYUV, .psnrRGB]
        if table.rows.contains(where: { $0.msssim != nil }) { metrics.append(.msssim) }
        if table.rows.contains(where: { $0.lpips != nil }) { metrics.append(.lpips) }
        if table.rows.contains(where: { $0.fid != nil }) { metrics.append(.fid) }
        for metric in metrics {
            s += "**\(metric.title)**\n\n"
            if !metric.higherIsBetter { s += "At equal \(metric.title.split(separator: " ")[0]): the interpolation runs on its negative, so that quality rises with rate.\n\n" }
            s += bdTable(anchor: anchor, methods: others, metric: metric, rate: true, reasons: &reasons)
        }
        s += "## BD-PSNR against \(anchor)\n\n"
        s += "Average quality difference at equal rate, in dB (positive: better than \(anchor)); same interpolation.\n\n"
        for metric in [PlotMetric.psnrYUV, .psnrRGB] {
            s += "**\(metric.title)**\n\n" + bdTable(anchor: anchor, methods: others, metric: metric, rate: false, reasons: &reasons)
        }
        return s
    }

    private func bdTable(anchor: String, methods: [String], metric: PlotMetric, rate: Bool,
                         reasons: inout [String]) -> String {
        var s = "| method | " + clips.joined(separator: " | ") + " | average |\n"
        s += "|---|" + String(repeating: "---:|", count: clips.count + 1) + "\n"
        for m in methods {
            var values: [Double] = []
            var cells: [String] = []
            for clip in clips {
                do {
                    let v = try bd(anchor: curve(clip, anchor, metric), test: curve(clip, m, metric), rate: rate)
                    values.append(v)
                    cells.append(String(format: rate ? "%+.1f %%" : "%+.2f", v))
                } catch {
                    cells.append("n/a")
                    reasons.append("\(m) vs \(anchor) on \(clip), \(metric.title): \(error)")
                }
            }
            var avg = "n/a"
            if !values.isEmpty {
                let mean = values.reduce(0, +) / Double(values.count)
                avg = String(format: rate ? "%+.1f %%" : "%+.2f", mean)
                if values.count < clips.count { avg += " (\(values.count) of \(clips.count))" }
            }
            s += "| \(m) | " + cells.joined(separator: " | ") + " | \(avg) |\n"
        }
        return s + "\n"
    }

    private func bd(anchor: [RDPoint], test: [RDPoint], rate: Bool) throws -> Double {
        rate ? try Bjontegaard.rate(anchor: anchor, test: test) : try Bjontegaard.quality(anchor: anchor, test: test)
    }

    /// A method's measured points on one clip for one metric (its negative for a metric where
    /// lower is better, LPIPS and FID, so that every curve's quality rises with rate as BD needs),
    /// without the points above the config's `bd_max_bpp`.
    func curve(_ clip: String, _ method: String, _ metric: PlotMetric) -> [RDPoint] {
        table.rows.filter { $0.clip == clip && $0.method == method && $0.error == nil }
            .compactMap { r in r.bpp.flatMap { b in r.value(metric).map { RDPoint(rate: b, quality: metric.higherIsBetter ? $0 : -$0) } } }
            .filter { p in config.bdMaxBpp.map { p.rate <= $0 } ?? true }
    }

    private func plotSection() -> String {
        guard !plots.isEmpty else { return "" }
        var s = "## Plots\n\nOne panel per video, one curve per method (bits per pixel on x).\n\n"
        for p in plots { s += "![\(p.title)](\(p.fileName))\n\n" }
        return s
    }

    private func rowsSection() -> String {
        var s = "## All points\n\n"
        s += "| video | method | point | bytes | bpp | PSNR RGB | PSNR YUV | SSIM | MS-SSIM | LPIPS | FID/256 | enc s | dec s | enc MiB | dec MiB |\n"
        s += "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n"
        func c(_ v: Double?, _ d: Int) -> String { v.map { String(format: "%.\(d)f", $0) } ?? "" }
        func mib(_ bytes: Int?) -> Double? { bytes.map { Double($0) / 1_048_576 } }
        for r in table.rows {
            if let e = r.error {
                let text = e.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
                s += "| \(r.clip) | \(r.method) | \(r.point) | error: \(text) |" + String(repeating: " |", count: 11) + "\n"
                continue
            }
            s += "| \(r.clip) | \(r.method) | \(r.point) | \(r.bytes.map(String.init) ?? "") | \(c(r.bpp, 4)) | "
            s += "\(c(r.psnrRGB, 2)) | \(c(r.psnrYUV, 2)) | \(c(r.ssim, 4)) | \(c(r.msssim, 4)) | \(c(r.lpips, 4)) | \(c(r.fid, 2)) | "
            s += "\(c(r.encodeSeconds, 2)) | \(c(r.decodeSeconds, 2)) | \(c(mib(r.encodePeakRSS), 1)) | \(c(mib(r.decodePeakRSS), 1)) |\n"
        }
        var missing: [String] = []
        for r in table.rows {
            for (m, reason) in (r.unmeasured ?? [:]).sorted(by: { $0.key < $1.key }) {
                missing.append("- \(r.clip) \(r.method) \(r.point): \(m) not measured: \(reason)")
            }
        }
        if !missing.isEmpty { s += "\n" + missing.joined(separator: "\n") + "\n" }
        return s + "\n"
    }

    private func notes() -> String {
        var s = """
            ## How the figures are formed

            - bpp = 8 x bytes / (width x height x frames). Bytes are the whole `.dcv` file for our codec \
            (headers included) and every packet x265/x264 emit for theirs (the raw Annex B stream file, \
            parameter sets included; the encoders' version SEI, text a decoder ignores, is left out: \
            x265 runs with `info=0` and x264's is removed from the file before it is counted and decoded).
            - PSNR YUV: PSNR of (6 MSE_Y + MSE_U + MSE_V) / 8 in 8-bit 4:2:0; PSNR RGB: PSNR of the mean \
            squared error over R, G, B on the 0-255 scale, both frames converted to RGB with the source's \
            colour matrix and range. Both are the PSNR of the mean over frames of the per-frame MSE.
            - SSIM, MS-SSIM and LPIPS are the mean over frames of the per-frame value (computed on RGB).
            - FID/256 is one value per row: the Fréchet Inception distance between the source's and the \
            decoded frames' 256x256 patches (the grid, and the grid shifted by 128 when both sides reach \
            384), as HiFiC and MS-ILLM report it; it is biased upwards when a row has few patches \
            (fewer than 2048), so compare it only between rows with the same patch count.
            - Encode and decode seconds are wall time: of the `dcvc-enc`/`dcvc-dec` processes (start-up \
            and model loading included), and of the libavcodec encode and decode calls for x265/x264.
            - Peak memory (MiB of resident memory): the `dcvc-enc`/`dcvc-dec` process's own peak (GNU \
            time, `ru_maxrss`: model weights, frames and buffers included); for x265/x264, which run \
            inside `dcvc-eval`, what their encode or decode added to its peak above its resident size \
            before the call (Linux `/proc/self/clear_refs` and `VmHWM`): the source frames, already in \
            memory, are not counted there, so the x265/x264 figures are lower bounds.

            """
        if let lpipsNote { s += "- \(lpipsNote)\n" }
        if let fidNote { s += "- \(fidNote)\n" }
        return s
    }

    /// The processor's model name (Linux), or a generic description.
    static func cpuModel() -> String {
        if let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
           let line = text.split(separator: "\n").first(where: { $0.hasPrefix("model name") }),
           let name = line.split(separator: ":", maxSplits: 1).last {
            return name.trimmingCharacters(in: .whitespaces)
        }
        return ProcessInfo.processInfo.operatingSystemVersionString
    }
}
