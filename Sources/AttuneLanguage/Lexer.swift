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
    private let commandWords: Set<String>

    /// `commandWords` are the words that start a command (`train`, `model`, …): after `name =`
    /// such a word makes the rest of the statement a command, otherwise an expression.
    public init(_ source: String, commandWords: Set<String> = Set(CommandTable.standard.leadingWords)) {
        scalars = Array(source.unicodeScalars)
        self.commandWords = commandWords
    }

    /// The tokens of the source, ending with `.end`. Diagnostics are in `scan()`.
    public func tokens() -> [Token] {
        scan().tokens
    }

    /// Tokens, diagnostics and whether the source stops in the middle of a statement.
    public func scan() -> LexResult {
        var scanner = Scanner(scalars: scalars, commandWords: commandWords)
        scanner.run()
        return LexResult(tokens: scanner.tokens,
                         diagnostics: scanner.diagnostics,
                         unclosedBrackets: scanner.openBrackets,
                         endsWithContinuation: scanner.endsWithContinuation)
    }
}

/// The mutable state of one pass over the source.
///
/// The lexer reads two kinds of text. In a *command* (`method lora targets=all-linear`, `list
/// layers.*`) `*` and `-` are name characters and a sign belongs to its number. In an
/// *expression* (`let x = n - 1`, `print lr * 2`, inside `( )` in a command's arguments, inside
/// `{ }` in a string) they are operators and names are letters, digits and `_`. Which one a
/// statement is follows from its first words: a keyword (`let`, `for`, `if`, `print`, …), a
/// `name = …` whose right side does not start with a command word, or a call `name(…)` start an
/// expression; anything else is a command.
private struct Scanner {
    /// How the text at the current position is read.
    enum Mode: Equatable { case command, expression }

    /// What an open bracket is, and the mode to go back to when it closes.
    enum Opening: Equatable {
        case paren(outer: Mode)
        case bracket(outer: Mode)
        case record(outer: Mode)
        case block
    }

    /// Statement keywords: a statement starting with one of them is read as an expression.
    static let statementKeywords: Set<String> = ["let", "fn", "for", "if", "else", "return", "break", "continue", "print", "assert"]
    /// Keywords whose statement ends in a block: a `{` there opens the block.
    static let blockKeywords: Set<String> = ["fn", "for", "if", "else"]
    /// Interpolations nested deeper than this (`"{"{"…"}"}"`) are an error.
    static let maximumInterpolationDepth = 8

    let scalars: [Unicode.Scalar]
    let commandWords: Set<String>
    var tokens: [Token] = []
    var diagnostics: [Diagnostic] = []
    var openBrackets: [Token] = []
    var openings: [Opening] = []
    var endsWithContinuation = false
    var mode = Mode.command
    /// True until the first token of a statement is read (the mode is decided there).
    var atStatementStart = true
    /// The statement's keyword (`for`, `if`, …) when it starts with one.
    var statementKeyword: String?
    /// Inside `{ }` of a string: stop at the `}` that closes the interpolation.
    var interpolationDepth = 0

    /// Index of the next scalar to read.
    var index = 0
    var line = 1
    var lineStart = 0
    /// Start of the token being read.
    var tokenStart = SourcePosition.start
    /// Whether blank space came since the previous token.
    var spaceBefore = true

    init(scalars: [Unicode.Scalar], commandWords: Set<String>) {
        self.scalars = scalars
        self.commandWords = commandWords
    }

