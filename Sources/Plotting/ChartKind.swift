/// What a chart draws: lines (training curves, the default), bars (a histogram or one number per
/// item, from the first series' points) or a heatmap (a grid of values, such as attention).
public enum ChartKind: String, Sendable, Equatable, Codable {
    case line, bars, heatmap
}

/// The values of a heatmap: `rows × columns`, row-major, with a label per row and per column
/// (the tokens of an attention map). Non-finite values are missing (`nil`), as in ``Series``.
public struct HeatmapGrid: Sendable, Equatable, Codable {
    public var rows: Int
    public var columns: Int
    public var values: [Double?]
    public var rowLabels: [String]
    public var columnLabels: [String]

    public init(rows: Int, columns: Int, values: [Double], rowLabels: [String] = [], columnLabels: [String] = []) {
        precondition(values.count == rows * columns, "heatmap: \(values.count) values for \(rows) × \(columns)")
        self.rows = rows
        self.columns = columns
        self.values = values.map { $0.isFinite ? $0 : nil }
        self.rowLabels = rowLabels.count == rows ? rowLabels : (0..<rows).map(String.init)
        self.columnLabels = columnLabels.count == columns ? columnLabels : (0..<columns).map(String.init)
    }

    private enum CodingKeys: String, CodingKey {
        case rows, columns, values, rowLabels = "row_labels", columnLabels = "column_labels"
    }

    /// The smallest and largest present values (0…1 when there are none).
    public var range: (low: Double, high: Double) {
        let present = values.compactMap { $0 }
        guard let low = present.min(), let high = present.max() else { return (0, 1) }
        return (low, high)
    }

    /// A value's place between the smallest and the largest, in 0…1 (0 when all are equal).
    public func fraction(_ value: Double) -> Double {
        let (low, high) = range
        return high > low ? (value - low) / (high - low) : 0
    }
}

extension Chart {
    /// A bar chart: one bar per point of `series`, at its x (a histogram's bin centres, or 0, 1, …).
    public static func bars(title: String, xLabel: String, yLabel: String, series: Series) -> Chart {
        var chart = Chart(title: title, xLabel: xLabel, yLabel: yLabel, series: [series])
        chart.kind = .bars
        return chart
    }

    /// A heatmap of `grid`.
    public static func heatmap(title: String, xLabel: String, yLabel: String, grid: HeatmapGrid) -> Chart {
        var chart = Chart(title: title, xLabel: xLabel, yLabel: yLabel, series: [])
        chart.kind = .heatmap
        chart.grid = grid
        return chart
    }

    /// The kind, `line` when none was set.
    public var drawnKind: ChartKind { kind ?? .line }
}
