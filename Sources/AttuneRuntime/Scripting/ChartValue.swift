import Plotting

/// A chart as a value: what `hist(w)`, `heatmap(t)` and `bar(xs)` give and `plot` draws.
public final class ChartValue: OpaqueScriptValue, @unchecked Sendable {
    public let chart: Chart

    init(_ chart: Chart) {
        self.chart = chart
    }

    public var typeName: String { "chart" }

    public var displayText: String { "chart \(chart.drawnKind.rawValue) \"\(chart.title)\" (plot draws it)" }

    public var fieldNames: [String] { ["kind", "title"] }

    public func field(_ name: String) -> ScriptValue? {
        switch name {
        case "kind": return .string(chart.drawnKind.rawValue)
        case "title": return .string(chart.title)
        default: return nil
        }
    }
}
