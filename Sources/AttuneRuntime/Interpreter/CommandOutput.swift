import AttuneNotebook

/// What a command produced, in the order the notebook records it: a compact `result` text, the
/// `stream` lines it printed as it went (progress, per-run lines), and `metrics` records (one JSON
/// object per logged step, what verification compares numerically and plots re-draw from).
///
/// Warnings (a learning rate outside the guide's range) are part of the result: they end it, one
/// per line, starting `warning: `.
public struct CommandOutput: Sendable, Equatable {
    public var result: String?
    public var stream: [String]
    public var metrics: [JSONValue]
    public var warnings: [String]

    public init(result: String? = nil, stream: [String] = [], metrics: [JSONValue] = [], warnings: [String] = []) {
        self.result = result
        self.stream = stream
        self.metrics = metrics
        self.warnings = warnings
    }

    /// The result text with warnings appended, as recorded and printed.
    public var resultText: String? {
        let warningLines = warnings.map { "warning: " + $0 }
        let lines = (result.map { [$0] } ?? []) + warningLines
        return lines.isEmpty ? nil : lines.joined(separator: "\n")
    }

    /// The outputs as notebook cell outputs: stream, metrics, then result.
    public var cellOutputs: [CellOutput] {
        var outputs: [CellOutput] = []
        if !stream.isEmpty { outputs.append(.stream(stream.joined(separator: "\n"))) }
        if !metrics.isEmpty { outputs.append(.metrics(metrics)) }
        if let text = resultText { outputs.append(.result(text)) }
        return outputs
    }
}
