import Essentials
import Foundation

/// The picture of a bar chart or a heatmap as rectangles and text, laid out once for both the
/// SVG and the PNG renderer (so the two agree): bars rise from zero (below it for negative
/// values); heatmap cells shade from white to blue (low to high), or blue and red around zero
/// when the values have both signs (a difference such as tuned minus base).
struct GridDrawing {
    struct Box {
        var x: Double, y: Double, width: Double, height: Double
        var color: RGBColor
    }

    struct Label {
        enum Anchor { case start, middle, end }
        var text: String
        var x: Double, y: Double
        var anchor: Anchor
        /// Read bottom to top (column labels of a heatmap).
        var upward = false
    }

    var boxes: [Box] = []
    var labels: [Label] = []

    /// Lays out `chart` (bars or a heatmap) in `width × height` pixels, text `charWidth` wide
    /// per character and `lineHeight` tall.
    init(_ chart: Chart, width: Int, height: Int, charWidth: Double, lineHeight: Double) {
        let w = Double(width), h = Double(height)
        if !chart.title.isEmpty { labels.append(Label(text: chart.title, x: w / 2, y: lineHeight * 0.4, anchor: .middle)) }
        switch chart.drawnKind {
        case .heatmap:
            guard let grid = chart.grid, grid.rows > 0, grid.columns > 0 else { return }
            layoutHeatmap(grid, chart: chart, w: w, h: h, charWidth: charWidth, lineHeight: lineHeight)
        default:
            layoutBars(chart, w: w, h: h, charWidth: charWidth, lineHeight: lineHeight)
        }
    }

    private mutating func layoutBars(_ chart: Chart, w: Double, h: Double, charWidth: Double, lineHeight: Double) {
        let points = chart.series.first?.points ?? []
        let ys = points.compactMap(\.y)
        let top = max(0, ys.max() ?? 1), bottom = min(0, ys.min() ?? 0)
        let span = top > bottom ? top - bottom : 1
        let topText = NumberLabel.trimmed(NumberLabel.fixed(top, decimals: 4)), bottomText = NumberLabel.trimmed(NumberLabel.fixed(bottom, decimals: 4))
        let left = Double(max(topText.count, bottomText.count) + 1) * charWidth + 8
        let plotTop = lineHeight * 2, plotBottom = h - lineHeight * 2.5, right = w - 16
        let plotHeight = max(1, plotBottom - plotTop), plotWidth = max(1, right - left)
        boxes.append(Box(x: left - 1, y: plotTop, width: 1, height: plotHeight, color: .ink))
        let zeroY = plotTop + plotHeight * (top / span)
        boxes.append(Box(x: left, y: zeroY, width: plotWidth, height: 1, color: .ink))
        labels.append(Label(text: topText, x: left - 6, y: plotTop, anchor: .end))
        labels.append(Label(text: bottomText, x: left - 6, y: plotBottom - lineHeight * 0.8, anchor: .end))
        guard !points.isEmpty else { return }
        let slot = plotWidth / Double(points.count), gap = slot > 4 ? max(1, slot * 0.15) : 0
        for (i, point) in points.enumerated() {
            guard let y = point.y else { continue }
            let barTop = plotTop + plotHeight * ((top - max(y, 0)) / span)
            let barBottom = plotTop + plotHeight * ((top - min(y, 0)) / span)
            boxes.append(Box(x: left + Double(i) * slot + gap / 2, y: barTop, width: max(1, slot - gap), height: max(1, barBottom - barTop),
                             color: Palette.color(0)))
        }
        // The first, middle and last x values under their bars, and the axis name.
        let ticks = Array(Set([0, points.count / 2, points.count - 1])).sorted()
        for i in ticks {
            labels.append(Label(text: NumberLabel.trimmed(NumberLabel.fixed(points[i].x, decimals: 4)), x: left + (Double(i) + 0.5) * slot,
                                y: plotBottom + lineHeight * 0.3, anchor: .middle))
        }
        if !chart.xLabel.isEmpty { labels.append(Label(text: chart.xLabel, x: left + plotWidth / 2, y: h - lineHeight * 1.1, anchor: .middle)) }
        if !chart.yLabel.isEmpty { labels.append(Label(text: chart.yLabel, x: left, y: lineHeight * 1.2, anchor: .start)) }
    }

