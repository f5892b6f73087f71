/// One statement: a command, optionally binding its result to a name (`base = eval`).
///
/// A statement remembers its exact source text and lines, which the notebook records as the
/// cell's source.
public struct Statement: Sendable, Hashable, CustomStringConvertible {
    /// The name in `name = command …`, if any.
    public let binding: Name?
    public let command: Command
    /// The exact source of the statement, from its first token to its last (continuation
    /// backslashes and line breaks included, a trailing comment not).
    public let text: String
    public let range: SourceRange

    public init(binding: Name?, command: Command, text: String, range: SourceRange) {
        self.binding = binding
        self.command = command
        self.text = text
        self.range = range
    }

    /// The 1-based lines the statement spans.
    public var lines: ClosedRange<Int> { range.lines }

    /// A canonical one-line form with every value's kind spelled out, e.g.
    /// `base = (eval)` or `(set lr=num:0.0002 schedule=id:cosine)`. Golden tests compare it.
    public var description: String {
        let command = "(\(self.command))"
        return binding.map { "\($0.text) = \(command)" } ?? command
    }
}
