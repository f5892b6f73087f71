import Foundation

/// Draws a ``Chart`` into pixels with the same layout as the SVG (``FrameLayout``): gridlines,
/// crisp axes, anti-aliased series lines (raw values faint under a smoothed line), ✕ markers,
/// tick labels, axis names, title and legend in the built-in ``BitmapFont`` (doubled on charts
/// at least 500 × 300 so it stays readable), then encodes it as PNG.
public struct PNGRenderer: Sendable {
    public var width: Int
    public var height: Int

    public init(width: Int = 800, height: Int = 400) {
        self.width = max(width, 100)
        self.height = max(height, 80)
    }

    /// Font pixels per bitmap-font pixel.
    var textScale: Int { width >= 500 && height >= 300 ? 2 : 1 }

    /// The chart as pixels.
    public func rasterize(_ chart: Chart) -> RasterCanvas {
        if chart.drawnKind != .line { return rasterizeGrid(chart) }
        let s = textScale
        let plan = ChartPlan(chart)
        let layout = FrameLayout(plan: plan, chart: chart, width: width, height: height,
                                 charWidth: Double(BitmapFont.advance * s), lineHeight: Double(BitmapFont.lineHeight * s))
        var canvas = RasterCanvas(width: width, height: height)
        let p = layout.plot
        let left = Int(p.x.rounded()), right = Int(p.maxX.rounded())
        let top = Int(p.y.rounded()), bottom = Int(p.maxY.rounded())
        let glyphBody = 7 * s

        // Gridlines.
        for tick in layout.yTicks {
            canvas.horizontalLine(x0: left, x1: right, y: Int(layout.py(tick.position).rounded()), color: .grid)
        }
        for tick in layout.xTicks {
            canvas.verticalLine(x: Int(layout.px(tick.position).rounded()), y0: top, y1: bottom, color: .grid)
        }

        // Series, clipped to the plot.
        let clip = RasterCanvas.Clip(minX: left, minY: top, maxX: right + 1, maxY: bottom + 1)
        let lineWidth = 1.0 + Double(s) * 0.6
        for line in plan.lines {
            let color = Palette.color(line.index)
            if line.smoothed != nil {
                canvas.strokePolyline(line.raw.map { (layout.px($0.x), layout.py($0.t)) },
                                      lineWidth: Double(s) * 0.6 + 0.4, color: color, opacity: 0.3, clip: clip)
            }
            let drawn = line.drawn.map { (x: layout.px($0.x), y: layout.py($0.t)) }
            canvas.strokePolyline(drawn, lineWidth: drawn.count == 1 ? lineWidth * 2.5 : lineWidth, color: color, clip: clip)
        }
        for line in plan.lines {
            for marker in line.markers {
                let x = layout.px(marker.point.x)
                let y = min(max(layout.py(marker.point.t), p.y), p.maxY)
                cross(&canvas, x: x, y: y, size: Double(4 * s), color: Palette.color(line.index), width: lineWidth + 0.5)
            }
        }

        // Axes and ticks.
        let tick = Int(layout.tickLength.rounded())
        canvas.horizontalLine(x0: left, x1: right, y: bottom, color: .ink)
        canvas.verticalLine(x: left, y0: top, y1: bottom, color: .ink)
        for t in layout.yTicks {
            let y = Int(layout.py(t.position).rounded())
            canvas.horizontalLine(x0: left - tick, x1: left, y: y, color: .ink)
            let w = RasterCanvas.textWidth(t.label, scale: s)
            canvas.drawText(t.label, x: left - tick - s * 3 - w, y: y - glyphBody / 2, color: .muted, scale: s)
        }
        for t in layout.xTicks {
            let x = Int(layout.px(t.position).rounded())
            canvas.verticalLine(x: x, y0: bottom, y1: bottom + tick, color: .ink)
            let w = RasterCanvas.textWidth(t.label, scale: s)
            canvas.drawText(t.label, x: x - w / 2 + s / 2, y: bottom + tick + 2 * s, color: .muted, scale: s)
        }

        // Names and title.
        if !chart.xLabel.isEmpty {
            let w = RasterCanvas.textWidth(chart.xLabel, scale: s)
            canvas.drawText(chart.xLabel, x: left + (right - left - w) / 2,
                            y: bottom + tick + Int(layout.lineHeight * 1.4), color: .ink, scale: s)
        }
        if !chart.yLabel.isEmpty {
            let w = RasterCanvas.textWidth(chart.yLabel, scale: s)
            let x = left - tick - Int(layout.yTickLabelWidth) - Int(layout.lineHeight * 1.5)
            canvas.drawTextUpward(chart.yLabel, x: x, y: top + (bottom - top + w) / 2, color: .ink, scale: s)
        }
        if let titleY = layout.titleY {
            let w = RasterCanvas.textWidth(chart.title, scale: s)
            canvas.drawText(chart.title, x: (width - w) / 2, y: Int(titleY), color: .ink, scale: s, bold: true)
        }

        // Legend: a line sample, the name and notes.
        for entry in layout.legend {
            let mid = entry.y + layout.lineHeight / 2 - Double(s)
            let color = Palette.color(entry.line)
            canvas.strokePolyline([(entry.x, mid), (entry.x + layout.swatch, mid)], lineWidth: lineWidth, color: color)
            canvas.drawText(entry.text, x: Int(entry.x + layout.swatch + layout.charWidth),
                            y: Int(mid) - glyphBody / 2, color: .ink, scale: s)
        }
        return canvas
    }

    /// The chart as a PNG file.
    public func render(_ chart: Chart) -> Data {
        let canvas = rasterize(chart)
        do {
            return try PNGEncoder.encode(width: canvas.width, height: canvas.height, pixels: canvas.pixels)
        } catch {
            // The canvas always has the right size and zlib only fails when out of memory.
            preconditionFailure("PNG encoding of a \(canvas.width) × \(canvas.height) canvas failed: \(error)")
        }
    }

    private func cross(_ canvas: inout RasterCanvas, x: Double, y: Double, size: Double, color: RGBColor, width: Double) {
        canvas.strokePolyline([(x - size, y - size), (x + size, y + size)], lineWidth: width, color: color)
        canvas.strokePolyline([(x - size, y + size), (x + size, y - size)], lineWidth: width, color: color)
    }
}
