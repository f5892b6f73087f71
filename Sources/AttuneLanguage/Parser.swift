/// A recursive-descent parser for the Attune command language: one method per rule of
/// `Grammar.text`, with the rule in the method's doc comment.
///
/// The parser never fails and never traps: a line with an error is reported and skipped, and
/// parsing resumes at the next line. Nesting deeper than `maximumNesting` is reported rather
/// than recursed into, so no input can exhaust the stack.
public struct Parser: Sendable {
    /// Brackets nested deeper than this are an error.
    public static let maximumNesting = 64

    private let tokens: [Token]
    private let scalars: [Unicode.Scalar]
    private let commands: CommandTable
    private let lexed: LexResult
    private var current = 0
    /// Index of the token `advance()` returned last.
    private var lastConsumed = 0
    /// How many brackets the parser is inside; line breaks are skipped while it is above zero.
    private var nesting = 0
    private var diagnostics: [Diagnostic] = []

    /// Parses a whole source text (a script, a notebook cell or a REPL input).
    public static func parse(source: String, commands: CommandTable = .standard) -> ParseResult {
        var parser = Parser(source: source, commands: commands)
        return parser.parse()
    }

    public init(source: String, commands: CommandTable = .standard) {
        let lexer = Lexer(source)
        lexed = lexer.scan()
        tokens = lexed.tokens
        scalars = Array(source.unicodeScalars)
        self.commands = commands
    }

    /// Reads every statement of the source.
    public mutating func parse() -> ParseResult {
        current = 0
        lastConsumed = 0
        nesting = 0
        diagnostics = []
        let statements = script()
        let all = (lexed.diagnostics + diagnostics).enumerated()
            .sorted { ($0.element.range.start.offset, $0.offset) < ($1.element.range.start.offset, $1.offset) }
            .map(\.element)
        return ParseResult(statements: statements, diagnostics: all, isIncomplete: lexed.isIncomplete)
    }

    // MARK: Rules

    /// `script = { [ statement ] NEWLINE } END ;`
    private mutating func script() -> [Statement] {
        var statements: [Statement] = []
        while true {
            while check(.newline) { advance() }
            if check(.end) { break }
            do {
                statements.append(try statement())
            } catch {
                if let diagnostic = error.diagnostic { diagnostics.append(diagnostic) }
                synchronize(openBrackets: error.openBrackets)
            }
        }
        return statements
    }

    /// `statement = help | [ binding ] command ;`
    private mutating func statement() throws(ParseFailure) -> Statement {
        let first = peek()
        let binding: Name?
        let command: Command
        if check(.question) {
            binding = nil
            command = try help()
        } else {
            binding = try self.binding()
            command = try self.command(after: binding)
        }
        let range = SourceRange(start: first.range.start, end: previous().range.end)
        if check(.newline) { advance() }
        return Statement(binding: binding, command: command, text: text(of: range), range: range)
    }

    /// `help = "?" { argument } ;` — `?lr` is short for `help lr`.
    private mutating func help() throws(ParseFailure) -> Command {
        let question = advance()
        let spec = commands.command(["help"]) ?? CommandSpec(["help"], usage: "help [TOPIC]", summary: "Explain a topic.")
        let arguments = try self.arguments(firstMayTouch: true)
        return Command(words: [Name("?", range: question.range)], spec: spec, arguments: arguments)
    }

    /// `binding = NAME "=" ;` — only at the start of a statement, as in `base = eval`.
    private mutating func binding() throws(ParseFailure) -> Name? {
        guard let text = peek().name, peek(1).kind == .equals else { return nil }
        let token = peek()
        if commands.isLeadingWord(text) {
            // `set =5` is a key left out, read as a command; `train = eval` is a binding gone wrong.
            guard let target = peek(2).name, commands.isLeadingWord(target) else { return nil }
            let example = commands.command([text])?.usage ?? "\(text) …"
            throw failure("'\(text)' is a command and cannot name a result; arguments follow the command, e.g. \(example)",
                          at: token.range)
        }
        if text.contains("*") {
            throw failure("a result name cannot contain '*'", at: token.range)
        }
        advance()
        advance()
        return Name(text, range: token.range)
    }

    /// `command = NAME [ NAME ] { argument } ;` — one word, or a noun and its verb, from the command table.
    private mutating func command(after binding: Name?) throws(ParseFailure) -> Command {
        let (words, spec) = try commandWords(after: binding)
        let arguments = try self.arguments(firstMayTouch: false)
        return Command(words: words, spec: spec, arguments: arguments)
    }