    private mutating func layoutHeatmap(_ grid: HeatmapGrid, chart: Chart, w: Double, h: Double, charWidth: Double, lineHeight: Double) {
        let rowText = grid.rowLabels.map { Self.clipped($0) }, columnText = grid.columnLabels.map { Self.clipped($0) }
        let left = Double((rowText.map(\.count).max() ?? 1) + 1) * charWidth + 4
        let bottomSpace = Double((columnText.map(\.count).max() ?? 1) + 1) * charWidth + lineHeight
        let top = lineHeight * 2, right = w - 16, bottom = h - bottomSpace
        let cell = max(1, min((right - left) / Double(grid.columns), (bottom - top) / Double(grid.rows)))
        let color = Self.shading(for: grid)
        for r in 0..<grid.rows {
            for c in 0..<grid.columns {
                boxes.append(Box(x: left + Double(c) * cell, y: top + Double(r) * cell, width: cell, height: cell,
                                 color: grid.values[r * grid.columns + c].map(color) ?? RGBColor(0xBB, 0xBB, 0xBB)))
            }
        }
        // Labels only where a line of text fits beside each cell.
        let every = max(1, Int((lineHeight / cell).rounded(.up)))
        for r in stride(from: 0, to: grid.rows, by: every) {
            labels.append(Label(text: rowText[r], x: left - 4, y: top + (Double(r) + 0.5) * cell - lineHeight * 0.4, anchor: .end))
        }
        for c in stride(from: 0, to: grid.columns, by: every) {
            labels.append(Label(text: columnText[c], x: left + (Double(c) + 0.5) * cell - lineHeight * 0.4, y: top + Double(grid.rows) * cell + 4,
                                anchor: .start, upward: true))
        }
        let (low, high) = grid.range
        let scale = "\(NumberLabel.trimmed(NumberLabel.fixed(low, decimals: 4))) … \(NumberLabel.trimmed(NumberLabel.fixed(high, decimals: 4)))"
        labels.append(Label(text: (chart.yLabel.isEmpty ? "" : chart.yLabel + ": ") + scale, x: left, y: lineHeight * 1.2, anchor: .start))
    }

    /// A label cut to 12 characters.
    static func clipped(_ text: String) -> String {
        text.count > 12 ? String(text.prefix(11)) + "…" : text
    }

    /// White to blue from the lowest to the highest value; around zero (values of both signs)
    /// red below, white at zero, blue above, scaled by the largest magnitude.
    static func shading(for grid: HeatmapGrid) -> (Double) -> RGBColor {
        let (low, high) = grid.range
        func mix(_ target: RGBColor, _ f: Double) -> RGBColor {
            let t = max(0, min(1, f))
            func channel(_ c: UInt8) -> UInt8 { UInt8((255 - t * (255 - Double(c))).rounded()) }
            return RGBColor(channel(target.r), channel(target.g), channel(target.b))
        }
        let blue = RGBColor(0x08, 0x30, 0x6B), red = RGBColor(0x99, 0x10, 0x10)
        if low < 0, high > 0 {
            let magnitude = max(-low, high)
            return { $0 >= 0 ? mix(blue, $0 / magnitude) : mix(red, -$0 / magnitude) }
        }
        return { mix(blue, grid.fraction($0)) }
    }
}

