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
        for statement in parsed.statements {
            let outcome = execute(statement)
            run.outcomes.append(outcome)
            if outcome.error != nil { break }
        }
        run.stoppedAtSafePoint = session.safePoints.stoppedAt
        return run
    }

    /// Runs one parsed statement.
    public func execute(_ statement: Statement) -> StatementOutcome {
        session.stop.clear()
        let command = statement.command
        guard let runtimeCommand = registry.command(named: command.name) else {
            let error = CommandError("NotAvailable", "`\(command.name)` has no implementation in this build", at: command.range)
            return StatementOutcome(statement: statement, output: CommandOutput(), error: error)
        }
        let context: CommandContext
        do {
            let arguments = try runtimeCommand.schema.bind(command)
            context = CommandContext(command: command, arguments: arguments, session: session, registry: registry, binding: statement.binding)
        } catch {
            return StatementOutcome(statement: statement, output: CommandOutput(), error: error.located(default: command.range))
        }
        do {
            try runtimeCommand.run(context)
        } catch let error as CommandError {
            return StatementOutcome(statement: statement, output: context.output, error: error.located(default: command.range))
        } catch {
            let wrapped = CommandError("Error", "\(command.name) failed: \(error)", at: command.range)
            return StatementOutcome(statement: statement, output: context.output, error: wrapped)
        }
        if let binding = statement.binding {
            session.results[binding.text] = NamedResult(statement: statement.text, output: context.output)
        }
        return StatementOutcome(statement: statement, output: context.output, error: nil)
    }
}
