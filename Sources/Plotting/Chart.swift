/// A chart of one or more series (lines, or bars), or a heatmap (``ChartKind``): what `plot` shows and what a notebook's `series=` file
/// stores. The same chart renders to the terminal, SVG and PNG (``ChartRenderer``), and
/// verification compares charts by their data (``Chart/differences(from:rtol:atol:)``), never
/// by pixels.
public struct Chart: Sendable, Equatable, Codable {
    /// Heading above the plot; empty for none.
    public var title: String
    /// Name of the x axis, e.g. `step`.
    public var xLabel: String
    /// Name of the y axis, e.g. `loss`.
    public var yLabel: String
    /// Curves, drawn in order (later ones on top), colours and glyphs by position.
    public var series: [Series]
    /// Linear or logarithmic y axis.
    public var yScale: YScale
    /// TensorBoard-style exponential moving average weight in `0..<1`; `0` draws the raw values.
    /// With smoothing on, the smoothed curve is the line; the raw one is drawn faint in SVG/PNG
    /// and left out in the terminal.
    public var smoothing: Double
    /// Span of the y axis.
    public var yRange: YRange
    /// A table of counts drawn as a heatmap in place of the curves (a confusion matrix); nil
    /// for a line chart. Kept in the series JSON under `table`.
    public var table: CountTable?
    /// Bars or a heatmap; nil for lines (left out of the JSON, so line charts keep their bytes).
    public var kind: ChartKind?
    /// A heatmap's values.
    public var grid: HeatmapGrid?

    public init(title: String = "", xLabel: String = "step", yLabel: String = "", series: [Series],
                yScale: YScale = .linear, smoothing: Double = 0, yRange: YRange = .automatic, table: CountTable? = nil) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.series = series
        self.yScale = yScale
        self.smoothing = smoothing
        self.yRange = yRange
        self.table = table
    }

    private enum CodingKeys: String, CodingKey {
        case title, xLabel = "x_label", yLabel = "y_label", series, yScale = "y_scale", smoothing, yRange = "y_range", table, kind, grid
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(title: try c.decodeIfPresent(String.self, forKey: .title) ?? "",
                  xLabel: try c.decodeIfPresent(String.self, forKey: .xLabel) ?? "step",
                  yLabel: try c.decodeIfPresent(String.self, forKey: .yLabel) ?? "",
                  series: try c.decode([Series].self, forKey: .series),
                  yScale: try c.decodeIfPresent(YScale.self, forKey: .yScale) ?? .linear,
                  smoothing: try c.decodeIfPresent(Double.self, forKey: .smoothing) ?? 0,
                  yRange: try c.decodeIfPresent(YRange.self, forKey: .yRange) ?? .automatic,
                  table: try c.decodeIfPresent(CountTable.self, forKey: .table))
        kind = try c.decodeIfPresent(ChartKind.self, forKey: .kind)
        grid = try c.decodeIfPresent(HeatmapGrid.self, forKey: .grid)
    }
}