extension SVGRenderer {
    /// Bars or a heatmap as SVG rectangles and text.
    func renderGrid(_ chart: Chart) -> String {
        let drawing = GridDrawing(chart, width: width, height: height, charWidth: fontSize * 0.6, lineHeight: fontSize * 1.2)
        func n(_ v: Double) -> String { NumberLabel.trimmed(NumberLabel.fixed(v.isFinite ? v : 0, decimals: 2)) }
        var svg = ["<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(height)\" viewBox=\"0 0 \(width) \(height)\" "
                   + "font-family=\"DejaVu Sans Mono, Menlo, Consolas, monospace\" font-size=\"\(n(fontSize))\">"]
        svg.append("<title>\(MarkupEscaping.escape(chart.title.isEmpty ? chart.drawnKind.rawValue : chart.title))</title>")
        svg.append("<rect width=\"\(width)\" height=\"\(height)\" fill=\"#ffffff\"/>")
        for box in drawing.boxes {
            svg.append("<rect x=\"\(n(box.x))\" y=\"\(n(box.y))\" width=\"\(n(box.width))\" height=\"\(n(box.height))\" fill=\"\(box.color.hex)\"/>")
        }
        for label in drawing.labels {
            let anchor: String
            switch label.anchor {
            case .start: anchor = "start"
            case .middle: anchor = "middle"
            case .end: anchor = "end"
            }
            let y = label.y + fontSize * 0.85
            let rotate = label.upward ? " transform=\"rotate(-90 \(n(label.x + fontSize * 0.85)) \(n(label.y)))\"" : ""
            let x = label.upward ? label.x + fontSize * 0.85 : label.x
            let place = label.upward ? "x=\"\(n(x))\" y=\"\(n(label.y))\" text-anchor=\"end\"" : "x=\"\(n(x))\" y=\"\(n(y))\" text-anchor=\"\(anchor)\""
            svg.append("<text \(place) fill=\"\(RGBColor.ink.hex)\"\(rotate)>\(MarkupEscaping.escape(label.text))</text>")
        }
        svg.append("</svg>")
        return svg.joined(separator: "\n") + "\n"
    }
}

extension PNGRenderer {
    /// Bars or a heatmap in pixels, in the built-in bitmap font.
    func rasterizeGrid(_ chart: Chart) -> RasterCanvas {
        let s = textScale
        let drawing = GridDrawing(chart, width: width, height: height, charWidth: Double(BitmapFont.advance * s),
                                  lineHeight: Double(BitmapFont.lineHeight * s))
        var canvas = RasterCanvas(width: width, height: height)
        for box in drawing.boxes {
            canvas.fill(x: Int(box.x.rounded()), y: Int(box.y.rounded()), width: max(1, Int(box.width.rounded())),
                        height: max(1, Int(box.height.rounded())), color: box.color)
        }
        for label in drawing.labels {
            let textWidth = Double(RasterCanvas.textWidth(label.text, scale: s))
            if label.upward {
                canvas.drawTextUpward(label.text, x: Int(label.x.rounded()), y: Int((label.y + textWidth).rounded()), color: .ink, scale: s)
                continue
            }
            let x: Double
            switch label.anchor {
            case .start: x = label.x
            case .middle: x = label.x - textWidth / 2
            case .end: x = label.x - textWidth
            }
            canvas.drawText(label.text, x: Int(x.rounded()), y: Int(label.y.rounded()), color: .ink, scale: s)
        }
        return canvas
    }
}

