import AttuneLanguage
import AttuneNotebook

/// What running one statement gave: its output and the error, if it failed.
public struct StatementOutcome: Sendable, Equatable {
    public var statement: Statement
    public var output: CommandOutput
    public var error: CommandError?
}

/// What running a source text (a REPL input, a notebook cell, a script) gave.
///
/// A source with a syntax error runs nothing: `syntaxErrors` lists every problem. Otherwise the
/// statements run in order and stop at the first one that fails.
public struct SourceRun: Sendable, Equatable {
    public var source: String
    public var syntaxErrors: [Diagnostic] = []
    /// Parser warnings (the source still ran).
    public var syntaxWarnings: [Diagnostic] = []
    public var outcomes: [StatementOutcome] = []
    /// The safe point where a long command of the cell stopped on request (Ctrl-C), if one did.
    public var stoppedAtSafePoint: Int?

    /// True when there was a syntax error or a command failed.
    public var failed: Bool { !syntaxErrors.isEmpty || outcomes.contains { $0.error != nil } }

    /// The first error as the notebook records it: name and `line L, column C: message`.
    public var firstError: (name: String, message: String)? {
        if !syntaxErrors.isEmpty {
            return ("SyntaxError", syntaxErrors.map(\.description).joined(separator: "\n"))
        }
        return outcomes.lazy.compactMap(\.error).first.map { ($0.name, $0.oneLine) }
    }

    /// The outputs of the cell: each statement's outputs in order (consecutive results merged
    /// into one block, and consecutive stream lines, such as a loop's prints, too), then the error.
    /// A loop's commands appear in the order they ran.
    public var cellOutputs: [CellOutput] {
        var outputs: [CellOutput] = []
        if !syntaxWarnings.isEmpty {
            outputs.append(.result(syntaxWarnings.map(\.description).joined(separator: "\n")))
        }
        for outcome in outcomes {
            for output in outcome.output.cellOutputs {
                if output.kind == .result, let last = outputs.last, last.kind == .result {
                    outputs[outputs.count - 1] = .result(last.text + "\n" + output.text)
                } else if output.kind == .stream, let last = outputs.last, last.kind == .stream {
                    outputs[outputs.count - 1] = .stream(last.text + "\n" + output.text)
                } else {
                    outputs.append(output)
                }
            }
        }
        if let error = firstError { outputs.append(.error(name: error.name, message: error.message)) }
        return outputs
    }

    /// What a terminal shows: results and (unless already printed live) stream lines on
    /// standard output, errors with the source line and a caret on standard error.
    public func terminalText(streamShown: Bool) -> (stdout: String, stderr: String) {
        var out: [String] = []
        var err: [String] = []
        if !syntaxErrors.isEmpty { err.append(syntaxErrors.render(source: source)) }
        for warning in syntaxWarnings { out.append(warning.render(source: source)) }
        for outcome in outcomes {
            if !streamShown, !outcome.output.stream.isEmpty { out.append(outcome.output.stream.joined(separator: "\n")) }
            for plot in outcome.output.plots { out.append(plot.text) }
            if let text = outcome.output.resultText { out.append(text) }
            if let error = outcome.error { err.append(error.render(source: source)) }
        }
        return (out.joined(separator: "\n"), err.joined(separator: "\n"))
    }
}
