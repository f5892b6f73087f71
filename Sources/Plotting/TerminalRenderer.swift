/// Draws a ``Chart`` as text: a braille line chart with a y axis (two or three ticks), an x
/// axis with ticks and its label, and a legend, in at most `width` columns and about `height`
/// lines.
///
///      5.5 ┤⠑⠢⢄
///          │   ⠈⠑⠢⢄⣀       ●
///      ...
///          └┬─────────┬─────────┬──────
///           0        30        60   step
///          ● lr=3e-4  ■ lr=3e-3  ▲ lr=3e-2 ✕ diverged at 17
///
/// Series are told apart by a glyph at their last point (repeated in the legend) and, with
/// `color`, by ANSI colours. With smoothing on, the smoothed line is drawn and the raw values
/// are not (braille cannot draw faint). A ✕ marks each marker. Missing values are skipped.
public struct TerminalRenderer: Sendable {
    /// Columns available, axis labels and legend included (every line fits; at least 8).
    public var width: Int
    /// Lines available, title, axes and legend included (the plot keeps at least two rows, so
    /// a very small height can be exceeded).
    public var height: Int
    /// ANSI colours per series; off for notebooks and pipes.
    public var color: Bool

    public init(width: Int = 80, height: Int = 16, color: Bool = false) {
        self.width = width
        self.height = height
        self.color = color
    }

    /// The chart as lines joined by "\n" (no trailing newline).
    public func render(_ chart: Chart) -> String {
        renderLines(chart).joined(separator: "\n")
    }

    /// The chart line by line, each at most `width` columns.
    public func renderLines(_ chart: Chart) -> [String] {
        if chart.drawnKind != .line { return renderGridLines(chart) }
        let width = max(self.width, 8)
        let plan = ChartPlan(chart)

        // Gutter: right-aligned y tick labels, a space, the axis.
        let yTicks = plan.yTicks(target: 3)
        var labelWidth = yTicks.map { DisplayWidth.of($0.label) }.max() ?? 0
        if width - (labelWidth + 2) < 4 { labelWidth = 0 }
        let gutter = labelWidth == 0 ? 1 : labelWidth + 2
        let columns = width - gutter

        var header: [String] = []
        if !chart.title.isEmpty || !chart.yLabel.isEmpty {
            header.append(headerLine(title: chart.title, yLabel: chart.yLabel, gutter: gutter, width: width))
        }
        let legend = legendLines(plan, gutter: gutter, width: width)
        let rows = max(2, height - header.count - 2 - legend.count)

        var canvas = BrailleCanvas(columns: columns, rows: rows)
        draw(plan, on: &canvas)

        // Which row each y tick labels: the row whose dots contain the tick.
        var tickRows: [Int: String] = [:]
        if labelWidth > 0 {
            for tick in yTicks {
                let dotY = (1 - ChartPlan.drawable(plan.yFraction(tick.position))) * Double(canvas.dotHeight - 1)
                let row = min(rows - 1, max(0, Int(dotY.rounded()) / 4))
                if tickRows[row] == nil { tickRows[row] = tick.label }
            }
        }
        var lines = header
        for row in 0..<rows {
            var line = ""
            if labelWidth > 0 {
                let label = tickRows[row] ?? ""
                line += String(repeating: " ", count: labelWidth - DisplayWidth.of(label)) + label + " "
            }
            line += tickRows[row] == nil ? "│" : "┤"
            line += cells(canvas, row: row)
            lines.append(line)
        }
        lines += xAxis(plan, canvas: canvas, gutter: gutter, width: width, xLabel: chart.xLabel)
        lines += legend
        return lines.map { trimTrailing(DisplayWidth.truncate($0, to: width)) }
    }

    // MARK: - Drawing

    /// Dot coordinates of a point in axis space.
    private func dot(_ p: ChartPlan.Point, _ plan: ChartPlan, _ canvas: BrailleCanvas) -> (x: Int, y: Int) {
        let fx = ChartPlan.drawable(plan.xFraction(p.x)), fy = ChartPlan.drawable(plan.yFraction(p.t))
        let x = (fx * Double(canvas.dotWidth - 1)).rounded()
        let y = ((1 - fy) * Double(canvas.dotHeight - 1)).rounded()
        return (Int(x), Int(y))
    }

    private func draw(_ plan: ChartPlan, on canvas: inout BrailleCanvas) {
        for line in plan.lines {
            let dots = line.drawn.map { dot($0, plan, canvas) }
            if dots.count == 1 { canvas.set(x: dots[0].x, y: dots[0].y, owner: line.index) }
            for (a, b) in zip(dots, dots.dropFirst()) { canvas.line(from: a, to: b, owner: line.index) }
        }
        // Markers first: a ✕ wins its cell.
        for line in plan.lines {
            for marker in line.markers {
                let d = dot(marker.point, plan, canvas)
                canvas.stamp("✕", column: min(max(d.x / 2, 0), canvas.columns - 1),
                             row: min(max(d.y / 4, 0), canvas.rows - 1), owner: line.index)
            }
        }
        // Then each line's glyph at its last point, or the nearest earlier free cell.
        for line in plan.lines {
            for p in line.drawn.reversed() {
                let d = dot(p, plan, canvas)
                let column = d.x / 2, row = d.y / 4
                guard column >= 0, row >= 0, column < canvas.columns, row < canvas.rows else { continue }
                if !canvas.hasGlyph(column: column, row: row) {
                    canvas.stamp(Palette.glyph(line.index), column: column, row: row, owner: line.index)
                    break
                }
            }
        }
    }

