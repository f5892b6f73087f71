import Foundation
import XCTest
@testable import Plotting

final class ChartDataTests: XCTestCase {
    func testSmoothingMatchesHandComputedEMA() {
        // weight 0.5: s1 = 0.5·1 / (1 − 0.5) = 1; s2 = (0.25 + 1) / 0.75 = 5/3;
        // s3 = (0.625 + 1.5) / 0.875 = 17/7. The missing value neither moves nor counts.
        let smoothed = Smoothing.ema([1, nil, 2, .nan, 3], weight: 0.5)
        XCTAssertEqual(smoothed.count, 5)
        XCTAssertEqual(smoothed[0]!, 1, accuracy: 1e-12)
        XCTAssertNil(smoothed[1])
        XCTAssertEqual(smoothed[2]!, 5.0 / 3.0, accuracy: 1e-12)
        XCTAssertNil(smoothed[3])
        XCTAssertEqual(smoothed[4]!, 17.0 / 7.0, accuracy: 1e-12)
        // TensorBoard's default 0.6 on a constant stays constant (the debiasing at work).
        XCTAssertTrue(Smoothing.ema([2, 2, 2, 2], weight: 0.6).allSatisfy { abs($0! - 2) < 1e-12 })
        XCTAssertEqual(Smoothing.ema([1, nil, 3], weight: 0), [1, nil, 3])
    }

    func testSmoothedLineIsWhatTheChartDraws() {
        let chart = Chart(series: [Series(name: "a", values: [1, 2, 3])], smoothing: 0.5)
        let plan = ChartPlan(chart)
        XCTAssertEqual(plan.lines[0].raw.map(\.t), [1, 2, 3])
        XCTAssertEqual(plan.lines[0].drawn.map(\.t)[1], 5.0 / 3.0, accuracy: 1e-12)
    }

    func testNonFiniteValuesBecomeMissing() {
        let s = Series(name: "x", values: [1, .nan, .infinity, -.infinity, nil, 2])
        XCTAssertEqual(s.points.map(\.y), [1, nil, nil, nil, nil, 2])
        XCTAssertEqual(s.presentPoints.map(\.x), [0, 5])
        XCTAssertEqual(Marker(x: 3, y: .nan, note: "n").y, nil)
    }

    func testJSONRoundTripIsStableAndOneSeriesPerLine() throws {
        var chart = Fixtures.sweep()
        chart.yScale = .log
        chart.smoothing = 0.6
        let data = try chart.jsonData()
        let text = String(decoding: data, as: UTF8.self)
        XCTAssertEqual(try Chart(jsonData: data), chart)
        XCTAssertEqual(try chart.jsonData(), data, "same chart, same bytes")
        XCTAssertTrue(text.hasPrefix("{\"series\":[\n{\"name\":\"lr=3e-4\",\"x\":[0,1,2,"), text)
        let lines = text.split(separator: "\n")
        XCTAssertEqual(lines.count, 5)  // open, three series, close with the options
        XCTAssertTrue(lines[3].contains("\"markers\":[{\"note\":\"diverged at 17\",\"x\":17}]"), String(lines[3]))
        XCTAssertTrue(lines[3].contains("null,null,null]"), "NaN, ∞ and missing are null")
        XCTAssertTrue(lines[4].contains("\"y_scale\":\"log\""))
        XCTAssertFalse(lines[1].contains("markers"), "empty markers are left out")
    }

    func testJSONFromHandAndErrors() throws {
        let json = #"{"series": [{"name": "a", "x": [0, 1], "y": [2.5, null]}]}"#
        let chart = try Chart(jsonData: Data(json.utf8))
        XCTAssertEqual(chart.series[0].points, [.init(x: 0, y: 2.5), .init(x: 1, y: nil)])
        XCTAssertEqual(chart.xLabel, "step")
        XCTAssertEqual(chart.yRange, .automatic)
        let bad = #"{"series": [{"name": "a", "x": [0, 1], "y": [2.5]}]}"#
        XCTAssertThrowsError(try Chart(jsonData: Data(bad.utf8)))
    }

