/// Where things go on a pixel chart (SVG and PNG share it): the plot rectangle, the title, the
/// legend rows above the plot, tick positions and the axis names, given how wide a character is
/// and how tall a line of text is (both renderers use fixed-width text, so measuring is exact).
struct FrameLayout: Sendable {
    /// A rectangle in pixels, y down.
    struct Rect: Sendable, Equatable {
        var x: Double, y: Double, width: Double, height: Double
        var maxX: Double { x + width }
        var maxY: Double { y + height }
    }

    /// One legend entry: the line it describes and the top-left of its swatch.
    struct LegendEntry: Sendable {
        var line: Int
        var text: String
        var x: Double
        var y: Double
    }

    let width: Double
    let height: Double
    let charWidth: Double
    let lineHeight: Double
    let plot: Rect
    let titleY: Double?
    let legend: [LegendEntry]
    let xTicks: [ChartPlan.Tick]
    let yTicks: [ChartPlan.Tick]
    /// Length of the legend's line sample.
    let swatch: Double
    let tickLength: Double
    let yTickLabelWidth: Double
    private let plan: ChartPlan

    init(plan: ChartPlan, chart: Chart, width: Int, height: Int, charWidth: Double, lineHeight: Double) {
        self.plan = plan
        self.width = Double(width)
        self.height = Double(height)
        self.charWidth = charWidth
        self.lineHeight = lineHeight
        let pad = lineHeight
        let tick = lineHeight * 0.4
        tickLength = tick
        swatch = charWidth * 3

        func textWidth(_ s: String) -> Double { Double(s.count) * charWidth }

        // Top: title, then legend rows (entries packed left to right).
        var top = pad * 0.75
        if chart.title.isEmpty {
            titleY = nil
        } else {
            titleY = top
            top += lineHeight * 1.5
        }
        var entries: [LegendEntry] = []
        let left0 = pad
        var x = left0
        var rowTop = top
        for line in plan.lines {
            let text = line.legendText
            let w = swatch + charWidth + textWidth(text)
            if x > left0, x + w > self.width - pad {
                x = left0
                rowTop += lineHeight * 1.3
            }
            entries.append(LegendEntry(line: line.index, text: text, x: x, y: rowTop))
            x += w + charWidth * 3
        }
        legend = entries
        if !entries.isEmpty { top = rowTop + lineHeight * 1.3 + pad * 0.5 } else { top += pad * 0.5 }

        // Left: y axis name (turned), tick labels, ticks.
        let yTicks = plan.yTicks(target: max(2, min(8, Int(Double(height) / (lineHeight * 4)))))
        self.yTicks = yTicks
        yTickLabelWidth = yTicks.map { textWidth($0.label) }.max() ?? 0
        var left = pad + yTickLabelWidth + tick + charWidth * 0.5
        if !chart.yLabel.isEmpty { left += lineHeight * 1.5 }

        // Bottom: tick labels, axis name.
        var bottom = pad * 0.75 + tick + lineHeight * 1.3
        if !chart.xLabel.isEmpty { bottom += lineHeight * 1.3 }
        let right = pad * 1.5
        let plotWidth = max(self.width - left - right, 10)
        let plotHeight = max(self.height - top - bottom, 10)
        plot = Rect(x: left, y: top, width: plotWidth, height: plotHeight)

        let widest = plan.xTicks(target: 5).map { textWidth($0.label) }.max() ?? charWidth
        xTicks = plan.xTicks(target: max(2, min(10, Int(plotWidth / (widest + charWidth * 6)))))
    }

    /// Pixel x of an x value.
    func px(_ x: Double) -> Double { plot.x + ChartPlan.drawable(plan.xFraction(x)) * plot.width }
    /// Pixel y of a value in axis space.
    func py(_ t: Double) -> Double { plot.maxY - ChartPlan.drawable(plan.yFraction(t)) * plot.height }
}
