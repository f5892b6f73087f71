/// A problem found in source text, with the span it concerns.
///
/// Every diagnostic carries a 1-based line and column and a length of at least one, so a
/// renderer can underline it (see `render(source:)`). Messages say what is wrong and, where the
/// fix is clear, what to write instead.
public struct Diagnostic: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Severity: String, Sendable, Hashable {
        case error
        case warning
    }

    public let severity: Severity
    /// The full message, including any "did you mean" suggestion.
    public let message: String
    /// The span the message is about.
    public let range: SourceRange
    /// A replacement for the span's text when there is one likely fix (`train` for `trian`).
    public let suggestion: String?

    public init(_ message: String, at range: SourceRange, severity: Severity = .error, suggestion: String? = nil) {
        self.severity = severity
        self.message = message
        self.range = range
        self.suggestion = suggestion
    }

    /// 1-based line of the start of the span.
    public var line: Int { range.start.line }
    /// 1-based column of the start of the span.
    public var column: Int { range.start.column }
    /// Number of Unicode scalars to underline, at least one.
    public var length: Int { max(1, range.length) }

    /// `line L, column C: message` — the first line of the rendering.
    public var description: String {
        let prefix = severity == .warning ? "warning: " : ""
        return "line \(line), column \(column): \(prefix)\(message)"
    }
}
