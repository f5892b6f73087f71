import AttuneLanguage
import AttuneNotebook
import Foundation
import Plotting

/// What a running command sees: its parsed command and checked arguments, the session, and where
/// its outputs go. Stream lines reach the terminal as they are emitted (through
/// `Session.liveStream`) and are recorded too.
public final class CommandContext {
    public let command: Command
    public let arguments: BoundArguments
    public let session: Session
    /// The commands of this interpreter (for `help` and completion).
    public let registry: CommandRegistry
    /// The name in `name = command`, if any.
    public let binding: Name?
    /// Everything the command produced so far.
    public private(set) var output = CommandOutput()
    /// The variables the statement sees (the session's, or a loop's or function's).
    public let scope: Scope
    /// The command's value: a record of named fields (`r.loss`, `e.json_rate`); the interpreter
    /// adds `text`, what the command printed. Nil gives a record with `text` only.
    public var value: ScriptRecord?
    /// The evaluation an `eval` made, kept with its value for `compare`.
    var evaluation: EvaluationResult?

    init(command: Command, arguments: BoundArguments, session: Session, registry: CommandRegistry, binding: Name?,
         scope: Scope? = nil) {
        self.command = command
        self.registry = registry
        self.arguments = arguments
        self.session = session
        self.binding = binding
        self.scope = scope ?? session.variables
    }

    /// Sets the command's value: a record of `kind` ("train result") with these fields in order.
    public func returns(_ kind: String, _ fields: [(String, ScriptValue)]) {
        value = ScriptRecord(kind: kind, fields: fields)
    }

    /// The value of variable `name` as the statement sees it, if one is bound.
    public func variable(_ name: String) -> ScriptValue? { scope.lookup(name) }

    /// Sets the compact result text (one or a few lines).
    public func result(_ text: String) { output.result = text }

    /// Adds a warning line to the result (`warning: ` is added when printed).
    public func warn(_ text: String) { output.warnings.append(text) }

    /// Prints and records one progress line.
    public func stream(_ line: String) {
        output.stream.append(line)
        session.liveStream?(line)
    }

    /// Prints a progress line live without recording it (tokens/s, ETA: values that differ on
    /// every run and would make a notebook unverifiable).
    public func progress(_ line: String) { session.liveStream?(line) }

    /// Adds a chart: its terminal text (80 columns) is printed and recorded, and the notebook
    /// keeps its series and a PNG beside it.
    public func plot(_ chart: Chart) { output.plots.append(PlotOutput(chart: chart)) }

    /// Records one metrics object (one logged step).
    public func metrics(_ record: JSONValue) { output.metrics.append(record) }

    /// True when Ctrl-C asked the command to stop at its next safe point. Each read is one safe
    /// point (read it once per step): replay counts them to stop where the recording stopped.
    public var shouldStop: Bool {
        session.safePoints.reached += 1
        if let limit = session.safePoints.stopAt, session.safePoints.reached >= limit { session.stop.request() }
        guard session.stop.isRequested else { return false }
        if session.safePoints.stoppedAt == nil { session.safePoints.stoppedAt = session.safePoints.reached }
        return true
    }

    /// The span of an argument (for errors about it), or the whole command's.
    public func range(of argument: String) -> SourceRange {
        arguments.range(of: argument) ?? command.range
    }

    /// Resolves a path argument under the session's path policy.
    public func resolvePath(_ path: String, argument: String) throws(CommandError) -> URL {
        do { return try session.paths.resolve(path) } catch { throw error.located(default: range(of: argument)) }
    }
}