    func testDifferencesCompareDataWithTolerance() {
        let a = Fixtures.sweep()
        var b = a
        b.title = "renamed"            // presentation does not matter
        b.smoothing = 0.9
        b.series[0].points[3].y! *= 1 + 1e-6
        XCTAssertEqual(a.differences(from: b), [])
        b.series[1].points[5].y! += 0.01
        b.series[2].points[0].y = nil
        b.series[2].markers = []
        let found = a.differences(from: b)
        XCTAssertEqual(found.count, 3, "\(found)")
        XCTAssertTrue(found[0].hasPrefix("series[1] \"lr=3e-3\" y[5]"), found[0])
        XCTAssertTrue(found[1].contains("y[0] missing became 5.5"), found[1])
        XCTAssertTrue(found[2].contains("markers [] became [\"diverged at 17\"]"), found[2])
        XCTAssertEqual(a.differences(from: Chart(series: [])), ["0 series became 3"])
    }

    func testNiceLinearTicks() {
        XCTAssertEqual(AxisTicks.linear(lower: 2.4, upper: 5.5, target: 3), [3, 4, 5])
        XCTAssertEqual(AxisTicks.linear(lower: 0, upper: 60, target: 7), [0, 10, 20, 30, 40, 50, 60])
        XCTAssertEqual(AxisTicks.linear(lower: 0, upper: 1, target: 6), [0, 0.2, 0.4, 0.6, 0.8, 1])
        XCTAssertEqual(AxisTicks.linear(lower: 0.21, upper: 0.44, target: 3), [0.3, 0.4])
        XCTAssertEqual(AxisTicks.linear(lower: -0.004, upper: 0.011, target: 4), [0, 0.005, 0.01])
        XCTAssertEqual(AxisTicks.linear(lower: 3, upper: 3, target: 3), [3])
        // Every step is 1, 2 or 5 × 10^k.
        for (lo, hi) in [(0.0, 7.3), (-12.0, 980.0), (1e-5, 3e-4), (41.0, 42.5)] {
            let t = AxisTicks.linear(lower: lo, upper: hi, target: 5)
            let step = t[1] - t[0]
            let mantissa = step / pow(10, floor(log10(step)))
            XCTAssertTrue([1, 2, 5].contains { abs(mantissa - $0) < 1e-6 }, "\(lo)…\(hi): step \(step)")
            XCTAssertTrue(t.allSatisfy { $0 >= lo && $0 <= hi })
        }
    }

    func testLogTicksAndDomainSpanDecades() {
        XCTAssertEqual(AxisTicks.log(lower: 0.05, upper: 2000, target: 6), [0.1, 1, 10, 100, 1000])
        XCTAssertEqual(AxisTicks.log(lower: 1e-6, upper: 1, target: 3), [1e-6, 1e-3, 1], "every third decade")
        XCTAssertEqual(AxisTicks.log(lower: 1.5, upper: 30, target: 4), [2, 5, 10, 20])
        XCTAssertEqual(AxisTicks.log(lower: 0, upper: 10, target: 4), [])

        let values: [Double?] = [1000, 100, 10, 1, 0.1, 0, -3, nil]
        let chart = Chart(series: [Series(name: "v", values: values)], yScale: .log, yRange: .auto(padding: 0))
        let plan = ChartPlan(chart)
        XCTAssertEqual(plan.lines[0].raw.map(\.t), [3, 2, 1, 0, -1], "zero and negatives cannot be drawn on a log axis")
        XCTAssertEqual(plan.yDomain, -1...3)
        XCTAssertEqual(plan.yFraction(1), 0.5, accuracy: 1e-12, "10 is halfway between 0.1 and 1000")
        XCTAssertEqual(plan.yTicks(target: 5).map(\.label), ["0.1", "1", "10", "100", "1000"])
        let wide = ChartPlan(Chart(series: [Series(name: "v", values: [1e-5, 1e3])], yScale: .log))
        XCTAssertEqual(wide.yTicks(target: 3).map(\.label), ["1e-3", "1", "1000"])
    }

