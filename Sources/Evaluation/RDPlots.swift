import Plotting

/// Rate-distortion plots of a results table: for one metric, one panel per video (bpp on x, the
/// metric on y) with one curve per method through its rate points in rate order. Videos are not
/// averaged together: their rates and qualities are not comparable.
public enum RDPlots {
    /// The plot of `metric`, or nil when no row has a value for it.
    public static func svg(_ table: ResultsTable, metric: PlotMetric, methods: [String], title: String) -> String? {
        let measured = table.rows.filter { $0.error == nil && $0.bpp != nil && $0.value(metric) != nil }
        guard !measured.isEmpty else { return nil }
        var clips: [String] = []
        for r in table.rows where !clips.contains(r.clip) { clips.append(r.clip) }
        let panels = clips.map { clip -> SVGPlot.Panel in
            let series = methods.map { m -> SVGPlot.Series in
                let pts = measured.filter { $0.clip == clip && $0.method == m }
                    .map { (x: $0.bpp!, y: $0.value(metric)!) }
                    .sorted { $0.x < $1.x }
                return SVGPlot.Series(name: m, points: pts)
            }
            let size = table.rows.first { $0.clip == clip && $0.width > 0 }
                .map { " (\($0.width)x\($0.height), \($0.frames) frames)" } ?? ""
            return SVGPlot.Panel(title: clip + size, series: series)
        }
        return SVGPlot(title: "\(title): \(metric.title) vs rate", xLabel: "bits per pixel", yLabel: metric.title,
                       panels: panels, legend: methods).render()
    }
}
