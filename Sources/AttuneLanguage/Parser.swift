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
    /// How many blocks (`{ … }` of `for`, `if`, `fn`) the parser is inside.
    var blockDepth = 0
    /// Loops around the current statement (in the current function): `break` needs one.
    var loopDepth = 0
    /// Functions around the current statement: `return` needs one.
    var functionDepth = 0
    /// Unary operators and blocks nested so far (bounded like brackets).
    var expressionDepth = 0
    var diagnostics: [Diagnostic] = []

    /// Parses a whole source text (a script, a notebook cell or a REPL input).
    public static func parse(source: String, commands: CommandTable = .standard) -> ParseResult {
        var parser = Parser(source: source, commands: commands)
        return parser.parse()
    }

    public init(source: String, commands: CommandTable = .standard) {
        let lexer = Lexer(source, commandWords: Set(commands.leadingWords))
        lexed = lexer.scan()
        tokens = lexed.tokens
        scalars = Array(source.unicodeScalars)
        self.commands = commands
    }

    /// A parser over already lexed tokens (the expression inside a string's `{ }`).
    init(tokens: [Token], scalars: [Unicode.Scalar], commands: CommandTable) {
        lexed = LexResult(tokens: tokens, diagnostics: [], unclosedBrackets: [], endsWithContinuation: false)
        self.tokens = tokens
        self.scalars = scalars
        self.commands = commands
    }

    /// Reads every statement of the source.
    public mutating func parse() -> ParseResult {
        current = 0
        lastConsumed = 0
        nesting = 0
        blockDepth = 0
        loopDepth = 0
        functionDepth = 0
        expressionDepth = 0
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

    /// `statement = let | assignment | for | if | fn | return | break | continue | print | assert
    ///             | call | help | [ binding ] command ;`
    private mutating func statement() throws(ParseFailure) -> Statement {
        let first = peek()
        let kind: Statement.Kind
        if check(.question) {
            kind = .command(binding: nil, try help(), declares: false)
        } else if let word = first.name, !commands.isLeadingWord(word) {
            if Keyword.statements.contains(word) {
                kind = try keywordStatement(word)
            } else if peek(1).kind == .equals, !(peek(2).name.map(commands.isLeadingWord) ?? false) {
                kind = try assignment()
            } else if peek(1).kind == .leftParen, !peek(1).hasLeadingSpace {
                kind = .expression(try expression())
                try expectStatementEnd(after: "the call")
            } else {
                let binding = try self.binding()
                kind = .command(binding: binding, try command(after: binding), declares: false)
            }
        } else {
            let binding = try self.binding()
            kind = .command(binding: binding, try command(after: binding), declares: false)
        }
        let range = SourceRange(start: first.range.start, end: previous().range.end)
        try expectStatementEnd(after: "the statement")
        if check(.newline) { advance() }
        return Statement(kind, text: text(of: range), range: range)
    }

    /// The statements that start with a keyword.
    private mutating func keywordStatement(_ word: String) throws(ParseFailure) -> Statement.Kind {
        switch word {
        case "let": return try letStatement()
        case "for": return try forStatement()
        case "if": return try ifStatement()
        case "fn": return try functionStatement()
        case "return": return try returnStatement()
        case "break", "continue": return try loopJump(word)
        case "print": return try printStatement()
        case "assert": return try assertStatement()
        default:
            throw failure("'else' must follow the '}' of its if on the same line: } else { … }", at: peek().range)
        }
    }

    /// `let = "let" NAME "=" ( command | expression ) ;` — a new variable in this scope.
    private mutating func letStatement() throws(ParseFailure) -> Statement.Kind {
        advance()
        let name = try variableName(purpose: "let")
        guard match(.equals) else {
            throw failure("expected '=' after 'let \(name.text)', e.g. let \(name.text) = 2e-4", at: peek().range)
        }
        if let word = peek().name, commands.isLeadingWord(word) {
            return .command(binding: name, try command(after: name), declares: true)
        }
        let value = try expressionOperand(after: "=")
        try expectStatementEnd(after: "the value")
        return .assignment(name, value, declares: true)
    }

    /// `assignment = NAME "=" expression ;` — gives an existing variable a new value (or makes one).
    private mutating func assignment() throws(ParseFailure) -> Statement.Kind {
        let name = try variableName(purpose: "assignment")
        advance()
        let value = try expressionOperand(after: "=")
        try expectStatementEnd(after: "the value")
        return .assignment(name, value, declares: false)
    }

    /// `for = "for" NAME "in" expression block ;`
    private mutating func forStatement() throws(ParseFailure) -> Statement.Kind {
        advance()
        let name = try variableName(purpose: "for")
        guard peek().name == "in" else {
            throw failure("expected 'in' after 'for \(name.text)', e.g. for \(name.text) in [1e-4, 3e-4] { … }", at: peek().range)
        }
        advance()
        let sequence = try expressionOperand(after: "in")
        loopDepth += 1
        defer { loopDepth -= 1 }
        return .forLoop(name, sequence, try block(after: "for \(name.text) in …"))
    }

    /// `if = "if" expression block { "else" "if" expression block } [ "else" block ] ;`
    private mutating func ifStatement() throws(ParseFailure) -> Statement.Kind {
        advance()
        var branches = [Branch(condition: try expressionOperand(after: "if"), body: try block(after: "if …"))]
        var otherwise: Block?
        while peek().name == "else" {
            advance()
            if peek().name == "if" {
                advance()
                branches.append(Branch(condition: try expressionOperand(after: "else if"), body: try block(after: "else if …")))
            } else {
                otherwise = try block(after: "else")
                break
            }
        }
        return .ifChain(branches, otherwise: otherwise)
    }

    /// `fn = "fn" NAME "(" [ NAME { "," NAME } ] ")" block ;`
    private mutating func functionStatement() throws(ParseFailure) -> Statement.Kind {
        advance()
        let name = try variableName(purpose: "fn")
        guard check(.leftParen) else {
            throw failure("expected '(' after 'fn \(name.text)', e.g. fn \(name.text)(x) { return x * 2 }", at: peek().range)
        }
        let open = advance()
        try enterNesting(open)
        var parameters: [Name] = []
        while !check(.rightParen) {
            let parameter = try variableName(purpose: "parameter")
            if parameters.contains(where: { $0.text == parameter.text }) {
                throw failure("the parameter '\(parameter.text)' is named twice", at: parameter.range)
            }
            parameters.append(parameter)
            if !match(.comma) { break }
        }
        try close(.rightParen, opening: open, after: "a parameter")
        nesting -= 1
        let loops = loopDepth
        loopDepth = 0
        functionDepth += 1
        defer {
            loopDepth = loops
            functionDepth -= 1
        }
        return .function(name, parameters: parameters, try block(after: "fn \(name.text)(…)"))
    }

    /// `return = "return" [ expression ] ;`
    private mutating func returnStatement() throws(ParseFailure) -> Statement.Kind {
        let keyword = advance()
        guard functionDepth > 0 else {
            throw failure("return is only allowed inside a function (fn name(…) { … })", at: keyword.range)
        }
        if atStatementEnd { return .returnValue(nil) }
        let value = try expression()
        try expectStatementEnd(after: "the returned value")
        return .returnValue(value)
    }

    /// `break = "break" ;` and `continue = "continue" ;` — inside a loop.
    private mutating func loopJump(_ word: String) throws(ParseFailure) -> Statement.Kind {
        let keyword = advance()
        guard loopDepth > 0 else {
            throw failure("\(word) is only allowed inside a for loop", at: keyword.range)
        }
        try expectStatementEnd(after: "'\(word)'")
        return word == "break" ? .breakLoop : .continueLoop
    }

    /// `print = "print" [ expression { "," expression } ] ;` — one stream line, values joined by spaces.
    private mutating func printStatement() throws(ParseFailure) -> Statement.Kind {
        advance()
        var values: [Expression] = []
        if !atStatementEnd {
            repeat { values.append(try expression()) } while match(.comma)
        }
        try expectStatementEnd(after: "the printed value")
        return .print(values)
    }

    /// `assert = "assert" expression [ "," expression ] ;` — the message after the comma.
    private mutating func assertStatement() throws(ParseFailure) -> Statement.Kind {
        let keyword = advance()
        if atStatementEnd {
            throw failure("assert needs a condition, e.g. assert best < 2, \"the loss should fall\"", at: keyword.range)
        }
        let condition = try expression()
        let message = match(.comma) ? try expressionOperand(after: ",") : nil
        try expectStatementEnd(after: "the assertion")
        return .assert(condition, message: message)
    }

    /// `block = "{" { [ statement ] NEWLINE } "}" ;` — statements one per line; line breaks count
    /// again inside a block even when it sits in brackets.
    private mutating func block(after header: String) throws(ParseFailure) -> Block {
        guard check(.leftBrace) else {
            throw failure("expected '{' to start the block after \(header)", at: peek().range)
        }
        let open = advance()
        expressionDepth += 1
        if expressionDepth > Self.maximumNesting {
            expressionDepth -= 1
            throw failure("blocks nest too deeply (more than \(Self.maximumNesting) levels)", at: open.range)
        }
        let outerNesting = nesting
        nesting = 0
        blockDepth += 1
        defer {
            nesting = outerNesting
            blockDepth -= 1
            expressionDepth -= 1
        }
        var statements: [Statement] = []
        let diagnosticsBefore = diagnostics.count
        while true {
            while check(.newline) { advance() }
            if check(.rightBrace) { break }
            if check(.end) {
                throw ParseFailure(Diagnostic("'{' is never closed: add '}'", at: open.range), openBrackets: 0)
            }
            do {
                statements.append(try statement())
            } catch {
                if let diagnostic = error.diagnostic { diagnostics.append(diagnostic) }
                synchronizeInBlock()
            }
        }
        let closing = advance()
        // A block with an error yields no statement (its errors are reported; the block is read to its end).
        if diagnostics.count > diagnosticsBefore { throw ParseFailure(nil, openBrackets: 0) }
        return Block(statements: statements, range: open.range.union(closing.range))
    }

    /// Checks that the statement ends here (a line break, the end, or the `}` of its block).
    mutating func expectStatementEnd(after what: String) throws(ParseFailure) {
        guard !atStatementEnd else { return }
        let token = peek()
        if token.kind == .invalid { throw ParseFailure(nil, openBrackets: nesting) }
        throw failure("unexpected \(token.quoted) after \(what): one statement per line", at: token.range)
    }

    /// True at a line break, the end, or a `}` closing the current block.
    var atStatementEnd: Bool {
        peek().endsStatement || (blockDepth > 0 && check(.rightBrace))
    }

    /// A variable's name (after `let`, `for`, `fn`, or as a parameter): a plain name that is no
    /// keyword and no command.
    private mutating func variableName(purpose: String) throws(ParseFailure) -> Name {
        let token = peek()
        guard let text = token.name else {
            if token.kind == .invalid { throw ParseFailure(nil, openBrackets: nesting) }
            throw failure("expected a name after '\(previous().lexeme)', found \(token.quoted)", at: token.range)
        }
        if Keyword.all.contains(text) {
            throw failure("'\(text)' is a keyword and cannot name a variable", at: token.range)
        }
        if commands.isLeadingWord(text) {
            throw failure("'\(text)' is a command and cannot name a variable", at: token.range)
        }
        if text.contains("*") || text.contains("-") {
            throw failure("a variable name holds letters, digits and _ only ('\(text.clippedForMessage)' does not)", at: token.range)
        }
        advance()
        return Name(text, range: token.range)
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
        while !atStatementEnd {
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
            if atStatementEnd || [.comma, .rightBracket, .rightParen].contains(peek().kind) {
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

    /// `value = NUMBER | PERCENT | STRING | BOOL | path | list | group ;`
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
        case .template:
            let expression = try primary()
            return Value(.expression(expression), range: token.range, text: token.lexeme)
        case .name where peek(1).kind == .leftParen && !peek(1).hasLeadingSpace:
            // `plot hist(w)`: a call is an expression the interpreter evaluates.
            let expression = try postfix()
            return Value(.expression(expression), range: expression.range, text: text(of: expression.range))
        case .name:
            return try path()
        case .leftBracket:
            return try list()
        case .leftParen:
            return try group()
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

    /// `group = "(" expression ")" | "(" [ expression { "," expression } [ "," ] ] ")" ;` — an
    /// expression in an argument (`steps=(n + 1)`), or a tuple such as `(4, 8)`.
    private mutating func group() throws(ParseFailure) -> Value {
        let open = advance()
        try enterNesting(open)
        var items: [Expression] = []
        var sawComma = false
        while !check(.rightParen), !peek().endsStatement {
            items.append(try expression())
            if !match(.comma) { break }
            sawComma = true
        }
        try close(.rightParen, opening: open, after: "an expression")
        nesting -= 1
        let range = open.range.union(previous().range)
        if items.count == 1, !sawComma {
            return Value(.expression(items[0]), range: range, text: text(of: range))
        }
        let values = items.map { item -> Value in
            let itemText = text(of: item.range)
            switch item.kind {
            case .number(let number): return Value(.number(number), range: item.range, text: itemText)
            case .string(let string): return Value(.string(string), range: item.range, text: itemText)
            case .bool(let bool): return Value(.bool(bool), range: item.range, text: itemText)
            default: return Value(.expression(item), range: item.range, text: itemText)
            }
        }
        return Value(.tuple(values), range: range, text: text(of: range))
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
    mutating func close(_ closing: TokenKind, opening: Token, after what: String) throws(ParseFailure) {
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

    mutating func enterNesting(_ opening: Token) throws(ParseFailure) {
        nesting += 1
        if nesting > Self.maximumNesting {
            nesting -= 1
            throw failure("brackets nest too deeply (more than \(Self.maximumNesting) levels)", at: opening.range)
        }
    }
}