    /// The one or two leading words of a command, checked against the table.
    private mutating func commandWords(after binding: Name?) throws(ParseFailure) -> ([Name], CommandSpec) {
        let first = peek()
        guard let word = first.name else {
            throw notACommand(first, after: binding)
        }
        advance()
        let firstName = Name(word, range: first.range)
        let second = peek()
        if !commands.verbs(of: word).isEmpty {
            if let verb = second.name, let spec = commands.command([word, verb]) {
                advance()
                return ([firstName, Name(verb, range: second.range)], spec)
            }
            if let spec = commands.command([word]) {
                return ([firstName], spec)
            }
            throw unknownVerb(of: firstName, found: second)
        }
        if let spec = commands.command([word]) {
            return ([firstName], spec)
        }
        throw unknownCommand(firstName, next: second, after: binding)
    }

    /// `{ argument }` up to the end of the statement, each separated from the one before by a space.
    private mutating func arguments(firstMayTouch: Bool) throws(ParseFailure) -> [Argument] {
        var arguments: [Argument] = []
        var keys: [String: Name] = [:]
        while !peek().endsStatement {
            let next = peek()
            if !next.hasLeadingSpace, !(firstMayTouch && arguments.isEmpty), next.startsValue {
                throw failure("put a space between arguments: \(next.quoted) touches \(previous().quoted)",
                              at: next.range)
            }
            let argument = try self.argument()
            if let key = argument.key {
                if let earlier = keys[key.text] {
                    throw failure("'\(key.text)' is given twice (first at column \(earlier.range.start.column)); keep one",
                                  at: key.range)
                }
                keys[key.text] = key
            }
            arguments.append(argument)
        }
        return arguments
    }

    /// `argument = NAME "=" value | value ;`
    private mutating func argument() throws(ParseFailure) -> Argument {
        if let key = peek().name, peek(1).kind == .equals {
            let keyToken = advance()
            let equals = advance()
            if key.contains("*") {
                throw failure("a key cannot contain '*': write a name such as lr=2e-4", at: keyToken.range)
            }
            if peek().endsStatement || [.comma, .rightBracket, .rightParen].contains(peek().kind) {
                throw failure("missing value after '\(key)=': write e.g. \(key)=\(exampleValue(for: key))",
                              at: keyToken.range.union(equals.range))
            }
            let value = try self.value()
            return Argument(key: Name(key, range: keyToken.range), value: value)
        }
        let value = try self.value()
        if check(.equals) {
            throw failure("only a plain name can come before '=': '\(value.text)' cannot be a key",
                          at: value.range.union(peek().range))
        }
        return Argument(key: nil, value: value)
    }

    /// `value = NUMBER | PERCENT | STRING | BOOL | path | list | tuple ;`
    private mutating func value() throws(ParseFailure) -> Value {
        let token = peek()
        switch token.kind {
        case .number(let number):
            advance()
            return Value(.number(number), range: token.range, text: token.lexeme)
        case .percent(let percent):
            advance()
            return Value(.percent(percent), range: token.range, text: token.lexeme)
        case .string(let string):
            advance()
            return Value(.string(string), range: token.range, text: token.lexeme)
        case .boolean(let bool):
            advance()
            return Value(.bool(bool), range: token.range, text: token.lexeme)
        case .name:
            return try path()
        case .leftBracket:
            return try list()
        case .leftParen:
            return try tuple()
        default:
            throw unexpected(token)
        }
    }

    /// `path = NAME { "." ( NAME | INTEGER ) | indexing } ;` — written without spaces.
    /// A lone name without wildcards is an identifier rather than a path.
    private mutating func path() throws(ParseFailure) -> Value {
        let head = advance()
        let headName = head.name ?? head.lexeme
        var components: [PathComponent] = [.name(headName)]
        while !peek().hasLeadingSpace {
            if check(.dot) {
                let dot = advance()
                let part = peek()
                if part.hasLeadingSpace || part.endsStatement {
                    throw failure("a path cannot end with '.': write the next part right after it, e.g. lora_A.grad",
                                  at: dot.range)
                }
                switch part.kind {
                case .name(let name):
                    advance()
                    components.append(.name(name))
                case .boolean:
                    advance()
                    components.append(.name(part.lexeme))
                case .number:
                    guard let index = wholeNumber(part), index >= 0 else {
                        throw failure("after '.' a path takes a name or an index such as 0, found \(part.quoted)",
                                      at: part.range)
                    }
                    advance()
                    components.append(.index(index))
                case .invalid:
                    throw ParseFailure(nil, openBrackets: nesting)
                default:
                    throw failure("after '.' a path takes a name or an index such as 0, found \(part.quoted)",
                                  at: part.range)
                }
            } else if check(.leftBracket) {
                components.append(try indexing())
            } else {
                break
            }
        }
        let range = SourceRange(start: head.range.start, end: previous().range.end)
        if components.count == 1, !headName.contains("*") {
            return Value(.identifier(headName), range: range, text: head.lexeme)
        }
        return Value(.path(TensorPath(components)), range: range, text: text(of: range))
    }

