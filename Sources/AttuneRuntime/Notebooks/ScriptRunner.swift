import AttuneLanguage
import AttuneNotebook
import Foundation

/// Runs a script (`attune run FILE.attune`, `attune -c`): the whole text is parsed first (a
/// syntax error anywhere runs nothing, except with `keepGoing`, when the statements that parsed run
/// and each error is reported at its place), then each statement runs as its own cell, so a recording
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
        if keepGoing, !errors.isEmpty, !parsed.isIncomplete {
            return runAround(errors, parsed.statements, source: source)
        }
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

    /// `--keep-going` with syntax errors: the statements that parsed run in order, and each syntax
    /// error is reported at its place as a failed statement (it runs nothing and is not recorded).
    private func runAround(_ errors: [Diagnostic], _ statements: [Statement], source: String) -> Bool {
        var pending = errors[...]
        for statement in statements {
            while let error = pending.first, error.range.start.offset < statement.range.start.offset {
                print(error.render(source: source), true)
                pending = pending.dropFirst()
            }
            let run = interpreter.run(source: statement.text)
            recorder?.record(source: statement.text, run: run)
            let text = run.terminalText(streamShown: interpreter.session.liveStream != nil)
            if !text.stdout.isEmpty { print(text.stdout, false) }
            if run.failed { print(Self.relocated(run, statement: statement, in: source), true) }
        }
        for error in pending { print(error.render(source: source), true) }
        return false
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
