/// What kind of token the lexer found, with its decoded value where it has one.
public enum TokenKind: Sendable, Hashable {
    /// A bare word: `train`, `q_proj`, `all-linear`, `lora_B`, or a glob segment such as `*` or `q_*`.
    case name(String)
    /// A number: `42`, `-1`, `0.9`, `2e-4`, `1_000`. Inside a tensor path (`layers.0`) only digits.
    case number(Double)
    /// A number written with a percent sign: `90%` holds 90.
    case percent(Double)
    /// A quoted string with its escapes decoded.
    case string(String)
    /// A string with `{expression}` parts: `"lr {lr}"`. Plain strings (and `{{`/`}}` escapes) are `.string`.
    case template([TemplatePart])
    /// `true` or `false`.
    case boolean(Bool)
    /// An operator of an expression: `+ - * / % == != < <= > >=` (only in expressions; in command
    /// arguments `*` and `-` are name characters).
    case symbol(Operator)
    case equals        // =
    case comma         // ,
    case colon         // :
    case dot           // .
    case question      // ?
    case leftBracket   // [
    case rightBracket  // ]
    case leftParen     // (
    case rightParen    // )
    case leftBrace     // {  a block, a record, or (in strings) an interpolation
    case rightBrace    // }
    /// A line break: the end of a statement, except inside brackets (the parser skips it there).
    /// A line break after a continuing `\` produces none.
    case newline
    /// Text the lexer could not read; the lexer has already reported a diagnostic for it.
    case invalid
    /// The end of the source.
    case end
}

/// One token: its kind, the exact text it came from, and where.
public struct Token: Sendable, Hashable, CustomStringConvertible {
    public let kind: TokenKind
    /// The exact source text of the token.
    public let lexeme: String
    public let range: SourceRange
    /// True when whitespace, a comment, a line break or the start of the source comes right before.
    /// The parser uses it to keep tensor paths (`layers.0.attn[0:4]`) free of spaces and to tell
    /// an index `x[0]` from a list argument `x [0]`.
    public let hasLeadingSpace: Bool

    public init(kind: TokenKind, lexeme: String, range: SourceRange, hasLeadingSpace: Bool) {
        self.kind = kind
        self.lexeme = lexeme
        self.range = range
        self.hasLeadingSpace = hasLeadingSpace
    }

    /// True when the token ends a statement (a newline or the end of the source).
    public var endsStatement: Bool {
        switch kind {
        case .newline, .end: return true
        default: return false
        }
    }

    /// The token's name text if it is a name.
    public var name: String? {
        if case .name(let text) = kind { return text }
        return nil
    }

    /// A short phrase naming the token in a message: `'lr'`, `the end of the line`.
    public var quoted: String {
        switch kind {
        case .newline: return "the end of the line"
        case .end: return "the end of the input"
        default: return "'\(lexeme.clippedForMessage)'"
        }
    }

    public var description: String {
        switch kind {
        case .name(let text): return "name(\(text))"
        case .number(let value): return "number(\(NumberFormatting.text(value)))"
        case .percent(let value): return "percent(\(NumberFormatting.text(value)))"
        case .string(let text): return "string(\(StringEscaping.quoted(text)))"
        case .template(let parts): return "template(" + parts.map(\.description).joined(separator: " ") + ")"
        case .boolean(let value): return "bool(\(value))"
        case .symbol(let op): return "op(\(op.rawValue))"
        case .leftBrace, .rightBrace,
             .equals, .comma, .colon, .dot, .question,
             .leftBracket, .rightBracket, .leftParen, .rightParen:
            return lexeme
        case .newline: return "newline"
        case .invalid: return "invalid(\(lexeme))"
        case .end: return "end"
        }
    }
}