    /// `indexing = "[" slice { "," slice } [ "," ] "]" ;`
    private mutating func indexing() throws(ParseFailure) -> PathComponent {
        let open = advance()
        try enterNesting(open)
        defer { nesting -= 1 }
        if check(.rightBracket) {
            throw failure("empty brackets: write an index or a slice, e.g. [0] or [0:4]",
                          at: open.range.union(peek().range))
        }
        var items: [SliceItem] = []
        repeat {
            if check(.rightBracket) { break }
            items.append(try slice())
        } while match(.comma)
        try close(.rightBracket, opening: open, after: "a slice")
        return .indexing(items)
    }

    /// `slice = INTEGER | [ INTEGER ] ":" [ INTEGER ] [ ":" [ INTEGER ] ] ;`
    private mutating func slice() throws(ParseFailure) -> SliceItem {
        let first = peek()
        let start = try optionalIndex()
        guard match(.colon) else {
            guard let start else {
                throw failure("expected an index or a slice such as 0:4 inside [ ], found \(first.quoted)", at: first.range)
            }
            return .index(start)
        }
        let end = try optionalIndex()
        var step: Int?
        if match(.colon) {
            let stepToken = peek()
            step = try optionalIndex()
            if step == 0 {
                throw failure("a slice step cannot be 0", at: stepToken.range)
            }
        }
        return .range(start: start, end: end, step: step)
    }

    /// `INTEGER` where a slice bound may stand; nil when the bound is left out.
    private mutating func optionalIndex() throws(ParseFailure) -> Int? {
        let token = peek()
        switch token.kind {
        case .number:
            guard let index = wholeNumber(token) else {
                throw failure("an index must be a whole number, found \(token.quoted)", at: token.range)
            }
            advance()
            return index
        case .percent, .string, .boolean, .name, .dot:
            throw failure("an index must be a whole number, found \(token.quoted)", at: token.range)
        case .invalid:
            throw ParseFailure(nil, openBrackets: nesting)
        default:
            return nil
        }
    }

    /// `list = "[" items "]" ;`
    private mutating func list() throws(ParseFailure) -> Value {
        let open = advance()
        let items = try self.items(opening: open, closing: .rightBracket)
        let range = open.range.union(previous().range)
        return Value(.list(items), range: range, text: text(of: range))
    }

    /// `tuple = "(" items ")" ;`
    private mutating func tuple() throws(ParseFailure) -> Value {
        let open = advance()
        let items = try self.items(opening: open, closing: .rightParen)
        let range = open.range.union(previous().range)
        return Value(.tuple(items), range: range, text: text(of: range))
    }

    /// `items = [ value { "," value } [ "," ] ] ;` — then the closing bracket.
    private mutating func items(opening: Token, closing: TokenKind) throws(ParseFailure) -> [Value] {
        try enterNesting(opening)
        defer { nesting -= 1 }
        var items: [Value] = []
        while !check(closing), !peek().endsStatement {
            if check(.comma) {
                throw failure("unexpected ',': an item is missing before it", at: peek().range)
            }
            let item = try value()
            if check(.equals) {
                throw failure("a list holds values, not key=value pairs", at: item.range.union(peek().range))
            }
            items.append(item)
            if !match(.comma) { break }
        }
        try close(closing, opening: opening, after: "a list item")
        return items
    }

    // MARK: Errors

    /// Consumes the closing bracket or explains what is wrong.
    private mutating func close(_ closing: TokenKind, opening: Token, after what: String) throws(ParseFailure) {
        if match(closing) { return }
        let found = peek()
        let closer = closing == .rightBracket ? "]" : ")"
        if found.startsNewStatement, found.range.start.line > previous().range.end.line {
            // The next line looks like a statement of its own: the bracket was left open.
            // Resume at that line so its statement is still read.
            current = lastConsumed + 1
            throw ParseFailure(Diagnostic("'\(opening.lexeme)' is never closed: add '\(closer)'", at: opening.range),
                               openBrackets: 0)
        }
        switch found.kind {
        case .end, .newline:
            throw failure("'\(opening.lexeme)' is never closed: add '\(closer)'", at: opening.range)
        case .rightBracket, .rightParen:
            throw failure("expected '\(closer)' to close the '\(opening.lexeme)' at line \(opening.range.start.line), "
                          + "column \(opening.range.start.column), found \(found.quoted)", at: found.range)
        case .invalid:
            throw ParseFailure(nil, openBrackets: nesting)
        default:
            throw failure("expected ',' or '\(closer)' after \(what), found \(found.quoted)", at: found.range)
        }
    }

