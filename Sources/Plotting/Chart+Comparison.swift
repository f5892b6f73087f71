extension Chart {
    /// How this chart's data differs from `other`'s, one sentence per difference (empty when
    /// they match): series names and counts exactly, x values and present y values within
    /// `|a − b| ≤ atol + rtol·|b|`, missing values in the same places, marker notes exactly.
    /// Titles, labels and rendering options are not compared: verification is about the data.
    public func differences(from other: Chart, rtol: Double = 1e-4, atol: Double = 1e-6) -> [String] {
        func close(_ a: Double, _ b: Double) -> Bool { abs(a - b) <= atol + rtol * abs(b) }
        var out: [String] = []
        if drawnKind != other.drawnKind { out.append("a \(other.drawnKind.rawValue) chart became a \(drawnKind.rawValue) chart") }
        if let a = grid, let b = other.grid {
            if (a.rows, a.columns) != (b.rows, b.columns) {
                out.append("the \(b.rows) × \(b.columns) heatmap became \(a.rows) × \(a.columns)")
            } else {
                if a.rowLabels != b.rowLabels || a.columnLabels != b.columnLabels { out.append("the heatmap's labels changed") }
                for (i, (p, q)) in zip(a.values, b.values).enumerated() {
                    switch (p, q) {
                    case (nil, nil): continue
                    case let (y?, z?) where close(y, z): continue
                    default:
                        out.append("heatmap[\(i / b.columns), \(i % b.columns)] \(q.map { "\($0)" } ?? "missing") became \(p.map { "\($0)" } ?? "missing")")
                    }
                }
            }
        } else if (grid == nil) != (other.grid == nil) {
            out.append(grid == nil ? "the heatmap's values are gone" : "a heatmap's values appeared")
        }
        if series.count != other.series.count {
            out.append("\(other.series.count) series became \(series.count)")
        }
        for (i, (a, b)) in zip(series, other.series).enumerated() {
            let label = "series[\(i)] \"\(b.name)\""
            if a.name != b.name { out.append("series[\(i)] name \"\(b.name)\" became \"\(a.name)\"") }
            if a.points.count != b.points.count {
                out.append("\(label): \(b.points.count) points became \(a.points.count)")
            }
            for (j, (p, q)) in zip(a.points, b.points).enumerated() {
                if !close(p.x, q.x) { out.append("\(label) x[\(j)] \(q.x) became \(p.x)") }
                switch (p.y, q.y) {
                case (nil, nil): break
                case let (y?, z?) where close(y, z): break
                default:
                    out.append("\(label) y[\(j)] \(q.y.map { "\($0)" } ?? "missing") became \(p.y.map { "\($0)" } ?? "missing")")
                }
            }
            if a.markers.map(\.note) != b.markers.map(\.note) {
                out.append("\(label) markers \(b.markers.map(\.note)) became \(a.markers.map(\.note))")
            }
        }
        return out
    }
}
