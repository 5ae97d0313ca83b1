import Foundation

/// A small line-chart writer: one or more panels side by side, each with its own axes, ticks and
/// curves (polyline plus markers), and one legend for all of them. Plain SVG 1.1, no scripts,
/// no external fonts, so it renders the same in browsers and in GitHub's Markdown view.
public struct SVGPlot {
    /// One curve: a name (for the legend) and its points in drawing order.
    public struct Series {
        public var name: String
        public var points: [(x: Double, y: Double)]
        public init(name: String, points: [(x: Double, y: Double)]) { self.name = name; self.points = points }
    }

    /// One chart area.
    public struct Panel {
        public var title: String
        public var series: [Series]
        public init(title: String, series: [Series]) { self.title = title; self.series = series }
    }

    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var panels: [Panel]
    /// Legend entries in order; a series takes its colour and marker from its name's position here.
    public var legend: [String]

    public init(title: String, xLabel: String, yLabel: String, panels: [Panel], legend: [String]) {
        self.title = title; self.xLabel = xLabel; self.yLabel = yLabel; self.panels = panels; self.legend = legend
    }

    // Layout, in pixels.
    static let panelWidth = 380.0, panelHeight = 300.0
    static let marginLeft = 64.0, marginRight = 16.0, marginTop = 28.0, marginBottom = 48.0
    static let titleHeight = 30.0, legendRowHeight = 20.0
    /// Colour-blind-safe palette (Okabe–Ito), then greys.
    static let palette = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442", "#777777"]

    /// The SVG document.
    public func render() -> String {
        let columns = min(3, max(panels.count, 1))
        let rows = (panels.count + columns - 1) / columns
        let width = Double(columns) * SVGPlot.panelWidth
        let legendPerRow = max(1, Int(width / 170))
        let legendRows = (legend.count + legendPerRow - 1) / legendPerRow
        let legendHeight = Double(legendRows) * SVGPlot.legendRowHeight + 6
        let height = SVGPlot.titleHeight + legendHeight + Double(max(rows, 1)) * SVGPlot.panelHeight
        var s = """
            <?xml version="1.0" encoding="UTF-8"?>
            <svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="\(f(width))" height="\(f(height))" \
            viewBox="0 0 \(f(width)) \(f(height))" font-family="Helvetica, Arial, sans-serif" font-size="12">
            <rect x="0" y="0" width="\(f(width))" height="\(f(height))" fill="white"/>
            <text x="\(f(width / 2))" y="20" text-anchor="middle" font-size="15" font-weight="bold">\(xml(title))</text>

            """
        // Legend.
        for (i, name) in legend.enumerated() {
            let x = 16 + Double(i % legendPerRow) * 170, y = SVGPlot.titleHeight + Double(i / legendPerRow) * SVGPlot.legendRowHeight + 8
            let color = SVGPlot.palette[i % SVGPlot.palette.count]
            s += "<g class=\"legend\"><line x1=\"\(f(x))\" y1=\"\(f(y))\" x2=\"\(f(x + 28))\" y2=\"\(f(y))\" stroke=\"\(color)\" stroke-width=\"2\"/>"
            s += marker(i, x: x + 14, y: y, color: color)
            s += "<text x=\"\(f(x + 34))\" y=\"\(f(y + 4))\">\(xml(name))</text></g>\n"
        }
        for (i, panel) in panels.enumerated() {
            let ox = Double(i % columns) * SVGPlot.panelWidth
            let oy = SVGPlot.titleHeight + legendHeight + Double(i / columns) * SVGPlot.panelHeight
            s += draw(panel, x: ox, y: oy)
        }
        return s + "</svg>\n"
    }

