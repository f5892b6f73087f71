/// Everything the lexer produced from one source text.
public struct LexResult: Sendable, Hashable {
    /// The tokens, always ending with one `.end` token.
    public let tokens: [Token]
    /// Problems found while reading characters (unterminated strings, stray characters, bad numbers).
    public let diagnostics: [Diagnostic]
    /// Brackets opened and never closed, outermost first.
    public let unclosedBrackets: [Token]
    /// True when the source ends with a line-continuing `\`.
    public let endsWithContinuation: Bool

    /// True when more input would continue the last statement: a REPL shows a continuation prompt.
    public var isIncomplete: Bool { !unclosedBrackets.isEmpty || endsWithContinuation }
}

/// Turns source text into tokens (see `Grammar` for the lexical rules).
///
/// The lexer never fails: text it cannot read becomes an `.invalid` token plus a diagnostic,
/// and it always finishes in time linear in the length of the source.
public struct Lexer: Sendable {
    private let scalars: [Unicode.Scalar]

    public init(_ source: String) {
        scalars = Array(source.unicodeScalars)
    }

    /// The tokens of the source, ending with `.end`. Diagnostics are in `scan()`.
    public func tokens() -> [Token] {
        scan().tokens
    }

    /// Tokens, diagnostics and whether the source stops in the middle of a statement.
    public func scan() -> LexResult {
        var scanner = Scanner(scalars: scalars)
        scanner.run()
        return LexResult(tokens: scanner.tokens,
                         diagnostics: scanner.diagnostics,
                         unclosedBrackets: scanner.openBrackets,
                         endsWithContinuation: scanner.endsWithContinuation)
    }
}

/// The mutable state of one pass over the source.
private struct Scanner {
    let scalars: [Unicode.Scalar]
    var tokens: [Token] = []
    var diagnostics: [Diagnostic] = []
    var openBrackets: [Token] = []
    var endsWithContinuation = false

    /// Index of the next scalar to read.
    var index = 0
    var line = 1
    var lineStart = 0
    /// Start of the token being read.
    var tokenStart = SourcePosition.start
    /// Whether blank space came since the previous token.
    var spaceBefore = true

    init(scalars: [Unicode.Scalar]) {
        self.scalars = scalars
    }

    // MARK: Reading

    var atEnd: Bool { index >= scalars.count }

    func peek(_ ahead: Int = 0) -> Unicode.Scalar? {
        let at = index + ahead
        return at < scalars.count ? scalars[at] : nil
    }

    var position: SourcePosition {
        SourcePosition(offset: index, line: line, column: index - lineStart + 1)
    }

    @discardableResult
    mutating func advance() -> Unicode.Scalar {
        let scalar = scalars[index]
        index += 1
        if scalar == "\n" {
            line += 1
            lineStart = index
        }
        return scalar
    }

