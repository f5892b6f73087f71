import AttuneLanguage

/// A command that could not do what it was asked: a user mistake, a missing engine capability, a
/// file problem. It carries the source span it concerns so it renders like a parse diagnostic
/// (`line L, column C: message` and a caret), and a short `name` the notebook stores on the error
/// output (`InvalidValue`, `NotAvailable`, …).
///
/// Commands throw it; the interpreter catches every error, so none ends the session.
public struct CommandError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A short class name for the notebook's `output error name="…"`.
    public var name: String
    /// The message, with any "did you mean" and recommended values.
    public var message: String
    /// The span of the statement the message is about; nil until the interpreter fills in the
    /// command's span.
    public var range: SourceRange?
    /// A replacement for the span when there is one likely fix.
    public var suggestion: String?

    public init(_ name: String, _ message: String, at range: SourceRange? = nil, suggestion: String? = nil) {
        self.name = name
        self.message = message
        self.range = range
        self.suggestion = suggestion
    }

    public var description: String { message }

    /// The same error pointing at `range` unless it already points somewhere.
    public func located(default range: SourceRange) -> CommandError {
        var copy = self
        if copy.range == nil { copy.range = range }
        return copy
    }

    /// As a diagnostic, for `render(source:)`.
    var diagnostic: Diagnostic? {
        range.map { Diagnostic(message, at: $0, suggestion: suggestion) }
    }

    /// `line L, column C: message` (or just the message when there is no span).
    public var oneLine: String { diagnostic?.description ?? message }

    /// The message, the source line and a caret underline.
    public func render(source: String) -> String { diagnostic?.render(source: source) ?? message }
}

extension CommandError {
    /// A value out of range or of the wrong kind.
    static func invalidValue(_ message: String, at range: SourceRange?) -> CommandError {
        CommandError("InvalidValue", message, at: range)
    }

    /// An argument the command does not take.
    static func unknownArgument(_ message: String, at range: SourceRange?, suggestion: String? = nil) -> CommandError {
        CommandError("UnknownArgument", message, at: range, suggestion: suggestion)
    }

    /// A required argument left out.
    static func missingArgument(_ message: String, at range: SourceRange?) -> CommandError {
        CommandError("MissingArgument", message, at: range)
    }

    /// A command the engine does not provide yet.
    static func notAvailable(_ command: String, _ reason: String, at range: SourceRange? = nil) -> CommandError {
        CommandError("NotAvailable", "`\(command)` is not available yet in this build: \(reason)", at: range)
    }

    /// A command that needs a model when none is loaded.
    static func noModel(_ command: String) -> CommandError {
        CommandError("NoModel", "`\(command)` needs a model: create one with `model new tiny` or load one with `model load PATH`")
    }

    /// Something named that does not exist.
    public static func notFound(_ message: String, at range: SourceRange? = nil, suggestion: String? = nil) -> CommandError {
        CommandError("NotFound", message, at: range, suggestion: suggestion)
    }
}