    func testYRangeOptions() {
        let s = [Series(name: "a", values: [2, 4])]
        XCTAssertEqual(ChartPlan(Chart(series: s, yRange: .auto(padding: 0.5))).yDomain, 1...5)
        XCTAssertEqual(ChartPlan(Chart(series: s, yRange: .fixed(lower: 0, upper: 10))).yDomain, 0...10)
        // An impossible fixed range falls back to auto rather than trapping.
        XCTAssertEqual(ChartPlan(Chart(series: s, yScale: .log, yRange: .fixed(lower: -1, upper: 10))).yDomain.upperBound,
                       log10(4) + 0.05 * (log10(4) - log10(2)), accuracy: 1e-12)
        // A flat line still gets a span.
        XCTAssertEqual(ChartPlan(Chart(series: [Series(name: "a", values: [3, 3])], yRange: .auto(padding: 0))).yDomain, 2...4)
    }

    func testMarkersSitOnTheirLine() {
        let plan = ChartPlan(Fixtures.sweep())
        let marker = plan.lines[2].markers[0]
        XCTAssertEqual(marker.note, "diverged at 17")
        XCTAssertEqual(marker.point.x, 17)
        XCTAssertEqual(marker.point.t, plan.lines[2].raw.last!.t, "the last finite value before the divergence")
        XCTAssertEqual(plan.lines[2].legendText, "lr=3e-2 ✕ diverged at 17")
        XCTAssertEqual(Series(name: "s", values: [1]).diverged(at: 2.5).markers[0].note, "diverged at 2.5")
    }

    func testNumberLabels() {
        XCTAssertEqual(NumberLabel.tick(0.5, step: 0.5), "0.5")
        XCTAssertEqual(NumberLabel.tick(30, step: 10), "30")
        XCTAssertEqual(NumberLabel.tick(2.4, step: 0.2), "2.4")
        XCTAssertEqual(NumberLabel.tick(0.0003, step: 1e-4), "3e-4")
        XCTAssertEqual(NumberLabel.tick(0.00025, step: 5e-5), "2.5e-4")
        XCTAssertEqual(NumberLabel.tick(200_000, step: 100_000), "2e5")
        XCTAssertEqual(NumberLabel.tick(-0.0, step: 1), "0")
        XCTAssertEqual(NumberLabel.logTick(0.001), "1e-3")
        XCTAssertEqual(NumberLabel.logTick(0.05), "0.05")
        XCTAssertEqual(NumberLabel.logTick(20000), "2e4")
        XCTAssertEqual(NumberLabel.plain(17), "17")
        XCTAssertEqual(NumberLabel.plain(0.03), "0.03")
        XCTAssertEqual(NumberLabel.plain(3e-5), "3e-5")
        XCTAssertEqual(NumberLabel.plain(2.71828), "2.718")
        XCTAssertEqual(NumberLabel.plain(.nan), "nan")
    }
}

final class RobustnessTests: XCTestCase {
    /// Whatever the data, every renderer returns (no traps on huge, tiny or odd inputs).
    func testOddDataNeverTraps() throws {
        let charts: [Chart] = [
            Chart(series: [Series(name: "huge", values: [1, 1e300, -1e300, 2])]),
            Chart(series: [Series(name: "spikes", values: [1, 1e9, 2])], yRange: .fixed(lower: 0, upper: 3)),
            Chart(series: [Series(name: "x", points: [(x: -1e308, y: 1), (x: 1e308, y: 2)])]),
            Chart(series: [Series(name: "flat", values: [0, 0, 0])], yScale: .log),
            Chart(series: [Series(name: "tiny", values: [1e-300, 2e-300])], yScale: .log),
            Chart(series: [Series(name: "s", values: [1, 2])], smoothing: 5),
            Chart(series: [Series(name: "s", values: [1, 2])], smoothing: .nan, yRange: .fixed(lower: 5, upper: 5)),
            Chart(series: [Series(name: "m", values: [], markers: [.diverged(at: .infinity), .diverged(at: 3)])]),
        ]
        for chart in charts {
            for (w, h) in [(80, 16), (8, 3), (1, 1)] {
                let text = ChartRenderer.terminal(chart, width: w, height: h)
                XCTAssertTrue(text.split(separator: "\n").allSatisfy { DisplayWidth.of(String($0)) <= max(w, 8) })
            }
            _ = ChartRenderer.svg(chart, width: 1, height: 1)
            for (w, h) in [(300, 200), (100, 80), (1, 1)] {
                let png = try DecodedPNG(ChartRenderer.png(chart, width: w, height: h))
                XCTAssertGreaterThan(png.width, 0)
            }
        }
    }
}
