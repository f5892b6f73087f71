import Foundation
import XCTest
@testable import Plotting

final class PNGRendererTests: XCTestCase {
    func testChartPNGDecodesWithLinesWhereTheyBelong() throws {
        let chart = Fixtures.sweep()
        let png = ChartRenderer.png(chart)
        let decoded = try DecodedPNG(png)
        XCTAssertEqual([decoded.width, decoded.height], [800, 400])
        XCTAssertEqual(decoded.chunkTypes, ["IHDR", "IDAT", "IEND"])
        XCTAssertEqual(decoded.pixel(0, 0), [255, 255, 255], "background")
        XCTAssertEqual(decoded.pixel(799, 399), [255, 255, 255], "background")

        // Each series' colour appears, exactly, on its line: at the pixel where its last point lands.
        let plan = ChartPlan(chart)
        let layout = FrameLayout(plan: plan, chart: chart, width: 800, height: 400,
                                 charWidth: Double(BitmapFont.advance * 2), lineHeight: Double(BitmapFont.lineHeight * 2))
        for line in plan.lines {
            let last = line.drawn.last!
            let x = Int(layout.px(last.x)), y = Int(layout.py(last.t))
            let c = Palette.color(line.index)
            let near = (-1...1).flatMap { dy in (-1...1).map { dx in decoded.pixel(min(x + dx, 799), y + dy) } }
            XCTAssertTrue(near.contains([c.r, c.g, c.b]), "\(line.name) not drawn at (\(x), \(y)): \(near)")
        }
        // The axes are drawn in ink at the plot's bottom-left corner.
        let corner = decoded.pixel(Int(layout.plot.x.rounded()), Int(layout.plot.maxY.rounded()))
        XCTAssertEqual(corner, [RGBColor.ink.r, RGBColor.ink.g, RGBColor.ink.b])
        // Nothing of a series is drawn outside the plot (left of the y axis, inside the plot's height).
        let blue = Palette.color(0)
        for y in Int(layout.plot.y)..<Int(layout.plot.maxY) {
            for x in 0..<Int(layout.plot.x) - 40 {
                XCTAssertNotEqual(decoded.pixel(x, y), [blue.r, blue.g, blue.b])
            }
        }
    }

    func testSameChartSameBytes() {
        var chart = Fixtures.sweep()
        chart.smoothing = 0.6
        XCTAssertEqual(ChartRenderer.png(chart, width: 320, height: 200), ChartRenderer.png(chart, width: 320, height: 200))
    }

    func testSmallAndEmptyChartsStillEncode() throws {
        let empty = Chart(series: [])
        XCTAssertEqual(try DecodedPNG(ChartRenderer.png(empty, width: 120, height: 90)).width, 120)
        let single = Chart(series: [Series(name: "one", points: [(x: 3, y: 2)])])
        XCTAssertEqual(try DecodedPNG(ChartRenderer.png(single, width: 200, height: 100)).height, 100)
        let allMissing = Chart(series: [Series(name: "nan", values: [.nan, nil, .infinity])])
        XCTAssertNoThrow(try DecodedPNG(ChartRenderer.png(allMissing, width: 200, height: 100)))
    }

    func testAntiAliasedStrokeHasSoftEdges() {
        var canvas = RasterCanvas(width: 20, height: 20)
        canvas.strokePolyline([(2, 3.3), (18, 15.7)], lineWidth: 2, color: .black)
        let greys = Set(canvas.pixels).filter { $0 > 0 && $0 < 255 }
        XCTAssertGreaterThan(greys.count, 5, "expected intermediate shades along a diagonal")
        XCTAssertEqual(canvas.pixel(x: 10, y: 9), .black, "on the line")  // (10.5, 9.5) is 0.3 px from it
        XCTAssertEqual(canvas.pixel(x: 18, y: 2), .white, "far from the line")
        // A polyline is mixed in once: a faint line is equally faint at its joints.
        var faint = RasterCanvas(width: 20, height: 8)
        faint.strokePolyline([(1, 4), (10, 4), (19, 4)], lineWidth: 2, color: .black, opacity: 0.5)
        XCTAssertEqual(faint.pixel(x: 10, y: 4), faint.pixel(x: 5, y: 4))
    }

    func testBitmapFontCoversPrintableASCII() {
        for v in 32...126 {
            let ch = Character(Unicode.Scalar(UInt8(v)))
            XCTAssertTrue(BitmapFont.contains(ch), "no glyph for \(ch)")
            XCTAssertEqual(BitmapFont.rows(ch).count, BitmapFont.glyphHeight)
        }
        XCTAssertTrue(BitmapFont.contains("✕"))
        XCTAssertFalse(BitmapFont.contains("λ"))
        XCTAssertEqual(BitmapFont.rows("λ"), BitmapFont.missing)
        // "1": the stem down the middle column.
        XCTAssertTrue((1...6).allSatisfy { BitmapFont.isInk("1", x: 2, y: $0) })
        XCTAssertFalse(BitmapFont.isInk("1", x: 0, y: 3))
        // Text lands where asked.
        var canvas = RasterCanvas(width: 20, height: 12)
        canvas.drawText("I", x: 2, y: 1, color: .black)
        XCTAssertEqual(canvas.pixel(x: 2 + 2, y: 1 + 3), .black)
        XCTAssertEqual(canvas.pixel(x: 2, y: 1 + 3), .white)
    }
}
