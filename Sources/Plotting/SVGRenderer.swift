import Essentials
import Foundation

/// Draws a ``Chart`` as a standalone SVG document: white background, gridlines at the ticks,
/// axes with tick labels and names, a legend row above the plot, one polyline per series in an
/// Okabe–Ito colour (the raw values faint under the smoothed line when smoothing is on), a ✕ at
/// each marker. Text is escaped; numbers are written with two decimals at most, so the same
/// chart always gives the same bytes.
public struct SVGRenderer: Sendable {
    public var width: Int
    public var height: Int
    /// Font size in pixels; text is monospace so the layout can measure it.
    public var fontSize: Double

    public init(width: Int = 800, height: Int = 400, fontSize: Double = 12) {
        self.width = max(width, 100)
        self.height = max(height, 80)
        self.fontSize = fontSize
    }

    public func render(_ chart: Chart) -> String {
        if chart.drawnKind != .line { return renderGrid(chart) }
        let plan = ChartPlan(chart)
        let layout = FrameLayout(plan: plan, chart: chart, width: width, height: height,
                                 charWidth: fontSize * 0.6, lineHeight: fontSize * 1.2)
        let p = layout.plot
        let clipID = "plot-\(fingerprint(chart))"
        var svg: [String] = []
        svg.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(height)\" viewBox=\"0 0 \(width) \(height)\" "
                   + "font-family=\"DejaVu Sans Mono, Menlo, Consolas, monospace\" font-size=\"\(n(fontSize))\">")
        let description = chart.title.isEmpty ? (chart.yLabel.isEmpty ? "chart" : chart.yLabel) : chart.title
        svg.append("<title>\(MarkupEscaping.escape(description))</title>")
        svg.append("<defs><clipPath id=\"\(clipID)\"><rect x=\"\(n(p.x))\" y=\"\(n(p.y))\" width=\"\(n(p.width))\" height=\"\(n(p.height))\"/></clipPath></defs>")
        svg.append("<rect width=\"\(width)\" height=\"\(height)\" fill=\"#ffffff\"/>")

        // Gridlines.
        svg.append("<g stroke=\"\(RGBColor.grid.hex)\" stroke-width=\"1\">")
        for tick in layout.yTicks {
            let y = layout.py(tick.position)
            svg.append("<line x1=\"\(n(p.x))\" y1=\"\(n(y))\" x2=\"\(n(p.maxX))\" y2=\"\(n(y))\"/>")
        }
        for tick in layout.xTicks {
            let x = layout.px(tick.position)
            svg.append("<line x1=\"\(n(x))\" y1=\"\(n(p.y))\" x2=\"\(n(x))\" y2=\"\(n(p.maxY))\"/>")
        }
        svg.append("</g>")

        // Series: raw (faint, when smoothed) then the main line, clipped to the plot.
        svg.append("<g clip-path=\"url(#\(clipID))\" fill=\"none\" stroke-linejoin=\"round\" stroke-linecap=\"round\">")
        for line in plan.lines {
            let color = Palette.color(line.index).hex
            if line.smoothed != nil, line.raw.count > 1 {
                svg.append("<polyline class=\"raw\" stroke=\"\(color)\" stroke-opacity=\"0.25\" stroke-width=\"1\" points=\"\(points(line.raw, layout))\"/>")
            }
            let drawn = line.drawn
            if drawn.count == 1 {
                svg.append("<circle cx=\"\(n(layout.px(drawn[0].x)))\" cy=\"\(n(layout.py(drawn[0].t)))\" r=\"2.5\" fill=\"\(color)\" stroke=\"none\"/>")
            } else if drawn.count > 1 {
                svg.append("<polyline class=\"series\" data-name=\"\(MarkupEscaping.escape(line.name))\" stroke=\"\(color)\" stroke-width=\"2\" points=\"\(points(drawn, layout))\"/>")
            }
        }
        svg.append("</g>")

        // Markers.
        for line in plan.lines {
            for marker in line.markers {
                let x = layout.px(marker.point.x)
                let y = min(max(layout.py(marker.point.t), p.y), p.maxY)
                svg.append(cross(x: x, y: y, size: fontSize * 0.4, color: Palette.color(line.index).hex,
                                 note: "\(line.name): \(marker.note)"))
            }
        }