    private mutating func enterNesting(_ opening: Token) throws(ParseFailure) {
        nesting += 1
        if nesting > Self.maximumNesting {
            nesting -= 1
            throw failure("brackets nest too deeply (more than \(Self.maximumNesting) levels)", at: opening.range)
        }
    }

    /// A token that cannot start a value, explained.
    private func unexpected(_ token: Token) -> ParseFailure {
        switch token.kind {
        case .rightBracket, .rightParen:
            let opener = token.kind == .rightBracket ? "[" : "("
            return failure("unmatched '\(token.lexeme)': there is no '\(opener)' before it", at: token.range)
        case .comma:
            return failure("unexpected ',': arguments are separated by spaces; commas separate items inside [ ]",
                           at: token.range)
        case .colon:
            return failure("unexpected ':': colons belong in slices such as x[0:4]", at: token.range)
        case .dot:
            if !token.hasLeadingSpace {
                return failure("unexpected '.' right after \(previous().quoted)", at: token.range)
            }
            return failure("unexpected '.': a path is written without spaces, e.g. layers.0.attn", at: token.range)
        case .question:
            return failure("'?' asks for help only at the start of a line, e.g. ?lr", at: token.range)
        case .equals:
            return failure("'=' needs a name before it, e.g. lr=2e-4", at: token.range)
        case .invalid:
            return ParseFailure(nil, openBrackets: nesting)
        default:
            return failure("expected a value, found \(token.quoted)", at: token.range)
        }
    }

    /// A statement that does not start with a word.
    private func notACommand(_ token: Token, after binding: Name?) -> ParseFailure {
        if token.kind == .invalid { return ParseFailure(nil, openBrackets: nesting) }
        if let binding {
            let rest = restOfStatementText() ?? "VALUE"
            return failure("expected a command after '\(binding.text) ='; to set a hyperparameter write 'set \(binding.text)=\(rest)'",
                           at: token.range, suggestion: "set \(binding.text)=\(rest)")
        }
        switch token.kind {
        case .equals:
            return failure("'=' needs a name before it, e.g. set lr=2e-4", at: token.range)
        case .rightBracket, .rightParen, .comma, .colon, .dot:
            return unexpected(token)
        default:
            return failure("a statement starts with a command such as train or model load, found \(token.quoted)",
                           at: token.range)
        }
    }

    /// A grouped command's noun followed by a word that is not one of its verbs.
    private func unknownVerb(of noun: Name, found: Token) -> ParseFailure {
        let verbs = commands.verbs(of: noun.text)
        let choices = Self.sentenceList(verbs)
        guard let typed = found.name else {
            return failure("'\(noun.text)' needs one of: \(choices)", at: found.endsStatement ? noun.range : found.range)
        }
        if let verb = suggest(typed, from: verbs) {
            return failure("unknown command '\(noun.text) \(typed)' — did you mean '\(noun.text) \(verb)'?",
                           at: found.range, suggestion: verb)
        }
        return failure("unknown command '\(noun.text) \(typed)': '\(noun.text)' takes \(choices)", at: found.range)
    }

    /// A first word that is no command: suggest the nearest one.
    private func unknownCommand(_ word: Name, next: Token, after binding: Name?) -> ParseFailure {
        // `load model` for `model load`.
        if let second = next.name, commands.command([second, word.text]) != nil {
            let fixed = "\(second) \(word.text)"
            return failure("unknown command '\(word.text) \(second)' — did you mean '\(fixed)'? (noun first, then verb)",
                           at: word.range.union(next.range), suggestion: fixed)
        }
        if let guess = suggest(word.text, from: commands.leadingWords) {
            var fixed = guess
            let verbs = commands.verbs(of: guess)
            if let typedVerb = next.name, !verbs.isEmpty, let verb = suggest(typedVerb, from: verbs) {
                fixed = "\(guess) \(verb)"
            }
            return failure("unknown command '\(word.text)' — did you mean '\(fixed)'?", at: word.range, suggestion: guess)
        }
        if let binding, next.endsStatement {
            return failure("unknown command '\(word.text)'; to set a hyperparameter write 'set \(binding.text)=\(word.text)'",
                           at: word.range, suggestion: nil)
        }
        return failure("unknown command '\(word.text)'; type help to list the commands", at: word.range)
    }

