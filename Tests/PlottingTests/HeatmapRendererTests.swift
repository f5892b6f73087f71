import Foundation
import XCTest
@testable import Plotting

/// A confusion matrix drawn as a heatmap: kept in the chart JSON, the same bytes each time, the
/// title inside the image, shades from white to the first palette colour.
final class HeatmapRendererTests: XCTestCase {
    let table = CountTable(rows: ["neg", "pos"], columns: ["neg", "pos", "other"], counts: [[3, 1, 0], [0, 2, 2]],
                           rowLabel: "expected", columnLabel: "predicted")

    func testTheTableRoundTripsThroughTheSeriesJSONAndLineChartsKeepTheirBytes() throws {
        let chart = Chart(title: "confusion", series: [], table: table)
        XCTAssertEqual(try Chart(jsonData: chart.jsonData()).table, table)
        let line = Chart(series: [Series(name: "loss", points: [(x: 1, y: 2)])])
        XCTAssertFalse(String(decoding: try line.jsonData(), as: UTF8.self).contains("table"), "no table key on line charts")
    }

    func testRenderings() throws {
        let chart = Chart(title: "a long confusion matrix title that is wider than the cells", series: [], table: table)
        XCTAssertEqual(ChartRenderer.terminal(chart), """
            a long confusion matrix title that is wider than the cells
            expected    neg   pos other
            neg        ██ 3  ░░ 1     0
            pos           0  ▓▓ 2  ▓▓ 2
            """)
        let svg = ChartRenderer.svg(chart)
        XCTAssertEqual(svg, ChartRenderer.svg(chart))
        XCTAssertTrue(svg.contains(">3</text>") && svg.contains("fill=\"\(Palette.color(0).hex)\""), svg)
        let canvas = HeatmapRenderer.rasterize(table, title: chart.title)
        XCTAssertGreaterThanOrEqual(canvas.width, chart.title.count * BitmapFont.advance * 2, "the title fits")
        XCTAssertEqual(HeatmapRenderer.color(1), Palette.color(0))
        XCTAssertEqual(HeatmapRenderer.color(0), .white)
        XCTAssertEqual(ChartRenderer.png(chart).prefix(4), Data([0x89, 0x50, 0x4E, 0x47]))
    }
}
