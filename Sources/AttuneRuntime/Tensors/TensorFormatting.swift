/// Renders tensor values as a readable block: rows of a matrix with aligned columns, at most
/// `maxRows` × `maxColumns` shown, the rest marked with `…`.
public enum TensorFormatting {
    public static let maxRows = 8
    public static let maxColumns = 8

    /// Values of `shape` (already selected) laid out for the terminal.
    public static func block(_ values: [Float], shape: [Int]) -> String {
        func cell(_ v: Float) -> String {
            if v.isNaN { return "nan" }
            if v.isInfinite { return v > 0 ? "inf" : "-inf" }
            return NumberText.stat(Double(v))
        }
        if shape.isEmpty { return values.first.map(cell) ?? "" }
        let columns = shape.last!
        let rows = shape.dropLast().reduce(1, *)
        if columns == 0 || rows == 0 { return "[] (empty)" }
        let shownColumns = min(columns, maxColumns), shownRows = min(rows, maxRows)
        var grid: [[String]] = []
        for r in 0..<shownRows {
            var line: [String] = []
            for c in 0..<shownColumns {
                let i = r * columns + c
                line.append(i < values.count ? cell(values[i]) : "?")
            }
            grid.append(line)
        }
        let width = grid.flatMap { $0 }.map(\.count).max() ?? 1
        var lines = grid.map { row in
            "  " + row.map { String(repeating: " ", count: width - $0.count) + $0 }.joined(separator: "  ")
                + (columns > shownColumns ? "  … (\(columns - shownColumns) more)" : "")
        }
        if rows > shownRows { lines.append("  … (\(rows - shownRows) more rows)") }
        return lines.joined(separator: "\n")
    }
}
