import Foundation
import XCTest
@testable import Plotting
#if canImport(FoundationXML)
import FoundationXML
#endif

final class SVGRendererTests: XCTestCase {
    /// Whether `text` is well-formed XML.
    func parses(_ text: String) -> Bool {
        XMLParser(data: Data(text.utf8)).parse()
    }

    func count(_ needle: String, in text: String) -> Int {
        text.components(separatedBy: needle).count - 1
    }

    func testSweepHasAxesLinesLegendAndMarker() {
        let svg = ChartRenderer.svg(Fixtures.sweep())
        XCTAssertTrue(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"800\" height=\"400\""))
        XCTAssertTrue(svg.hasSuffix("</svg>\n"))
        XCTAssertTrue(parses(svg))
        XCTAssertEqual(count("<polyline class=\"series\"", in: svg), 3)
        XCTAssertEqual(count("class=\"raw\"", in: svg), 0, "no faint raw lines without smoothing")
        for color in Palette.colors.prefix(3) { XCTAssertTrue(svg.contains("stroke=\"\(color.hex)\""), color.hex) }
        XCTAssertEqual(count("<path class=\"marker\"", in: svg), 1)
        XCTAssertTrue(svg.contains(">lr=3e-2 ✕ diverged at 17</text>"))
        XCTAssertTrue(svg.contains(">training loss</text>"))
        XCTAssertTrue(svg.contains(">step</text>"))
        XCTAssertTrue(svg.contains("rotate(-90"), "y axis name turned")
        XCTAssertTrue(svg.contains(">30</text>"), "x tick label")
        XCTAssertTrue(svg.contains("<clipPath id=\"plot-"))
    }

    func testSmoothingDrawsRawFaintly() {
        var chart = Fixtures.sweep()
        chart.smoothing = 0.6
        let svg = ChartRenderer.svg(chart)
        XCTAssertEqual(count("class=\"raw\" stroke=", in: svg), 3)
        XCTAssertTrue(svg.contains("stroke-opacity=\"0.25\""))
    }

    func testTextIsEscaped() {
        let chart = Chart(title: "a<b & c>d", xLabel: "\"step\"", yLabel: "it's",
                          series: [Series(name: "<script>&", values: [1, 2]),
                                   Series(name: "m", values: [1], markers: [Marker(x: 0, note: "x<y")])])
        let svg = ChartRenderer.svg(chart)
        XCTAssertTrue(parses(svg), svg)
        XCTAssertTrue(svg.contains("a&lt;b &amp; c&gt;d"))
        XCTAssertTrue(svg.contains("&lt;script&gt;&amp;"))
        XCTAssertTrue(svg.contains("&quot;step&quot;"))
        XCTAssertTrue(svg.contains("it&apos;s"))
        XCTAssertTrue(svg.contains("x&lt;y"))
        XCTAssertFalse(svg.contains("<script"))
        XCTAssertFalse(svg.contains("a<b"))
    }

    func testLogScaleTicks() {
        let chart = Chart(series: [Series(name: "v", values: [1000, 100, 10, 1, 0.1, 0.01])], yScale: .log)
        let svg = ChartRenderer.svg(chart)
        for label in ["0.01", "0.1", "1", "10", "100", "1000"] { XCTAssertTrue(svg.contains(">\(label)</text>"), label) }
    }

    func testDeterministicAndEdgeCases() {
        XCTAssertEqual(ChartRenderer.svg(Fixtures.sweep()), ChartRenderer.svg(Fixtures.sweep()))
        XCTAssertTrue(parses(ChartRenderer.svg(Chart(series: []))))
        let single = ChartRenderer.svg(Chart(series: [Series(name: "one", points: [(x: 1, y: 2)])]))
        XCTAssertTrue(single.contains("<circle"))
        XCTAssertTrue(parses(ChartRenderer.svg(Chart(series: [Series(name: "nan", values: [.nan])]), width: 10, height: 10)))
    }
}