        // Axes, ticks and labels.
        svg.append("<g stroke=\"\(RGBColor.ink.hex)\" stroke-width=\"1\">")
        svg.append("<line x1=\"\(n(p.x))\" y1=\"\(n(p.maxY))\" x2=\"\(n(p.maxX))\" y2=\"\(n(p.maxY))\"/>")
        svg.append("<line x1=\"\(n(p.x))\" y1=\"\(n(p.y))\" x2=\"\(n(p.x))\" y2=\"\(n(p.maxY))\"/>")
        for tick in layout.yTicks {
            let y = layout.py(tick.position)
            svg.append("<line x1=\"\(n(p.x - layout.tickLength))\" y1=\"\(n(y))\" x2=\"\(n(p.x))\" y2=\"\(n(y))\"/>")
        }
        for tick in layout.xTicks {
            let x = layout.px(tick.position)
            svg.append("<line x1=\"\(n(x))\" y1=\"\(n(p.maxY))\" x2=\"\(n(x))\" y2=\"\(n(p.maxY + layout.tickLength))\"/>")
        }
        svg.append("</g>")
        svg.append("<g fill=\"\(RGBColor.muted.hex)\">")
        for tick in layout.yTicks {
            let y = layout.py(tick.position)
            svg.append(text(tick.label, x: p.x - layout.tickLength - 3, y: y, anchor: "end", baseline: "middle"))
        }
        for tick in layout.xTicks {
            let x = layout.px(tick.position)
            svg.append(text(tick.label, x: x, y: p.maxY + layout.tickLength + 2, anchor: "middle", baseline: "hanging"))
        }
        svg.append("</g>")
        svg.append("<g fill=\"\(RGBColor.ink.hex)\">")
        if !chart.xLabel.isEmpty {
            svg.append(text(chart.xLabel, x: p.x + p.width / 2, y: p.maxY + layout.tickLength + layout.lineHeight * 1.4,
                            anchor: "middle", baseline: "hanging"))
        }
        if !chart.yLabel.isEmpty {
            let x = p.x - layout.tickLength - layout.yTickLabelWidth - layout.lineHeight
            let y = p.y + p.height / 2
            svg.append("<text x=\"\(n(x))\" y=\"\(n(y))\" text-anchor=\"middle\" transform=\"rotate(-90 \(n(x)) \(n(y)))\">\(MarkupEscaping.escape(chart.yLabel))</text>")
        }
        if let titleY = layout.titleY {
            svg.append("<text x=\"\(n(Double(width) / 2))\" y=\"\(n(titleY))\" text-anchor=\"middle\" dominant-baseline=\"hanging\" "
                       + "font-size=\"\(n(fontSize * 1.2))\" font-weight=\"bold\">\(MarkupEscaping.escape(chart.title))</text>")
        }
        svg.append("</g>")

        // Legend.
        svg.append("<g class=\"legend\">")
        for entry in layout.legend {
            let color = Palette.color(entry.line).hex
            let mid = entry.y + layout.lineHeight / 2
            svg.append("<line x1=\"\(n(entry.x))\" y1=\"\(n(mid))\" x2=\"\(n(entry.x + layout.swatch))\" y2=\"\(n(mid))\" stroke=\"\(color)\" stroke-width=\"2\"/>")
            svg.append(text(entry.text, x: entry.x + layout.swatch + layout.charWidth, y: mid, anchor: "start", baseline: "middle",
                            fill: RGBColor.ink.hex))
        }
        svg.append("</g>")
        svg.append("</svg>")
        return svg.joined(separator: "\n") + "\n"
    }

    private func points(_ pts: [ChartPlan.Point], _ layout: FrameLayout) -> String {
        pts.map { "\(n(layout.px($0.x))),\(n(layout.py($0.t)))" }.joined(separator: " ")
    }

    private func text(_ s: String, x: Double, y: Double, anchor: String, baseline: String, fill: String? = nil) -> String {
        let fillAttribute = fill.map { " fill=\"\($0)\"" } ?? ""
        return "<text x=\"\(n(x))\" y=\"\(n(y))\" text-anchor=\"\(anchor)\" dominant-baseline=\"\(baseline)\"\(fillAttribute)>\(MarkupEscaping.escape(s))</text>"
    }

    private func cross(x: Double, y: Double, size: Double, color: String, note: String) -> String {
        let d = "M\(n(x - size)) \(n(y - size))L\(n(x + size)) \(n(y + size))M\(n(x - size)) \(n(y + size))L\(n(x + size)) \(n(y - size))"
        return "<path class=\"marker\" d=\"\(d)\" stroke=\"\(color)\" stroke-width=\"2.5\" stroke-linecap=\"round\"><title>\(MarkupEscaping.escape(note))</title></path>"
    }

    /// A number with at most two decimals and no trailing zeros.
    private func n(_ v: Double) -> String {
        guard v.isFinite else { return "0" }
        return NumberLabel.trimmed(NumberLabel.fixed(v, decimals: 2))
    }

    /// A short stable hash of the chart's content, so several SVGs inlined in one page keep
    /// distinct clip-path ids.
    private func fingerprint(_ chart: Chart) -> String {
        let text = (try? chart.jsonData()) ?? Data()
        let h = FNV1a.hash(text + Data("\(width)x\(height)".utf8))
        return String(h & 0xFFFF_FFFF, radix: 16)
    }
}
