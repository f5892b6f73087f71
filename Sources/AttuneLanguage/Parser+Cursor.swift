/// Moving through the tokens: lookahead that skips line breaks inside brackets, recovery after
/// an error, and the source text of a span.
extension Parser {
    /// The index of the token `ahead` places on, skipping line breaks while inside brackets.
    func index(ahead: Int) -> Int {
        var index = current
        var remaining = ahead
        while true {
            while nesting > 0, index < tokens.count - 1, tokens[index].kind == .newline { index += 1 }
            if remaining == 0 { return index }
            remaining -= 1
            index = min(index + 1, tokens.count - 1)
        }
    }

    func peek(_ ahead: Int = 0) -> Token {
        tokens[index(ahead: ahead)]
    }

    func previous() -> Token {
        tokens[lastConsumed]
    }

    func check(_ kind: TokenKind) -> Bool {
        peek().kind == kind
    }

    @discardableResult
    mutating func advance() -> Token {
        let at = index(ahead: 0)
        lastConsumed = at
        current = min(at + 1, tokens.count - 1)
        return tokens[at]
    }

    mutating func match(_ kind: TokenKind) -> Bool {
        guard check(kind) else { return false }
        advance()
        return true
    }

    /// Skips the rest of a statement after an error: to the next line break outside the brackets
    /// that were open at the error, or to a line that starts like a new statement.
    mutating func synchronize(openBrackets: Int) {
        var depth = openBrackets
        while tokens[current].kind != .end {
            let token = tokens[current]
            if token.kind == .newline {
                let next = tokens[min(current + 1, tokens.count - 1)]
                if depth == 0 || next.startsNewStatement { break }
            }
            switch token.kind {
            case .leftBracket, .leftParen, .leftBrace: depth += 1
            case .rightBracket, .rightParen, .rightBrace: depth = max(0, depth - 1)
            default: break
            }
            current += 1
        }
        if tokens[current].kind == .newline { current += 1 }
    }

    /// Skips the rest of a statement inside a block: to the next line break outside brackets, or
    /// to the `}` that closes the block (left for the block to read).
    mutating func synchronizeInBlock() {
        var depth = 0
        while tokens[current].kind != .end {
            let token = tokens[current]
            switch token.kind {
            case .newline where depth == 0:
                current += 1
                return
            case .leftBracket, .leftParen, .leftBrace:
                depth += 1
            case .rightBracket, .rightParen, .rightBrace:
                if depth == 0, token.kind == .rightBrace { return }
                depth = max(0, depth - 1)
            default:
                break
            }
            current += 1
        }
    }

    /// The value of an integer literal (`3`, `-1`, `1_000`), nil for `0.5` or `1e3`.
    func wholeNumber(_ token: Token) -> Int? {
        guard case .number(let value) = token.kind,
              token.lexeme.unicodeScalars.allSatisfy({ $0.isDigit || $0 == "-" || $0 == "+" || $0 == "_" }),
              abs(value) < 9e18 else { return nil }
        return Int(value)
    }

    func text(of range: SourceRange) -> String {
        let start = min(range.start.offset, scalars.count)
        let end = min(max(range.end.offset, start), scalars.count)
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars[start..<end])
        return String(view)
    }

    /// The source text from the current token to the end of the statement, to quote in a
    /// suggested fix; nil when it spans lines or is too long to quote.
    func restOfStatementText() -> String? {
        var last = current
        while !tokens[last].endsStatement, last + 1 < tokens.count, !tokens[last + 1].endsStatement { last += 1 }
        if tokens[last].endsStatement { return nil }
        let range = SourceRange(start: peek().range.start, end: tokens[last].range.end)
        guard range.start.line == range.end.line, range.length <= 40 else { return nil }
        return text(of: range)
    }
}