    func text(from start: Int, to end: Int) -> String {
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars[start..<end])
        return String(view)
    }

    var rangeSoFar: SourceRange { SourceRange(start: tokenStart, end: position) }

    // MARK: Emitting

    mutating func emit(_ kind: TokenKind) {
        let token = Token(kind: kind, lexeme: text(from: tokenStart.offset, to: index),
                          range: rangeSoFar, hasLeadingSpace: spaceBefore)
        tokens.append(token)
        spaceBefore = false
    }

    mutating func report(_ message: String, at range: SourceRange? = nil, suggestion: String? = nil) {
        diagnostics.append(Diagnostic(message, at: range ?? rangeSoFar, suggestion: suggestion))
    }

    /// Reports a problem with the current token and emits it as `.invalid`.
    mutating func invalid(_ message: String, suggestion: String? = nil) {
        report(message, suggestion: suggestion)
        emit(.invalid)
    }

    // MARK: The main loop

    mutating func run() {
        while !atEnd {
            tokenStart = position
            scanToken()
        }
        tokenStart = position
        emit(.end)
    }

    mutating func scanToken() {
        let scalar = peek()!
        switch scalar {
        case "\n":
            advance()
            // Emitted inside brackets too: the parser skips newlines while inside brackets and
            // uses them to recover when a bracket is never closed.
            let token = Token(kind: .newline, lexeme: "\n", range: rangeSoFar, hasLeadingSpace: spaceBefore)
            tokens.append(token)
            spaceBefore = true
        case _ where scalar.isBlank:
            advance()
            spaceBefore = true
        case "#":
            skipComment()
        case "\\":
            continuation()
        case "\"", "'":
            string(quote: scalar)
        case "[", "(":
            advance()
            emit(scalar == "[" ? .leftBracket : .leftParen)
            openBrackets.append(tokens[tokens.count - 1])
        case "]", ")":
            advance()
            emit(scalar == "]" ? .rightBracket : .rightParen)
            _ = openBrackets.popLast()
        case "=": advance(); emit(.equals)
        case ",": advance(); emit(.comma)
        case ":": advance(); emit(.colon)
        case "?": advance(); emit(.question)
        case ".":
            dot()
        case "-", "+":
            if let next = peek(1), next.isDigit {
                number(inPath: false)
            } else if scalar == "-", peek(1) == "-", let third = peek(2), third.startsName {
                commandLineOption()
            } else {
                stray()
            }
        case _ where scalar.isDigit:
            number(inPath: followsPathDot)
        case _ where scalar.startsName:
            name()
        default:
            stray()
        }
    }

    // MARK: Trivia

    mutating func skipComment() {
        while let next = peek(), next != "\n" { advance() }
        spaceBefore = true
    }

    /// A `\` ending a line joins the next line to this statement.
    mutating func continuation() {
        advance()
        var lookahead = index
        while lookahead < scalars.count, scalars[lookahead].isBlank { lookahead += 1 }
        if lookahead < scalars.count, scalars[lookahead] == "#" {
            while lookahead < scalars.count, scalars[lookahead] != "\n" { lookahead += 1 }
        }
        if lookahead >= scalars.count {
            while !atEnd { advance() }
            endsWithContinuation = true
        } else if scalars[lookahead] == "\n" {
            while index <= lookahead { advance() }
        } else {
            invalid("a '\\' continues a statement only at the end of a line; inside strings write \\\\")
            return
        }
        spaceBefore = true
    }

    // MARK: Strings

    /// A string in double or single quotes, on one line, with `\n \t \r \0 \\ \" \' \u{…}` escapes.
    mutating func string(quote: Unicode.Scalar) {
        advance()
        var value = String.UnicodeScalarView()
        var isValid = true
        while true {
            guard let next = peek(), next != "\n" else {
                let closing = quote == "\"" ? "\"" : "'"
                invalid("unterminated string: add a closing \(closing) before the end of the line")
                return
            }
            advance()
            if next == quote { break }
            if next == "\\" {
                if let decoded = escape() {
                    value.append(decoded)
                } else {
                    isValid = false
                }
            } else {
                value.append(next)
            }
        }
        if isValid {
            emit(.string(String(value)))
        } else {
            emit(.invalid)
        }
    }

    /// Reads an escape after its backslash; reports and returns nil when it is not one.
    mutating func escape() -> Unicode.Scalar? {
        let escapeStart = SourcePosition(offset: index - 1, line: line, column: index - 1 - lineStart + 1)
        guard let letter = peek(), letter != "\n" else { return nil }  // the string loop reports it
        advance()
        switch letter {
        case "n": return "\n"
        case "t": return "\t"
        case "r": return "\r"
        case "0": return "\0"
        case "\\", "\"", "'": return letter
        case "u":
            var digits = ""
            if peek() == "{" {
                advance()
                while let next = peek(), next.isHexDigit, digits.count < 8 {
                    digits.unicodeScalars.append(advance())
                }
                if peek() == "}", !digits.isEmpty, let value = UInt32(digits, radix: 16),
                   let scalar = Unicode.Scalar(value) {
                    advance()
                    return scalar
                }
            }
            report("invalid unicode escape: write \\u{…} with 1 to 8 hex digits of a valid code point, e.g. \\u{1F600}",
                   at: SourceRange(start: escapeStart, end: position))
            return nil
        default:
            report("unknown escape '\\\(letter)': use \\n \\t \\r \\0 \\\\ \\\" \\' or \\u{…}; write \\\\ for a backslash",
                   at: SourceRange(start: escapeStart, end: position))
            return nil
        }
    }

    // MARK: Numbers

    /// True when the previous token is a `.` glued to a name or index, as in `layers.0`:
    /// digits there are an index, never the start of a fraction like `0.9`.
    var followsPathDot: Bool {
        guard !spaceBefore, let last = tokens.last, last.kind == .dot, !last.hasLeadingSpace else { return false }
        return true
    }

    /// `NUMBER = [ "-" | "+" ] DIGITS [ "." DIGITS ] [ ( "e" | "E" ) [ "+" | "-" ] DIGITS ]`,
    /// `DIGITS = digit { [ "_" ] digit }`, `PERCENT = NUMBER "%"`. In a path only `DIGITS`.
    mutating func number(inPath: Bool) {
        if peek() == "-" || peek() == "+" { advance() }
        digits()
        if !inPath {
            if peek() == ".", let next = peek(1), next.isDigit {
                advance()
                digits()
            }
            if peek() == "e" || peek() == "E" {
                let sign = peek(1) == "+" || peek(1) == "-"
                if let first = peek(sign ? 2 : 1), first.isDigit {
                    advance()
                    if sign { advance() }
                    digits()
                }
            }
        }
        // Letters or underscores glued to the digits (`10k`, `2e`, `1_`) make the whole word invalid.
        if let next = peek(), next.continuesName || (next == "." && !inPath && peek(1)?.continuesName == true) {
            while let next = peek(), next.continuesName || next == "." || next == "-" { advance() }
            let text = self.text(from: tokenStart.offset, to: index)
            invalid("'\(text)' is not a number: numbers look like 42, -1, 0.9, 2e-4, 1_000 or 90%")
            return
        }
        let text = self.text(from: tokenStart.offset, to: index)
        guard let value = Double(text.replacingUnderscores()), value.isFinite else {
            invalid("the number \(text) is too large")
            return
        }
        if !inPath, peek() == "%" {
            advance()
            emit(.percent(value))
        } else {
            emit(.number(value))
        }
    }

    mutating func digits() {
        while let next = peek() {
            if next.isDigit {
                advance()
            } else if next == "_", let after = peek(1), after.isDigit {
                advance()
            } else {
                break
            }
        }
    }

    // MARK: Names and punctuation

    /// `--steps` typed out of habit from command-line tools.
    mutating func commandLineOption() {
        advance()
        advance()
        while let next = peek(), next.continuesName || next == "-" { advance() }
        let option = text(from: tokenStart.offset, to: index)
        invalid("'\(option)' is not an argument: write options as key=value, e.g. merge=true")
    }

    /// `NAME = ( letter | "_" | "*" ) { letter | digit | "_" | "*" | "-" letter-or-digit }`;
    /// `true` and `false` are booleans.
    mutating func name() {
        while let next = peek() {
            if next.continuesName {
                advance()
            } else if next == "-", let after = peek(1), after.continuesName {
                advance()
            } else {
                break
            }
        }
        let text = self.text(from: tokenStart.offset, to: index)
        switch text {
        case "true": emit(.boolean(true))
        case "false": emit(.boolean(false))
        default: emit(.name(text))
        }
    }

    /// True when the previous token, with no space in between, can be followed by a path part.
    var continuesPath: Bool {
        guard !spaceBefore, let last = tokens.last else { return false }
        switch last.kind {
        case .name, .number, .rightBracket: return true
        default: return false
        }
    }

    mutating func dot() {
        if !continuesPath, let next = peek(1), next.isDigit {
            advance()
            digits()
            let digitsText = text(from: tokenStart.offset + 1, to: index)
            invalid("write a leading zero: 0.\(digitsText), not .\(digitsText)", suggestion: "0.\(digitsText)")
            return
        }
        advance()
        emit(.dot)
    }

    /// A character that cannot start a token. Runs of unprintable or non-ASCII characters
    /// (binary garbage) are reported once; ASCII punctuation is reported one character at a time.
    mutating func stray() {
        let first = advance()
        if first.isTypographicQuote {
            typographicString(opening: first)
            return
        }
        if first.isGarbage {
            while let next = peek(), next.isGarbage, !next.isBlank, !next.isTypographicQuote { advance() }
        }
        let runText = text(from: tokenStart.offset, to: index)
        invalid(strayMessage(first: first, run: runText))
    }

    /// `“text”` or `‘text’` typed by a word processor: reported once, with the plain-quoted fix.
    mutating func typographicString(opening: Unicode.Scalar) {
        let closing: Unicode.Scalar = (opening == "\u{2018}" || opening == "\u{2019}") ? "\u{2019}" : "\u{201D}"
        var lookahead = index
        while lookahead < scalars.count, scalars[lookahead] != "\n", scalars[lookahead] != closing { lookahead += 1 }
        if lookahead < scalars.count, scalars[lookahead] == closing {
            while index <= lookahead { advance() }
            let inner = text(from: tokenStart.offset + 1, to: index - 1)
            let fixed = StringEscaping.quoted(inner)
            invalid("typographic quotes: use plain quotes, e.g. \(fixed)", suggestion: fixed)
        } else {
            invalid("unexpected typographic quote \(opening.quotedForMessage): use plain quotes \" or '")
        }
    }

    func strayMessage(first: Unicode.Scalar, run: String) -> String {
        let shown = run.unicodeScalars.count == 1 ? first.quotedForMessage : quotedRun(run)
        switch first {
        case ";": return "unexpected ';': write one statement per line"
        case "/", "~": return "unexpected \(shown): file paths must be quoted, e.g. \"out/model.gguf\""
        case "{", "}": return "unexpected \(shown): lists are written in square brackets, e.g. [q_proj, v_proj]"
        case "%": return "unexpected '%': a percent sign follows a number directly, e.g. 90%"
        case "-", "+": return "unexpected \(shown): a sign must touch its number, e.g. -1"
        default:
            return run.unicodeScalars.count == 1 ? "unexpected character \(shown)" : "unexpected characters \(shown)"
        }
    }

    func quotedRun(_ run: String) -> String {
        let printable = run.unicodeScalars.allSatisfy { !$0.isUnprintable }
        if printable { return "'\(run)'" }
        return run.unicodeScalars.prefix(8).map { $0.quotedForMessage }.joined(separator: " ")
            + (run.unicodeScalars.count > 8 ? " …" : "")
    }
}

private extension Unicode.Scalar {
    /// Unprintable or non-ASCII characters that start no token: binary garbage, emoji, symbols.
    var isGarbage: Bool { isUnprintable || (value > 0x7F && !startsName && !isBlank) }

    var isTypographicQuote: Bool {
        switch self {
        case "\u{201C}", "\u{201D}", "\u{2018}", "\u{2019}": return true
        default: return false
        }
    }
}

private extension String {
    func replacingUnderscores() -> String {
        String(unicodeScalars.filter { $0 != "_" })
    }
}
