/// One part of a string with interpolation (`"lr {lr}, loss {r.loss}"`): literal text (with `{{`
/// and `}}` already decoded to single braces), or the tokens of an expression between braces,
/// lexed in place so their columns are the source's.
public enum TemplatePart: Sendable, Hashable, CustomStringConvertible {
    case text(String)
    /// The expression's tokens (no `.end`) and the span of the braces around them.
    case expression([Token], braces: SourceRange)

    public var description: String {
        switch self {
        case .text(let text): return StringEscaping.quoted(text)
        case .expression(let tokens, _): return "{" + tokens.map(\.description).joined(separator: " ") + "}"
        }
    }
}