    /// One panel: frame, grid, ticks, labels, curves.
    private func draw(_ panel: Panel, x ox: Double, y oy: Double) -> String {
        let left = ox + SVGPlot.marginLeft, right = ox + SVGPlot.panelWidth - SVGPlot.marginRight
        let top = oy + SVGPlot.marginTop, bottom = oy + SVGPlot.panelHeight - SVGPlot.marginBottom
        let all = panel.series.flatMap(\.points)
        let xs = Ticks(all.map(\.x)), ys = Ticks(all.map(\.y))
        func px(_ v: Double) -> Double { left + (v - xs.lo) / (xs.hi - xs.lo) * (right - left) }
        func py(_ v: Double) -> Double { bottom - (v - ys.lo) / (ys.hi - ys.lo) * (bottom - top) }

        var s = "<g class=\"panel\">\n"
        s += "<text x=\"\(f((left + right) / 2))\" y=\"\(f(oy + 18))\" text-anchor=\"middle\" font-weight=\"bold\">\(xml(panel.title))</text>\n"
        for t in xs.values {
            s += "<line x1=\"\(f(px(t)))\" y1=\"\(f(top))\" x2=\"\(f(px(t)))\" y2=\"\(f(bottom))\" stroke=\"#e4e4e4\"/>"
            s += "<text x=\"\(f(px(t)))\" y=\"\(f(bottom + 15))\" text-anchor=\"middle\">\(xs.label(t))</text>\n"
        }
        for t in ys.values {
            s += "<line x1=\"\(f(left))\" y1=\"\(f(py(t)))\" x2=\"\(f(right))\" y2=\"\(f(py(t)))\" stroke=\"#e4e4e4\"/>"
            s += "<text x=\"\(f(left - 5))\" y=\"\(f(py(t) + 4))\" text-anchor=\"end\">\(ys.label(t))</text>\n"
        }
        s += "<rect x=\"\(f(left))\" y=\"\(f(top))\" width=\"\(f(right - left))\" height=\"\(f(bottom - top))\" fill=\"none\" stroke=\"#333\"/>\n"
        s += "<text x=\"\(f((left + right) / 2))\" y=\"\(f(bottom + 34))\" text-anchor=\"middle\">\(xml(xLabel))</text>\n"
        let cy = (top + bottom) / 2, cx = ox + 16
        s += "<text x=\"\(f(cx))\" y=\"\(f(cy))\" text-anchor=\"middle\" transform=\"rotate(-90 \(f(cx)) \(f(cy)))\">\(xml(yLabel))</text>\n"
        if all.isEmpty {
            s += "<text x=\"\(f((left + right) / 2))\" y=\"\(f(cy))\" text-anchor=\"middle\" fill=\"#888\">no data</text>\n"
        }
        for series in panel.series where !series.points.isEmpty {
            let index = legend.firstIndex(of: series.name) ?? 0
            let color = SVGPlot.palette[index % SVGPlot.palette.count]
            let coords = series.points.map { "\(f(px($0.x))),\(f(py($0.y)))" }.joined(separator: " ")
            s += "<g class=\"series\"><title>\(xml(series.name))</title>"
            s += "<polyline points=\"\(coords)\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\"/>"
            for p in series.points { s += marker(index, x: px(p.x), y: py(p.y), color: color) }
            s += "</g>\n"
        }
        return s + "</g>\n"
    }

    /// Marker shapes cycle: circle, square, triangle, diamond.
    private func marker(_ i: Int, x: Double, y: Double, color: String) -> String {
        switch i % 4 {
        case 0: return "<circle cx=\"\(f(x))\" cy=\"\(f(y))\" r=\"3.5\" fill=\"\(color)\"/>"
        case 1: return "<rect x=\"\(f(x - 3.5))\" y=\"\(f(y - 3.5))\" width=\"7\" height=\"7\" fill=\"\(color)\"/>"
        case 2: return "<polygon points=\"\(f(x)),\(f(y - 4.5)) \(f(x + 4.5)),\(f(y + 3.5)) \(f(x - 4.5)),\(f(y + 3.5))\" fill=\"\(color)\"/>"
        default: return "<polygon points=\"\(f(x)),\(f(y - 5)) \(f(x + 5)),\(f(y)) \(f(x)),\(f(y + 5)) \(f(x - 5)),\(f(y))\" fill=\"\(color)\"/>"
        }
    }

    private func f(_ v: Double) -> String { String(format: "%.1f", v) }
}

/// Escapes text for XML character data and attribute values.
func xml(_ s: String) -> String {
    s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
        .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
}

/// "Nice" axis ticks (steps of 1, 2 or 5 times a power of ten) covering a set of values.
struct Ticks {
    let lo: Double, hi: Double, step: Double
    let values: [Double]

    init(_ data: [Double], target: Int = 5) {
        var a = data.min() ?? 0, b = data.max() ?? 1
        if !(a.isFinite && b.isFinite) { a = 0; b = 1 }
        if b - a < 1e-12 * max(1, abs(a)) {
            let pad = a == 0 ? 1 : abs(a) * 0.05
            a -= pad; b += pad
        }
        let raw = (b - a) / Double(target)
        let mag = pow(10, (log10(raw)).rounded(.down))
        let step = [1.0, 2, 5, 10].map { $0 * mag }.first { $0 >= raw } ?? 10 * mag
        let lo = (a / step).rounded(.down) * step, hi = (b / step).rounded(.up) * step
        let count = Int(((hi - lo) / step).rounded())
        self.lo = lo
        self.hi = hi
        self.step = step
        values = (0...count).map { lo + Double($0) * step }
    }

    /// A tick's label with as many decimals as the step needs.
    func label(_ v: Double) -> String {
        let decimals = max(0, Int((-log10(step)).rounded(.up)))
        let text = String(format: "%.\(decimals)f", v)
        return text == "-" + String(format: "%.\(decimals)f", 0.0) ? String(format: "%.\(decimals)f", 0.0) : text
    }
}
