import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import XCTest
@testable import Evaluation
@testable import Plotting

/// Counts elements by name; fails on malformed XML.
final class ElementCounter: NSObject, XMLParserDelegate {
    var counts: [String: Int] = [:]
    var texts: [String] = []
    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]) {
        counts[name, default: 0] += 1
    }
    func parser(_ parser: XMLParser, foundCharacters string: String) { texts.append(string) }

    /// Parses `text`; nil if it is not well-formed.
    static func parse(_ text: String) -> ElementCounter? {
        let c = ElementCounter()
        let p = XMLParser(data: Data(text.utf8))
        p.delegate = c
        return p.parse() ? c : nil
    }
}

final class SVGPlotTests: XCTestCase {
    func testTicksAreNiceAndCoverTheData() {
        let t = Ticks([0.13, 0.91])
        XCTAssertEqual(t.step, 0.2, accuracy: 1e-12)
        XCTAssertLessThanOrEqual(t.lo, 0.13)
        XCTAssertGreaterThanOrEqual(t.hi, 0.91)
        XCTAssertEqual(t.label(0.4), "0.4")
        let flat = Ticks([30, 30])
        XCTAssertLessThan(flat.lo, 30)
        XCTAssertGreaterThan(flat.hi, 30)
        XCTAssertEqual(Ticks([24.2, 41.7]).label(30), "30")
    }

    func testPlotIsWellFormedWithOneCurvePerMethodAndPanel() throws {
        var rows: [ResultRow] = []
        for clip in ["a", "b"] {
            for (m, pts) in [("x265", [(0.2, 30.0), (0.5, 34.0)]), ("ours & co", [(0.3, 28.0), (0.6, 31.0), (0.9, 32.0)])] {
                for (i, p) in pts.enumerated() {
                    var r = ResultRow(video: clip, clip: clip, width: 64, height: 48, frames: 3, method: m,
                                      kind: "x", point: "p\(i)", settings: "")
                    r.bpp = p.0; r.psnrYUV = p.1
                    rows.append(r)
                }
            }
        }
        let table = ResultsTable(rows: rows)
        XCTAssertNil(RDPlots.svg(table, metric: .ssim, methods: ["x265", "ours & co"], title: "t"))
        let svg = try XCTUnwrap(RDPlots.svg(table, metric: .psnrYUV, methods: ["x265", "ours & co"], title: "t <1>"))
        let xml = try XCTUnwrap(ElementCounter.parse(svg), "not well-formed XML")
        XCTAssertEqual(xml.counts["svg"], 1)
        XCTAssertEqual(xml.counts["polyline"], 4)            // 2 methods x 2 panels
        XCTAssertEqual(xml.counts["circle"], 1 + 2 * 2)      // legend + x265 markers
        XCTAssertTrue(xml.texts.joined().contains("ours & co"))  // the parser splits text at entities
        XCTAssertTrue(xml.texts.contains("bits per pixel"))
        XCTAssertTrue(xml.texts.contains { $0.contains("PSNR YUV") })
    }
}
