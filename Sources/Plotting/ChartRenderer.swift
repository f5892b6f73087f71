import Foundation

/// One place to turn a ``Chart`` into each of its forms.
public enum ChartRenderer {
    /// Braille text in at most `width` columns and about `height` lines (``TerminalRenderer``).
    public static func terminal(_ chart: Chart, width: Int = 80, height: Int = 16, color: Bool = false) -> String {
        if let table = chart.table { return HeatmapRenderer.terminal(table, title: chart.title) }
        return TerminalRenderer(width: width, height: height, color: color).render(chart)
    }

    /// A standalone SVG document (``SVGRenderer``).
    public static func svg(_ chart: Chart, width: Int = 800, height: Int = 400) -> String {
        if let table = chart.table { return HeatmapRenderer.svg(table, title: chart.title) }
        return SVGRenderer(width: width, height: height).render(chart)
    }

    /// A PNG file (``PNGRenderer``).
    public static func png(_ chart: Chart, width: Int = 800, height: Int = 400) -> Data {
        if let table = chart.table { return HeatmapRenderer.png(table, title: chart.title) }
        return PNGRenderer(width: width, height: height).render(chart)
    }
}