    private func failure(_ message: String, at range: SourceRange, suggestion: String? = nil) -> ParseFailure {
        ParseFailure(Diagnostic(message, at: range, suggestion: suggestion), openBrackets: nesting)
    }

    /// A plausible value for `key=…` in an example.
    private func exampleValue(for key: String) -> String {
        switch key {
        case "lr": return "2e-4"
        case "targets": return "[q_proj, v_proj]"
        case "schedule": return "cosine"
        case "merge", "rslora": return "true"
        default: return "VALUE"
        }
    }

    static func sentenceList(_ words: [String]) -> String {
        switch words.count {
        case 0: return ""
        case 1: return words[0]
        default: return words.dropLast().joined(separator: ", ") + " or " + words.last!
        }
    }

    // MARK: Tokens

    /// The index of the token `ahead` places on, skipping line breaks while inside brackets.
    private func index(ahead: Int) -> Int {
        var index = current
        var remaining = ahead
        while true {
            while nesting > 0, index < tokens.count - 1, tokens[index].kind == .newline { index += 1 }
            if remaining == 0 { return index }
            remaining -= 1
            index = min(index + 1, tokens.count - 1)
        }
    }

    private func peek(_ ahead: Int = 0) -> Token {
        tokens[index(ahead: ahead)]
    }

    private func previous() -> Token {
        tokens[lastConsumed]
    }

    private func check(_ kind: TokenKind) -> Bool {
        peek().kind == kind
    }

    @discardableResult
    private mutating func advance() -> Token {
        let at = index(ahead: 0)
        lastConsumed = at
        current = min(at + 1, tokens.count - 1)
        return tokens[at]
    }

    private mutating func match(_ kind: TokenKind) -> Bool {
        guard check(kind) else { return false }
        advance()
        return true
    }

    /// Skips the rest of a statement after an error: to the next line break outside the brackets
    /// that were open at the error, or to a line that starts like a new statement.
    private mutating func synchronize(openBrackets: Int) {
        var depth = openBrackets
        while tokens[current].kind != .end {
            let token = tokens[current]
            if token.kind == .newline {
                let next = tokens[min(current + 1, tokens.count - 1)]
                if depth == 0 || next.startsNewStatement { break }
            }
            switch token.kind {
            case .leftBracket, .leftParen: depth += 1
            case .rightBracket, .rightParen: depth = max(0, depth - 1)
            default: break
            }
            current += 1
        }
        if tokens[current].kind == .newline { current += 1 }
    }

    /// The value of an integer literal (`3`, `-1`, `1_000`), nil for `0.5` or `1e3`.
    private func wholeNumber(_ token: Token) -> Int? {
        guard case .number(let value) = token.kind,
              token.lexeme.unicodeScalars.allSatisfy({ $0.isDigit || $0 == "-" || $0 == "+" || $0 == "_" }),
              abs(value) < 9e18 else { return nil }
        return Int(value)
    }

    private func text(of range: SourceRange) -> String {
        let start = min(range.start.offset, scalars.count)
        let end = min(max(range.end.offset, start), scalars.count)
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars[start..<end])
        return String(view)
    }

    /// The source text from the current token to the end of the statement, to quote in a
    /// suggested fix; nil when it spans lines or is too long to quote.
    private func restOfStatementText() -> String? {
        var last = current
        while !tokens[last].endsStatement, last + 1 < tokens.count, !tokens[last + 1].endsStatement { last += 1 }
        if tokens[last].endsStatement { return nil }
        let range = SourceRange(start: peek().range.start, end: tokens[last].range.end)
        guard range.start.line == range.end.line, range.length <= 40 else { return nil }
        return text(of: range)
    }
}

/// Why a statement could not be read.
struct ParseFailure: Error {
    /// Nil when the lexer has already reported the problem.
    let diagnostic: Diagnostic?
    /// Brackets open where the error was found, so recovery can skip to their end.
    let openBrackets: Int

    init(_ diagnostic: Diagnostic?, openBrackets: Int = 0) {
        self.diagnostic = diagnostic
        self.openBrackets = openBrackets
    }
}

private extension Token {
    /// A name at the very start of a line: after a bracket left open, such a line is taken to be
    /// a new statement (continuation lines of a list are indented, or start with a value or `]`).
    var startsNewStatement: Bool {
        name != nil && range.start.column == 1
    }

    /// True for tokens that begin a value (so two of them in a row need a space between).
    var startsValue: Bool {
        switch kind {
        case .name, .number, .percent, .string, .boolean, .leftBracket, .leftParen: return true
        default: return false
        }
    }
}
