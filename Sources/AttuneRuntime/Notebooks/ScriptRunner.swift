import AttuneLanguage
import AttuneNotebook
import Foundation

/// Runs a script (`attune run FILE.attune`, `attune -c`): the whole text is parsed first (a
/// syntax error anywhere runs nothing), then each statement runs as its own cell, so a recording
/// replays the same way. Errors print with the script's own line numbers and a caret.
public struct ScriptRunner {
    public let interpreter: Interpreter
    /// Records each statement as a cell, when set.
    public var recorder: SessionRecorder?
    /// Keep running after a failed statement (the exit status still reports it).
    public var keepGoing = false
    /// Where results and errors go.
    public var print: (_ text: String, _ isError: Bool) -> Void

    public init(interpreter: Interpreter, print: @escaping (_ text: String, _ isError: Bool) -> Void) {
        self.interpreter = interpreter
        self.print = print
    }

    /// Runs `source`; returns true when every statement succeeded.
    public func run(source: String, fileLabel: String) -> Bool {
        let parsed = interpreter.parse(source)
        let errors = parsed.diagnostics.filter { $0.severity == .error }
        if !errors.isEmpty || parsed.isIncomplete {
            var text = errors.render(source: source)
            if errors.isEmpty { text = "\(fileLabel): the last statement is not finished (an open bracket or a trailing \\)" }
            print("\(fileLabel): \(errors.count) syntax error\(errors.count == 1 ? "" : "s"); nothing ran\n" + text, true)
            return false
        }
        var succeeded = true
        for statement in parsed.statements {
            let run = interpreter.run(source: statement.text)
            recorder?.record(source: statement.text, run: run)
            let text = run.terminalText(streamShown: interpreter.session.liveStream != nil)
            if !text.stdout.isEmpty { print(text.stdout, false) }
            if run.failed {
                succeeded = false
                print(Self.relocated(run, statement: statement, in: source), true)
                if !keepGoing { break }
            }
        }
        return succeeded
    }

    /// The run's error rendered against the whole script, with the script's line numbers.
    static func relocated(_ run: SourceRun, statement: Statement, in source: String) -> String {
        let start = statement.range.start
        func shift(_ p: SourcePosition) -> SourcePosition {
            SourcePosition(offset: p.offset + start.offset, line: p.line + start.line - 1,
                           column: p.line == 1 ? p.column + start.column - 1 : p.column)
        }
        var diagnostics = run.syntaxErrors
        diagnostics += run.outcomes.compactMap(\.error).map { error in
            let range = error.range ?? SourceRange(start: .start, end: .start)
            return Diagnostic(error.message, at: range, suggestion: error.suggestion)
        }
        return diagnostics.map { d in
            Diagnostic(d.message, at: SourceRange(start: shift(d.range.start), end: shift(d.range.end)), suggestion: d.suggestion)
                .render(source: source)
        }.joined(separator: "\n")
    }
}
