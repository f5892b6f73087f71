import AttuneLanguage
import Foundation

/// Runs Attune statements against a session: parses, checks each command's arguments against
/// its schema, runs it, and turns every error into a `CommandError` so that nothing a user types
/// ends the session or leaves it half changed.
public final class Interpreter {
    public let session: Session
    public let registry: CommandRegistry

    public init(session: Session = Session(), registry: CommandRegistry = .standard) {
        self.session = session
        self.registry = registry
    }

    /// Parses `source` with this interpreter's command table.
    public func parse(_ source: String) -> ParseResult {
        Parser.parse(source: source, commands: registry.table)
    }

    /// Runs a whole source text: nothing when it has a syntax error, otherwise every statement in
    /// order until one fails. One call is one notebook cell: safe points are counted from zero.
    /// Variables, functions and named results live in `session.variables` and outlast the call.
    @discardableResult
    public func run(source: String) -> SourceRun {
        session.safePoints.beginCell()
        defer { session.safePoints.beginCell() }
        let parsed = parse(source)
        var run = SourceRun(source: source)
        run.syntaxErrors = parsed.diagnostics.filter { $0.severity == .error }
        run.syntaxWarnings = parsed.diagnostics.filter { $0.severity == .warning }
        if parsed.isIncomplete, run.syntaxErrors.isEmpty, parsed.statements.isEmpty {
            run.syntaxErrors = [Diagnostic("the statement is not finished (an open bracket or a trailing \\)",
                                           at: SourceRange(start: .start, end: .start))]
        }
        guard run.syntaxErrors.isEmpty else { return run }
        let evaluator = Evaluator(interpreter: self, source: source)
        statements: for statement in parsed.statements {
            // A Ctrl-C that stopped the previous statement does not stop this one.
            session.stop.clear()
            do {
                _ = try evaluator.execute(statement, in: session.variables)
            } catch {
                run.outcomes = evaluator.outcomes
                switch error {
                case .failed(let failure, let recorded):
                    if !recorded {
                        run.outcomes.append(StatementOutcome(statement: statement, output: CommandOutput(), error: failure.located(default: statement.range)))
                    }
                case .interrupted(let before):
                    let note = "interrupted (Ctrl-C): stopped before line \(before.start.line)"
                    session.liveStream?(note)
                    run.outcomes.append(StatementOutcome(statement: statement, output: CommandOutput(stream: [note]), error: nil))
                }
                run.stoppedAtSafePoint = session.safePoints.stoppedAt
                return run
            }
        }
        run.outcomes = evaluator.outcomes
        run.stoppedAtSafePoint = session.safePoints.stoppedAt
        return run
    }

    /// Runs one parsed command statement in the session's scope (its arguments as written: bound
    /// names and expressions are not resolved here).
    public func execute(_ statement: Statement) -> StatementOutcome {
        session.stop.clear()
        guard let command = statement.command else {
            let error = CommandError("NotACommand", "execute runs commands; run(source:) runs every statement", at: statement.range)
            return StatementOutcome(statement: statement, output: CommandOutput(), error: error)
        }
        let (outcome, value) = runCommand(statement, command: command, scope: session.variables)
        if outcome.error == nil, let binding = statement.binding { session.variables.assign(binding.text, value) }
        return outcome
    }

    /// Runs `command` (the statement's, with its arguments resolved) and gives its outcome and
    /// its value: the record the command returned, with `text` (what it printed) and where it
    /// came from. A failed command gives `none`.
    func runCommand(_ statement: Statement, command: Command, scope: Scope) -> (StatementOutcome, ScriptValue) {
        guard let runtimeCommand = registry.command(named: command.name) else {
            let error = CommandError("NotAvailable", "`\(command.name)` has no implementation in this build", at: command.range)
            return (StatementOutcome(statement: statement, output: CommandOutput(), error: error), .none)
        }
        let context: CommandContext
        do {
            let arguments = try runtimeCommand.schema.bind(command)
            context = CommandContext(command: command, arguments: arguments, session: session, registry: registry,
                                     binding: statement.binding, scope: scope)
        } catch {
            return (StatementOutcome(statement: statement, output: CommandOutput(), error: error.located(default: command.range)), .none)
        }
        do {
            try runtimeCommand.run(context)
        } catch let error as CommandError {
            return (StatementOutcome(statement: statement, output: context.output, error: error.located(default: command.range)), .none)
        } catch {
            let wrapped = CommandError("Error", "\(command.name) failed: \(error)", at: command.range)
            return (StatementOutcome(statement: statement, output: context.output, error: wrapped), .none)
        }
        if let binding = statement.binding {
            session.results[binding.text] = NamedResult(statement: statement.text, output: context.output)
        }
        var record = context.value ?? ScriptRecord(kind: "\(command.name) result")
        record.set("text", .string(context.output.resultText ?? ""))
        record.origin = CommandResult(statement: statement.text, output: context.output, evaluation: context.evaluation)
        return (StatementOutcome(statement: statement, output: context.output, error: nil), .record(record))
    }
}
