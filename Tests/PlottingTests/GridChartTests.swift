import Foundation
import XCTest
@testable import Plotting

/// Bar charts and heatmaps: their JSON (what a notebook keeps and verification compares), the
/// terminal text, and SVG/PNG output; line charts keep their JSON bytes.
final class GridChartTests: XCTestCase {
    func testHeatmapJSONRoundTripsAndComparesByValue() throws {
        let grid = HeatmapGrid(rows: 2, columns: 2, values: [1, 0, 0.25, 0.75], rowLabels: ["a", "b"], columnLabels: ["a", "b"])
        let chart = Chart.heatmap(title: "attention", xLabel: "column", yLabel: "p", grid: grid)
        let json = String(decoding: try chart.jsonData(), as: UTF8.self)
        XCTAssertTrue(json.contains(#""grid":{"column_labels":["a","b"],"columns":2,"row_labels":["a","b"],"rows":2,"values":[1,0,0.25,0.75]}"#), json)
        XCTAssertTrue(json.contains(#""kind":"heatmap""#))
        let back = try Chart(jsonData: Data(json.utf8))
        XCTAssertEqual(back, chart)
        XCTAssertEqual(back.differences(from: chart), [])
        var changed = chart
        changed.grid!.values[3] = 0.5
        XCTAssertEqual(changed.differences(from: chart), ["heatmap[1, 1] 0.75 became 0.5"])
        XCTAssertEqual(Chart.bars(title: "", xLabel: "", yLabel: "", series: Series(name: "x", values: [1])).differences(from: chart).first,
                       "a heatmap chart became a bars chart")
    }

    func testLineChartsKeepTheirJSON() throws {
        let chart = Chart(title: "loss", series: [Series(name: "run1", values: [2, 1])])
        let json = String(decoding: try chart.jsonData(), as: UTF8.self)
        XCTAssertFalse(json.contains("kind"))
        XCTAssertFalse(json.contains("grid"))
    }

    func testTerminalBarsAndHeatmap() {
        let bars = Chart.bars(title: "norms", xLabel: "layer", yLabel: "norm", series: Series(name: "b", values: [1, 2, 4, 0]))
        let lines = TerminalRenderer(width: 40, height: 9).renderLines(bars)
        XCTAssertEqual(lines, [
            "norms",
            "4 ┤        ████",
            "  ┤        ████",
            "  ┤    ████████",
            "  ┤████████████",
            "0 └────────────────",
            "   0              3  layer",
        ])
        let grid = HeatmapGrid(rows: 2, columns: 3, values: [0, 0.5, 1, 1, 0.2, .nan], rowLabels: ["x", "yy"], columnLabels: ["a", "b", "c"])
        XCTAssertEqual(TerminalRenderer(width: 40, height: 9).renderLines(.heatmap(title: "map", xLabel: "", yLabel: "", grid: grid)), [
            "map",
            " x │ ▓█",
            "yy │█░?",
            "shade: ' ' 0 … '█' 1",
        ])
    }

    func testSVGAndPNGDrawTheCells() throws {
        let grid = HeatmapGrid(rows: 2, columns: 2, values: [-1, 0, 0.5, 1], rowLabels: ["<a>", "b"], columnLabels: ["a", "b"])
        let chart = Chart.heatmap(title: "delta", xLabel: "", yLabel: "", grid: grid)
        let svg = ChartRenderer.svg(chart)
        XCTAssertEqual(svg.components(separatedBy: "<rect ").count - 1, 1 + 4, "background and four cells")
        XCTAssertTrue(svg.contains("&lt;a&gt;"))
        XCTAssertTrue(svg.contains("fill=\"#991010\""), "the most negative cell is full red")
        XCTAssertTrue(svg.contains("fill=\"#08306b\""), "the largest cell is full blue")
        let png = ChartRenderer.png(chart)
        XCTAssertEqual(Array(png.prefix(4)), [0x89, 0x50, 0x4E, 0x47])
        let bars = ChartRenderer.svg(.bars(title: "h", xLabel: "value", yLabel: "count", series: Series(name: "h", values: [3, 1])))
        XCTAssertEqual(bars.components(separatedBy: "fill=\"\(Palette.color(0).hex)\"").count - 1, 2, "two bars")
    }
}
