import Foundation
import Plotting

/// loss.svg of a run: every numeric column of log.csv against the step, one panel per column
/// group (`psnr_p1`, `psnr_p2` and `psnr` share the panel `psnr`).
public enum LossPlot {
    /// The panel a column belongs to: its name up to the last `_` that is followed by a short
    /// level/prefix tag (`l3`, `p8`, `mean`), else the whole name.
    public static func group(_ column: String) -> String {
        guard let cut = column.range(of: "_", options: .backwards) else { return column }
        let tag = column[cut.upperBound...]
        let isLevelTag = tag == "mean" || (tag.count >= 2 && (tag.first == "l" || tag.first == "p")
                                            && tag.dropFirst().allSatisfy(\.isNumber))
        return isLevelTag ? String(column[..<cut.lowerBound]) : column
    }

    /// The SVG of the CSV text `csv` (header `step,seconds,lr,...`); nil when it has no rows.
    public static func svg(csv: String, title: String) -> String? {
        let lines = csv.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        guard let header = lines.first, lines.count > 1, header.first == "step" else { return nil }
        var panels: [SVGPlot.Panel] = []
        for (c, name) in header.enumerated().dropFirst(3) {
            let points = lines.dropFirst().compactMap { row -> (x: Double, y: Double)? in
                guard row.count > c, let x = Double(row[0]), let y = Double(row[c]), y.isFinite else { return nil }
                return (x, y)
            }
            let series = SVGPlot.Series(name: name, points: points)
            let g = group(name)
            if let i = panels.firstIndex(where: { $0.title == g }) { panels[i].series.append(series) }
            else { panels.append(SVGPlot.Panel(title: g, series: [series])) }
        }
        return SVGPlot(title: title, xLabel: "step", yLabel: "value", panels: panels,
                       legend: panels.flatMap { $0.series.map(\.name) }).render()
    }

    /// Redraws `svgPath` from the log at `csvPath` (atomically; nothing when the log is empty).
    public static func write(csv csvPath: String, to svgPath: String, title: String) throws {
        guard let text = try? String(contentsOfFile: csvPath, encoding: .utf8),
              let svg = svg(csv: text, title: title) else { return }
        try Data(svg.utf8).write(to: URL(fileURLWithPath: svgPath), options: .atomic)
    }
}