    private func cells(_ canvas: BrailleCanvas, row: Int) -> String {
        guard color else { return canvas.text(row: row) }
        var out = ""
        var current = -1
        for column in 0..<canvas.columns {
            let (ch, owner) = canvas.cell(column: column, row: row)
            let wanted = ch == " " ? -1 : owner
            if wanted != current {
                if current >= 0 { out += "\u{1B}[0m" }
                if wanted >= 0 { out += "\u{1B}[\(Palette.ansi(wanted))m" }
                current = wanted
            }
            out.append(ch)
        }
        if current >= 0 { out += "\u{1B}[0m" }
        return out
    }

    // MARK: - Axes, header and legend

    private func headerLine(title: String, yLabel: String, gutter: Int, width: Int) -> String {
        var line = yLabel
        if !title.isEmpty {
            let plotWidth = width - gutter
            let titleWidth = DisplayWidth.of(title)
            var start = gutter + max(0, (plotWidth - titleWidth) / 2)
            let used = DisplayWidth.of(line)
            if used > 0 { start = max(start, used + 2) }
            line += String(repeating: " ", count: max(0, start - used)) + title
        }
        return line
    }

    private func xAxis(_ plan: ChartPlan, canvas: BrailleCanvas, gutter: Int, width: Int, xLabel: String) -> [String] {
        let columns = canvas.columns
        let ticks = plan.xTicks(target: max(2, min(8, columns / 12)))
        var axis = Array(repeating: Character("─"), count: columns)
        var placed: [(column: Int, label: String)] = []
        for tick in ticks {
            let column = Int((ChartPlan.drawable(plan.xFraction(tick.position)) * Double(canvas.dotWidth - 1)).rounded()) / 2
            guard column >= 0, column < columns else { continue }
            axis[column] = "┬"
            placed.append((column, tick.label))
        }
        let axisLine = String(repeating: " ", count: gutter - 1) + "└" + String(axis)

        // Labels centred under their ticks, never touching; the axis name at the right end.
        var slots = Array(repeating: Character(" "), count: width)
        var occupied: [Range<Int>] = []
        func free(_ r: Range<Int>) -> Bool {
            r.lowerBound >= 0 && r.upperBound <= width
                && !occupied.contains { $0.lowerBound - 1 < r.upperBound && r.lowerBound < $0.upperBound + 1 }
        }
        var labelRanges: [Range<Int>] = []
        for (column, label) in placed {
            let n = label.count
            var start = gutter + column - (n - 1) / 2
            start = min(max(start, 0), width - n)
            let r = start..<(start + n)
            guard free(r) else { continue }
            occupied.append(r)
            labelRanges.append(r)
            for (i, ch) in label.enumerated() { slots[r.lowerBound + i] = ch }
        }
        let name = Array(xLabel)
        if !name.isEmpty, name.count + 1 < width - gutter {
            let r = (width - name.count)..<width
            // The name needs two spaces before it; tick labels in the way give way while at
            // least two stay, else the name is left out.
            var keep = labelRanges
            while let last = keep.last, last.upperBound + 2 > r.lowerBound { keep.removeLast() }
            if keep.count >= 2 || keep.count == labelRanges.count {
                for dropped in labelRanges.dropFirst(keep.count) { for i in dropped { slots[i] = " " } }
                for (i, ch) in name.enumerated() { slots[r.lowerBound + i] = ch }
            }
        }
        return [axisLine, String(slots)]
    }

    private func legendLines(_ plan: ChartPlan, gutter: Int, width: Int) -> [String] {
        let entries = plan.lines.map { line -> String in
            let glyph = String(Palette.glyph(line.index))
            let mark = color ? "\u{1B}[\(Palette.ansi(line.index))m\(glyph)\u{1B}[0m" : glyph
            return mark + " " + line.legendText
        }
        guard !entries.isEmpty else { return [] }
        let indent = entries.allSatisfy({ DisplayWidth.of($0) <= width - gutter }) ? gutter : 0
        let pad = String(repeating: " ", count: indent)
        var lines: [String] = []
        var current = ""
        for entry in entries {
            let fitted = DisplayWidth.truncate(entry, to: width - indent)
            if current.isEmpty {
                current = fitted
            } else if DisplayWidth.of(current) + 2 + DisplayWidth.of(fitted) <= width - indent {
                current += "  " + fitted
            } else {
                lines.append(pad + current)
                current = fitted
            }
        }
        lines.append(pad + current)
        return lines
    }

    private func trimTrailing(_ s: String) -> String {
        var s = Substring(s)
        while s.last == " " { s = s.dropLast() }
        return String(s)
    }
}