extension TerminalRenderer {
    /// Bars as columns of eighth blocks (▁▂▃…█), or a heatmap as shaded cells (` ░▒▓█`: blank at
    /// the lowest value, then four equal steps up to the highest) with the row labels at the
    /// left, in at most `width` columns.
    func renderGridLines(_ chart: Chart) -> [String] {
        var lines: [String] = []
        if !chart.title.isEmpty { lines.append(String(chart.title.prefix(width))) }
        if chart.drawnKind == .heatmap, let grid = chart.grid {
            let shades: [Character] = [" ", "░", "▒", "▓", "█"]
            let rowText = grid.rowLabels.map { Self.printable(GridDrawing.clipped($0)) }
            let labelWidth = min(12, rowText.map(\.count).max() ?? 0)
            let shownColumns = min(grid.columns, max(1, width - labelWidth - 3))
            let shownRows = min(grid.rows, max(2, height * 2))
            let (low, high) = grid.range
            for r in 0..<shownRows {
                var line = String(repeating: " ", count: labelWidth - min(labelWidth, rowText[r].count)) + rowText[r].prefix(labelWidth) + " │"
                for c in 0..<shownColumns {
                    guard let v = grid.values[r * grid.columns + c] else { line.append("?"); continue }
                    // Blank only at the lowest value: any more shows (small attention included).
                    let fraction = grid.fraction(v)
                    line.append(shades[fraction <= 0 ? 0 : min(4, 1 + Int(fraction * 4))])
                }
                lines.append(trimmedRight(line))
            }
            if grid.rows > shownRows { lines.append("… \(grid.rows - shownRows) more rows") }
            if grid.columns > shownColumns { lines.append("… \(grid.columns - shownColumns) more columns") }
            lines.append("shade: ' ' \(NumberLabel.trimmed(NumberLabel.fixed(low, decimals: 4))) … '█' \(NumberLabel.trimmed(NumberLabel.fixed(high, decimals: 4)))"
                         + (chart.yLabel.isEmpty ? "" : " (\(chart.yLabel))"))
            return lines
        }
        let points = chart.series.first?.points ?? []
        let ys = points.map { $0.y ?? 0 }
        let top = max(0, ys.max() ?? 1), bottom = min(0, ys.min() ?? 0)
        let span = top > bottom ? top - bottom : 1
        let topText = NumberLabel.trimmed(NumberLabel.fixed(top, decimals: 4)), bottomText = NumberLabel.trimmed(NumberLabel.fixed(bottom, decimals: 4))
        let gutter = max(topText.count, bottomText.count)
        let available = max(1, width - gutter - 2)
        // Several items per column when there are more than fit: each column shows their largest.
        let perColumn = max(1, (points.count + available - 1) / available)
        var columns: [Double] = []
        var start = 0
        while start < ys.count {
            columns.append(ys[start..<min(ys.count, start + perColumn)].max()!)
            start += perColumn
        }
        let repeatCount = max(1, min(4, available / max(1, columns.count)))
        let rows = max(4, height - 5)
        let blocks: [Character] = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]
        for row in 0..<rows {
            // Each text row covers 1/rows of the span, top row first; 8 levels per row.
            let rowTop = top - span * Double(row) / Double(rows), rowBottom = top - span * Double(row + 1) / Double(rows)
            var line = row == 0 ? String(repeating: " ", count: gutter - topText.count) + topText : String(repeating: " ", count: gutter)
            line += " ┤"
            for value in columns {
                let high = max(value, 0), low = min(value, 0)
                let covered = max(0, min(rowTop, high) - max(rowBottom, low))
                let eighths = Int((covered / (rowTop - rowBottom) * 8).rounded())
                let cell: Character = eighths <= 0 ? " " : blocks[min(7, eighths - 1)]
                line += String(repeating: cell, count: repeatCount)
            }
            lines.append(trimmedRight(line))
        }
        lines.append(String(repeating: " ", count: gutter - bottomText.count) + bottomText + " └" + String(repeating: "─", count: columns.count * repeatCount))
        if let first = points.first, let last = points.last {
            let firstText = NumberLabel.trimmed(NumberLabel.fixed(first.x, decimals: 4)), lastText = NumberLabel.trimmed(NumberLabel.fixed(last.x, decimals: 4))
            let span = columns.count * repeatCount
            let padding = max(1, span - firstText.count - lastText.count)
            lines.append(String(repeating: " ", count: gutter + 2) + firstText + String(repeating: " ", count: padding) + lastText
                         + (chart.xLabel.isEmpty ? "" : "  \(chart.xLabel)"))
        }
        if perColumn > 1 { lines.append("(\(points.count) bars, \(perColumn) per column: each column shows the largest)") }
        return lines
    }

    private func trimmedRight(_ text: String) -> String {
        var copy = text
        while copy.last == " " { copy.removeLast() }
        return copy
    }

    /// A label with line breaks and tabs written as `\n` and `\t`.
    static func printable(_ text: String) -> String {
        text.replacingOccurrences(of: "\n", with: "\\n").replacingOccurrences(of: "\t", with: "\\t")
    }
}
