/// What the parser made of a source text: the statements it could read and every problem found.
///
/// A line with an error yields no statement; the parser carries on at the next line, so one
/// script reports all of its errors at once.
public struct ParseResult: Sendable, Hashable {
    /// The statements read without error, in source order.
    public let statements: [Statement]
    /// Every problem, lexical and syntactic, in source order.
    public let diagnostics: [Diagnostic]
    /// True when the source stops inside brackets or after a continuing `\`: a REPL should read
    /// another line and parse again rather than report the "never closed" error.
    public let isIncomplete: Bool

    public init(statements: [Statement], diagnostics: [Diagnostic], isIncomplete: Bool) {
        self.statements = statements
        self.diagnostics = diagnostics
        self.isIncomplete = isIncomplete
    }

    /// True when any diagnostic is an error (not only warnings).
    public var hasErrors: Bool {
        diagnostics.contains { $0.severity == .error }
    }
}
