/// A table of counts drawn as a heatmap instead of curves: a confusion matrix (rows the expected
/// classes, columns the predicted ones). A chart with a table draws only the table; its cells are
/// shaded from white (0) to the first palette colour (the largest count), each with its number.
public struct CountTable: Sendable, Equatable, Codable {
    /// Row headings (`expected`), top to bottom.
    public var rows: [String]
    /// Column headings (`predicted`), left to right.
    public var columns: [String]
    /// `counts[row][column]`.
    public var counts: [[Int]]
    /// What the rows and the columns are: `expected`, `predicted`.
    public var rowLabel: String
    public var columnLabel: String

    public init(rows: [String], columns: [String], counts: [[Int]], rowLabel: String = "", columnLabel: String = "") {
        self.rows = rows
        self.columns = columns
        self.counts = counts
        self.rowLabel = rowLabel
        self.columnLabel = columnLabel
    }

    private enum CodingKeys: String, CodingKey {
        case rows, columns, counts, rowLabel = "row_label", columnLabel = "column_label"
    }

    /// The largest count (at least 1, so shading never divides by zero).
    var largest: Int { max(1, counts.flatMap { $0 }.max() ?? 0) }

    /// A cell's shade in 0…1: its count over the largest.
    func shade(_ row: Int, _ column: Int) -> Double { Double(counts[row][column]) / Double(largest) }
}
