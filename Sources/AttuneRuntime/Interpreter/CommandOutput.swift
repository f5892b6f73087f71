import AttuneNotebook
import Foundation
import Plotting

/// What a command produced, in the order the notebook records it: a compact `result` text, the
/// `stream` lines it printed as it went (progress, per-run lines), `metrics` records (one JSON
/// object per logged step, what verification compares numerically and plots re-draw from), and
/// `plots` (charts with their terminal text; the notebook keeps their series and images as
/// assets, see ``PlotAssets``).
///
/// Warnings (a learning rate outside the guide's range) are part of the result: they end it, one
/// per line, starting `warning: `.
public struct CommandOutput: Sendable, Equatable {
    public var result: String?
    public var stream: [String]
    public var metrics: [JSONValue]
    public var warnings: [String]
    public var plots: [PlotOutput]

    public init(result: String? = nil, stream: [String] = [], metrics: [JSONValue] = [], warnings: [String] = [],
                plots: [PlotOutput] = []) {
        self.result = result
        self.stream = stream
        self.metrics = metrics
        self.warnings = warnings
        self.plots = plots
    }

    /// The result text with warnings appended, as recorded and printed.
    public var resultText: String? {
        let warningLines = warnings.map { "warning: " + $0 }
        let lines = (result.map { [$0] } ?? []) + warningLines
        return lines.isEmpty ? nil : lines.joined(separator: "\n")
    }

    /// The outputs as notebook cell outputs: stream, metrics, plots, then result. A plot carries
    /// its series JSON in memory (`PlotInfo.seriesData`) until the recorder stores it as a file.
    public var cellOutputs: [CellOutput] {
        var outputs: [CellOutput] = []
        if !stream.isEmpty { outputs.append(.stream(stream.joined(separator: "\n"))) }
        if !metrics.isEmpty { outputs.append(.metrics(metrics)) }
        for plot in plots { outputs.append(plot.cellOutput) }
        if let text = resultText { outputs.append(.result(text)) }
        return outputs
    }
}
