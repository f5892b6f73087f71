import Foundation
import XCTest
@testable import Plotting

final class TerminalRendererTests: XCTestCase {
    func assertFits(_ text: String, width: Int, file: StaticString = #filePath, line: UInt = #line) {
        for (i, l) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            XCTAssertLessThanOrEqual(DisplayWidth.of(String(l)), width, "line \(i) is too wide: \(l)", file: file, line: line)
        }
    }

    func testThreeRunSweepFitsEightyColumns() {
        let text = ChartRenderer.terminal(Fixtures.sweep())
        assertFits(text, width: 80)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        XCTAssertLessThanOrEqual(lines.count, 16)
        XCTAssertTrue(text.contains("● lr=3e-4"))
        XCTAssertTrue(text.contains("■ lr=3e-3"))
        XCTAssertTrue(text.contains("▲ lr=3e-2 ✕ diverged at 17"))
        // The ✕ is in the plot too, not only in the legend.
        let plotRows = lines.filter { $0.contains("┤") || $0.contains("│") }
        XCTAssertEqual(plotRows.filter { $0.contains("✕") }.count, 1)
        XCTAssertTrue(lines.contains { $0.hasSuffix("step") }, "x axis name")
    }

    func testNarrowWidthsFit() {
        var smoothed = Fixtures.sweep()
        smoothed.smoothing = 0.8
        for width in [60, 40, 30, 20, 12, 8] {
            for height in [8, 12, 20] {
                assertFits(ChartRenderer.terminal(Fixtures.sweep(), width: width, height: height), width: width)
                assertFits(ChartRenderer.terminal(smoothed, width: width, height: height, color: true), width: width)
            }
        }
        let text = ChartRenderer.terminal(Fixtures.sweep(), width: 40, height: 14)
        XCTAssertLessThanOrEqual(text.split(separator: "\n").count, 14)
        XCTAssertTrue(text.contains("✕ diverged at 17"), "legend wraps rather than dropping the note at 40 columns")
    }

    func testLongNamesAreCutToTheWidth() {
        let chart = Chart(title: String(repeating: "T", count: 200), yLabel: "loss",
                          series: [Series(name: String(repeating: "n", count: 300), values: [1, 2, 3])])
        assertFits(ChartRenderer.terminal(chart, width: 40), width: 40)
        XCTAssertTrue(ChartRenderer.terminal(chart, width: 40).contains("…"))
    }

    /// A straight line y = x from 0 to 10 in a 30 × 9 block, the golden rendering. Checked by
    /// hand: 6 plot rows × 26 columns are 24 × 52 dots; the line runs from dot (0, 23) to
    /// (51, 0), so the bottom row holds x dots 0…8 (cells 0…3) and the ● ends it in the last
    /// cell of the top row; tick 5 sits on dot row 11.5 → 12, row 3; the x ticks are 0 and 10
    /// (at 26 columns "step" would leave one tick label, so the name gives way).
    func testSingleSeriesGolden() {
        let chart = Chart(series: [Series(name: "loss", values: (0...10).map { Double($0) })],
                          yRange: .auto(padding: 0))
        let expected = """
        10 ┤                      ⣀⠤⠒●
           │                 ⢀⣀⠤⠒⠉
           │             ⢀⡠⠔⠊⠁
         5 ┤        ⢀⡠⠤⠒⠊⠁
           │    ⣀⠤⠒⠉⠁
         0 ┤⣀⠤⠒⠉
           └┬────────────────────────┬
            0                       10
            ● loss
        """
        let actual = TerminalRenderer(width: 30, height: 9).render(chart)
        XCTAssertEqual(actual, expected, "\n" + actual)
    }

    func testMissingValuesAreSkippedAndJoined() {
        let gappy = Chart(series: [Series(name: "a", points: [(x: 0, y: 1), (x: 1, y: nil), (x: 2, y: .nan), (x: 3, y: 4), (x: 4, y: .infinity)])])
        let clean = Chart(series: [Series(name: "a", points: [(x: 0, y: 1), (x: 3, y: 4)])].map {
            var s = $0
            s.points.append(.init(x: 4, y: nil))
            return s
        })
        XCTAssertEqual(ChartRenderer.terminal(gappy, width: 40, height: 10), ChartRenderer.terminal(clean, width: 40, height: 10))
        // Nothing to draw at all still gives axes and a legend.
        let nothing = Chart(series: [Series(name: "nan", values: [.nan, nil])])
        let text = ChartRenderer.terminal(nothing, width: 40, height: 8)
        XCTAssertTrue(text.contains("└"))
        XCTAssertTrue(text.contains("● nan"))
        assertFits(ChartRenderer.terminal(Chart(series: []), width: 40), width: 40)
    }

    func testColorCodesAreOptionalAndZeroWidth() {
        let plain = ChartRenderer.terminal(Fixtures.sweep())
        XCTAssertFalse(plain.contains("\u{1B}"))
        let colored = ChartRenderer.terminal(Fixtures.sweep(), color: true)
        XCTAssertTrue(colored.contains("\u{1B}[34m"))
        XCTAssertTrue(colored.contains("\u{1B}[31m"))
        let stripped = colored.replacingOccurrences(of: "\u{1B}\\[[0-9;]*m", with: "", options: .regularExpression)
        XCTAssertEqual(stripped, plain)
    }

    func testLogScaleLabelsDecades() {
        let values = (0...40).map { 1000 * pow(10, -Double($0) / 10) }  // 1000 down to 0.1
        let chart = Chart(series: [Series(name: "loss", values: values)], yScale: .log)
        let text = ChartRenderer.terminal(chart, width: 60, height: 14)
        let labels = text.split(separator: "\n").compactMap { l -> String? in
            guard let bar = l.firstIndex(of: "┤") else { return nil }
            return l[..<bar].trimmingCharacters(in: .whitespaces)
        }
        XCTAssertGreaterThanOrEqual(labels.count, 2)
        XCTAssertTrue(labels.allSatisfy { ["0.1", "1", "10", "100", "1000"].contains($0) }, "\(labels)")
        // On a log axis a geometric curve is a straight line: equal dot rows per decade.
        assertFits(text, width: 60)
    }

    func testDisplayWidth() {
        XCTAssertEqual(DisplayWidth.of("⣿⠁ ┤│└─┬ ✕●"), 11)
        XCTAssertEqual(DisplayWidth.of("\u{1B}[34m⣿\u{1B}[0m"), 1)
        XCTAssertEqual(DisplayWidth.of("損失"), 4)
        XCTAssertEqual(DisplayWidth.of("e\u{301}"), 1)
        XCTAssertEqual(DisplayWidth.truncate("abcdef", to: 4), "abc…")
        XCTAssertEqual(DisplayWidth.of(DisplayWidth.truncate("損失損失", to: 5)), 5)
    }

    func testBrailleCanvasDots() {
        var canvas = BrailleCanvas(columns: 2, rows: 1)
        canvas.set(x: 0, y: 0)
        XCTAssertEqual(canvas.text(row: 0), "⠁ ")
        canvas.set(x: 1, y: 3)
        XCTAssertEqual(canvas.text(row: 0), "⢁ ")
        canvas.line(from: (x: 2, y: 0), to: (x: 3, y: 3))
        XCTAssertEqual(canvas.cell(column: 1, row: 0).character, "⢣")  // dots 1, 2 (left) and 6, 8 (right)
        canvas.set(x: 99, y: 99)  // clipped, no trap
        canvas.stamp("✕", column: 0, row: 0, owner: 2)
        XCTAssertEqual(canvas.cell(column: 0, row: 0).character, "✕")
        XCTAssertEqual(canvas.cell(column: 0, row: 0).owner, 2)
    }
}
