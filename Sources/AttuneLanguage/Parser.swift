/// A recursive-descent parser for the Attune command language: one method per rule of
/// `Grammar.text`, with the rule in the method's doc comment.
///
/// The parser never fails and never traps: a line with an error is reported and skipped, and
/// parsing resumes at the next line. Nesting deeper than `maximumNesting` is reported rather
/// than recursed into, so no input can exhaust the stack.
public struct Parser: Sendable {
    /// Brackets nested deeper than this are an error.
    public static let maximumNesting = 64

    let tokens: [Token]
    let scalars: [Unicode.Scalar]
    let commands: CommandTable
    let lexed: LexResult
    var current = 0
    /// Index of the token `advance()` returned last.
    var lastConsumed = 0
    /// How many brackets the parser is inside; line breaks are skipped while it is above zero.
    var nesting = 0
    var diagnostics: [Diagnostic] = []

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
}