    /// True outside every bracket of the statement (at its top level or directly inside a block).
    var atStatementLevel: Bool {
        guard let last = openings.last else { return true }
        return last == .block
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
        if atStatementStart, !scalar.isBlank, scalar != "\n", scalar != "#", scalar != "\\", scalar != "}" {
            decideMode()
        }
        switch scalar {
        case "\n":
            advance()
            // Emitted inside brackets too: the parser skips newlines while inside brackets and
            // uses them to recover when a bracket is never closed.
            let token = Token(kind: .newline, lexeme: "\n", range: rangeSoFar, hasLeadingSpace: spaceBefore)
            tokens.append(token)
            spaceBefore = true
            if atStatementLevel { atStatementStart = true }
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
            if scalar == "[" {
                openings.append(.bracket(outer: mode))
            } else {
                openings.append(.paren(outer: mode))
                mode = .expression
            }
        case "{":
            openBrace()
        case "]", ")":
            advance()
            emit(scalar == "]" ? .rightBracket : .rightParen)
            close()
        case "}":
            closeBrace()
        case "=":
            advance()
            if mode == .expression, peek() == "=" {
                advance()
                emit(.symbol(.equal))
            } else {
                emit(.equals)
            }
        case ",": advance(); emit(.comma)
        case ":": advance(); emit(.colon)
        case "?": advance(); emit(.question)
        case ".":
            dot()
        case _ where mode == .expression && Self.operatorStarts.contains(scalar):
            operatorToken()
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

    /// The first scalars of expression operators (read as operators only in expressions).
    static let operatorStarts: Set<Unicode.Scalar> = ["+", "-", "*", "/", "%", "<", ">", "!", "&", "|"]

    /// At the first token of a statement: is it a command or an expression?
    mutating func decideMode() {
        atStatementStart = false
        statementKeyword = nil
        mode = .command
        guard let first = peek(), first.startsName, first != "*" else { return }
        let (word, end) = plainWord(at: index)
        if Self.statementKeywords.contains(word) {
            mode = .expression
            statementKeyword = word
            // `let r = train steps=20`: the right side is a command.
            if word == "let" {
                var at = skipBlanks(from: end)
                let (_, nameEnd) = plainWord(at: at)
                at = skipBlanks(from: nameEnd)
                if nameEnd > end, at < scalars.count, scalars[at] == "=", at + 1 >= scalars.count || scalars[at + 1] != "=" {
                    let (right, _) = plainWord(at: skipBlanks(from: at + 1))
                    if commandWords.contains(right) { mode = .command }
                }
            }
            return
        }
        if commandWords.contains(word) { return }
        let at = skipBlanks(from: end)
        if at < scalars.count, scalars[at] == "=", at + 1 >= scalars.count || scalars[at + 1] != "=" {
            let (right, _) = plainWord(at: skipBlanks(from: at + 1))
            if !commandWords.contains(right) { mode = .expression }
        } else if end < scalars.count, scalars[end] == "(" {
            mode = .expression
        }
    }

    /// The word of letters, digits and `_` starting at `start`, and the index after it.
    func plainWord(at start: Int) -> (String, Int) {
        var end = start
        while end < scalars.count, scalars[end].continuesPlainName { end += 1 }
        return (text(from: start, to: end), end)
    }

    func skipBlanks(from start: Int) -> Int {
        var at = start
        while at < scalars.count, scalars[at].isBlank { at += 1 }
        return at
    }

    /// `{`: a block after `for`, `if`, `else` or `fn`; a record in other expressions; an error in
    /// a command (lists are written in square brackets).
    mutating func openBrace() {
        if mode == .command {
            stray()
            return
        }
        advance()
        emit(.leftBrace)
        openBrackets.append(tokens[tokens.count - 1])
        if atStatementLevel, let keyword = statementKeyword, Self.blockKeywords.contains(keyword) {
            openings.append(.block)
            atStatementStart = true
        } else {
            openings.append(.record(outer: mode))
        }
    }

    /// `}`: closes a block or a record.
    mutating func closeBrace() {
        if openings.isEmpty, mode == .command {
            stray()
            return
        }
        advance()
        emit(.rightBrace)
        close()
    }

    /// After a closing bracket: forget the innermost opening and go back to its mode.
    mutating func close() {
        _ = openBrackets.popLast()
        switch openings.popLast() {
        case .paren(let outer)?, .bracket(let outer)?, .record(let outer)?:
            mode = outer
        case .block?:
            atStatementStart = true
            statementKeyword = nil
        case nil:
            break
        }
    }

    /// `+ - * / % == != < <= > >=` in an expression; `!`, `&&` and `||` explained.
    mutating func operatorToken() {
        let first = advance()
        let second = peek()
        switch first {
        case "+": emit(.symbol(.plus))
        case "-": emit(.symbol(.minus))
        case "*":
            if second == "*" {
                advance()
                invalid("'**' is not an operator: multiply (x * x) or use exp and log")
            } else {
                emit(.symbol(.times))
            }
        case "/": emit(.symbol(.divide))
        case "%": emit(.symbol(.remainder))
        case "<":
            if second == "=" { advance(); emit(.symbol(.lessOrEqual)) } else { emit(.symbol(.less)) }
        case ">":
            if second == "=" { advance(); emit(.symbol(.greaterOrEqual)) } else { emit(.symbol(.greater)) }
        case "!":
            if second == "=" {
                advance()
                emit(.symbol(.notEqual))
            } else {
                invalid("unexpected '!': write not for negation, e.g. not done", suggestion: "not ")
            }
        case "&":
            if second == "&" { advance() }
            invalid("unexpected '\(text(from: tokenStart.offset, to: index))': write and, e.g. a > 0 and b > 0", suggestion: "and")
        default:
            if second == "|" { advance() }
            invalid("unexpected '\(text(from: tokenStart.offset, to: index))': write or, e.g. a or b", suggestion: "or")
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

    /// A string in double or single quotes, on one line, with `\n \t \r \0 \\ \" \' \u{…}` escapes,
    /// `{expression}` interpolations and `{{`/`}}` for literal braces.
    mutating func string(quote: Unicode.Scalar) {
        advance()
        var value = String.UnicodeScalarView()
        var parts: [TemplatePart] = []
        var isValid = true
        while true {
            guard let next = peek(), next != "\n" else {
                let closing = quote == "\"" ? "\"" : "'"
                invalid("unterminated string: add a closing \(closing) before the end of the line")
                return
            }
            if next == "{", peek(1) != "{" {
                if !value.isEmpty { parts.append(.text(String(value))) }
                value = String.UnicodeScalarView()
                if let part = interpolation(quote: quote) { parts.append(part) } else { isValid = false }
                continue
            }
            advance()
            if next == quote { break }
            if next == "{" || next == "}" {
                if peek() == next {
                    advance()
                    value.append(next)
                } else {
                    report("a lone '}' in a string: write }} for a literal brace",
                           at: SourceRange(start: SourcePosition(offset: index - 1, line: line, column: index - lineStart), end: position),
                           suggestion: "}}")
                    isValid = false
                }
            } else if next == "\\" {
                if let decoded = escape() {
                    value.append(decoded)
                } else {
                    isValid = false
                }
            } else {
                value.append(next)
            }
        }
        if !isValid {
            emit(.invalid)
        } else if parts.isEmpty {
            emit(.string(String(value)))
        } else {
            if !value.isEmpty { parts.append(.text(String(value))) }
            emit(.template(parts))
        }
    }

    /// `{ expression }` inside a string: the expression's tokens, lexed in place. Nil (with a
    /// diagnostic) when it is empty, nested too deeply, or not closed before the string's closing
    /// quote (inside the braces, strings take the other kind of quote: "{f('x')}").
    mutating func interpolation(quote: Unicode.Scalar) -> TemplatePart? {
        let braceStart = position
        advance()
        guard interpolationDepth < Self.maximumInterpolationDepth else {
            report("strings with {…} nest too deeply (more than \(Self.maximumInterpolationDepth) levels)",
                   at: SourceRange(start: braceStart, end: position))
            while let next = peek(), next != "\n" { advance() }
            return nil
        }
        var inner = Scanner(scalars: scalars, commandWords: commandWords)
        inner.index = index
        inner.line = line
        inner.lineStart = lineStart
        inner.mode = .expression
        inner.atStatementStart = false
        inner.interpolationDepth = interpolationDepth + 1
        inner.spaceBefore = false
        while let next = inner.peek(), next != "\n", next != quote, !(next == "}" && inner.openings.isEmpty) {
            inner.tokenStart = inner.position
            inner.scanToken()
        }
        index = inner.index
        line = inner.line
        lineStart = inner.lineStart
        diagnostics += inner.diagnostics
        guard peek() == "}" else {
            if peek() == quote {
                report("'{' in a string is never closed: add '}', or write {{ for a literal brace",
                       at: SourceRange(start: braceStart, end: SourcePosition(offset: braceStart.offset + 1, line: braceStart.line,
                                                                              column: braceStart.column + 1)),
                       suggestion: "{{")
            }
            // Otherwise the string loop reports the unterminated string at the end of the line.
            return nil
        }
        advance()
        let braces = SourceRange(start: braceStart, end: position)
        guard !inner.tokens.isEmpty else {
            report("empty {} in a string: put an expression inside, or write {{}} for literal braces", at: braces, suggestion: "{{}}")
            return nil
        }
        if inner.tokens.contains(where: { $0.kind == .invalid }) { return nil }
        return .expression(inner.tokens, braces: braces)
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
            // The closing brace belongs to the escape, not to the string's text.
            if peek() == "}" { advance() }
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
        let glued: (Unicode.Scalar) -> Bool = mode == .expression ? { $0.continuesPlainName } : { $0.continuesName }
        if let next = peek(), glued(next) || (next == "." && !inPath && peek(1).map(glued) == true) {
            while let next = peek(), glued(next) || next == "." || (mode == .command && next == "-") { advance() }
            let text = self.text(from: tokenStart.offset, to: index)
            invalid("'\(text)' is not a number: numbers look like 42, -1, 0.9, 2e-4, 1_000 or 90%")
            return
        }
        let text = self.text(from: tokenStart.offset, to: index)
        guard let value = Double(text.replacingUnderscores()), value.isFinite else {
            invalid("the number \(text) is too large")
            return
        }
        // `1e-400` would silently become 0: the digits before the exponent say it is not zero.
        if value == 0, text.unicodeScalars.prefix(while: { $0 != "e" && $0 != "E" }).contains(where: { ("1"..."9").contains($0) }) {
            invalid("the number \(text) is too small: it rounds to 0 (the smallest positive number is about 5e-324)")
            return
        }
        if !inPath, peek() == "%", mode == .command || !(peek(1).map { $0.continuesPlainName || $0 == "(" } ?? false) {
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
        if mode == .expression {
            while let next = peek(), next.continuesPlainName { advance() }
            let text = self.text(from: tokenStart.offset, to: index)
            switch text {
            case "true": emit(.boolean(true))
            case "false": emit(.boolean(false))
            default: emit(.name(text))
            }
            return
        }
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
        case .rightParen, .rightBrace, .string, .template: return mode == .expression
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
        case "/", "~": return "unexpected \(shown): file paths must be quoted, e.g. \"out/model.gguf\"; in arguments a division goes in parentheses, e.g. (n / 2)"
        case "}": return "unmatched '}': there is no '{' before it"
        case "{": return "unexpected \(shown): lists are written in square brackets, e.g. [q_proj, v_proj]"
        case "%": return "unexpected '%': a percent sign follows a number directly, e.g. 90%"
        case "-", "+": return "unexpected \(shown): a sign must touch its number, e.g. -1; in arguments arithmetic goes in parentheses, e.g. steps=(n + 1)"
        default:
            return run.unicodeScalars.count == 1 ? "unexpected character \(shown)" : "unexpected characters \(shown)"
        }
    }

    func quotedRun(_ run: String) -> String {
        let printable = run.unicodeScalars.allSatisfy { !$0.isUnprintable && !$0.isInvisible }
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
