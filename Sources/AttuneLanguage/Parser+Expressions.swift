/// The expression rules of `Grammar.text`, one method per rule, loosest first.
extension Parser {
    /// `expression = or ;`
    mutating func expression() throws(ParseFailure) -> Expression {
        try or()
    }

    /// An expression that must follow `what` (`=`, `in`, `if`): says so when the line ends first.
    mutating func expressionOperand(after what: String) throws(ParseFailure) -> Expression {
        if atStatementEnd || check(.leftBrace) && what != "=" {
            throw failure("expected an expression after '\(what)', found \(peek().quoted)", at: peek().range)
        }
        return try expression()
    }

    /// `or = and { "or" and } ;`
    mutating func or() throws(ParseFailure) -> Expression {
        var left = try and()
        while peek().name == "or" {
            advance()
            let right = try and()
            left = Expression(.binary(.or, left, right), range: left.range.union(right.range))
        }
        return left
    }

    /// `and = not { "and" not } ;`
    mutating func and() throws(ParseFailure) -> Expression {
        var left = try not()
        while peek().name == "and" {
            advance()
            let right = try not()
            left = Expression(.binary(.and, left, right), range: left.range.union(right.range))
        }
        return left
    }

    /// `not = "not" not | comparison ;`
    mutating func not() throws(ParseFailure) -> Expression {
        guard peek().name == "not" else { return try comparison() }
        let keyword = advance()
        try enterExpression(keyword)
        defer { expressionDepth -= 1 }
        let operand = try not()
        return Expression(.unary(.not, operand), range: keyword.range.union(operand.range))
    }

    /// `comparison = sum [ ( "==" | "!=" | "<" | "<=" | ">" | ">=" | "in" | "not" "in" ) sum ] ;`
    /// — comparisons do not chain.
    mutating func comparison() throws(ParseFailure) -> Expression {
        let left = try sum()
        var op: BinaryOperator?
        var negated = false
        let opToken = peek()
        if case .symbol(let symbol) = opToken.kind, let binary = BinaryOperator(symbol), binary.isComparison {
            op = binary
        } else if opToken.name == "in" {
            op = .contains
        } else if opToken.name == "not", peek(1).name == "in" {
            advance()
            op = .contains
            negated = true
        }
        guard let op else { return left }
        advance()
        let right = try sum()
        if case .symbol(let next) = peek().kind, BinaryOperator(next)?.isComparison == true {
            throw failure("comparisons do not chain: write a < b and b < c", at: peek().range)
        }
        let range = left.range.union(right.range)
        let comparison = Expression(.binary(op, left, right), range: range)
        return negated ? Expression(.unary(.not, comparison), range: range) : comparison
    }

    /// `sum = product { ( "+" | "-" ) product } ;`
    mutating func sum() throws(ParseFailure) -> Expression {
        var left = try product()
        while case .symbol(let symbol) = peek().kind, symbol == .plus || symbol == .minus {
            advance()
            let right = try product()
            left = Expression(.binary(BinaryOperator(symbol)!, left, right), range: left.range.union(right.range))
        }
        return left
    }

    /// `product = unary { ( "*" | "/" | "%" ) unary } ;`
    mutating func product() throws(ParseFailure) -> Expression {
        var left = try unary()
        while case .symbol(let symbol) = peek().kind, symbol == .times || symbol == .divide || symbol == .remainder {
            advance()
            let right = try unary()
            left = Expression(.binary(BinaryOperator(symbol)!, left, right), range: left.range.union(right.range))
        }
        return left
    }

    /// `unary = "-" unary | postfix ;`
    mutating func unary() throws(ParseFailure) -> Expression {
        guard case .symbol(.minus) = peek().kind else { return try postfix() }
        let minus = advance()
        try enterExpression(minus)
        defer { expressionDepth -= 1 }
        let operand = try unary()
        if case .number(let value) = operand.kind {
            return Expression(.number(-value), range: minus.range.union(operand.range))
        }
        return Expression(.unary(.negate, operand), range: minus.range.union(operand.range))
    }

    /// `postfix = primary { "." NAME | "[" subscript "]" | "(" [ expression { "," expression } ] ")" } ;`
    mutating func postfix() throws(ParseFailure) -> Expression {
        var base = try primary()
        while true {
            if check(.dot) {
                let dot = advance()
                let field = peek()
                // `layers.0.attn`: a whole number after the dot is a field name too (tensor paths).
                let index = field.hasLeadingSpace ? nil : wholeNumber(field).flatMap { $0 >= 0 ? String($0) : nil }
                guard let name = field.name ?? index ?? (field.kind == .boolean(true) || field.kind == .boolean(false) ? field.lexeme : nil) else {
                    if field.kind == .invalid { throw ParseFailure(nil, openBrackets: nesting) }
                    throw failure("after '.' write a field name, e.g. r.val_loss; found \(field.quoted)", at: field.range.union(dot.range))
                }
                advance()
                base = Expression(.field(base, Name(name, range: field.range)), range: base.range.union(field.range))
            } else if check(.leftBracket) {
                base = try subscriptRule(of: base)
            } else if check(.leftParen) {
                base = try call(base)
            } else {
                return base
            }
        }
    }

    /// `subscript = item { "," item } ;`, `item = expression | [ expression ] ":" [ expression ] ;`
    /// — between `[` and `]`. One item is an index or a slice; several (`w[0:4, :8]`, a tensor's
    /// dimensions) make one multi-dimensional subscript.
    mutating func subscriptRule(of base: Expression) throws(ParseFailure) -> Expression {
        let open = advance()
        try enterNesting(open)
        defer { nesting -= 1 }
        if check(.rightBracket) {
            throw failure("empty brackets: write an index or a slice, e.g. [0] or [1:3]", at: open.range.union(peek().range))
        }
        var items: [SubscriptItem] = []
        while true {
            if check(.comma) { throw failure("unexpected ',': an index or a slice is missing before it", at: peek().range) }
            let start = check(.colon) ? nil : try expression()
            if match(.colon) {
                let end = check(.rightBracket) || check(.comma) ? nil : try expression()
                items.append(.range(start: start, end: end))
            } else {
                items.append(.index(start!))
            }
            if !match(.comma) || check(.rightBracket) { break }
        }
        try close(.rightBracket, opening: open, after: items.count == 1 ? (items[0].isIndex ? "an index" : "a slice") : "a subscript")
        let range = base.range.union(previous().range)
        if items.count > 1 { return Expression(.subscripts(base, items), range: range) }
        switch items[0] {
        case .index(let index): return Expression(.index(base, index), range: range)
        case .range(let start, let end): return Expression(.slice(base, start: start, end: end), range: range)
        }
    }

    /// The arguments of a call, `(a, b)`.
    mutating func call(_ callee: Expression) throws(ParseFailure) -> Expression {
        let open = advance()
        try enterNesting(open)
        defer { nesting -= 1 }
        var arguments: [Expression] = []
        while !check(.rightParen), !peek().endsStatement {
            arguments.append(try expression())
            if !match(.comma) { break }
        }
        try close(.rightParen, opening: open, after: "an argument")
        return Expression(.call(callee, arguments), range: callee.range.union(previous().range))
    }

    /// `primary = NUMBER | PERCENT | STRING | BOOL | "none" | NAME | list | record | "(" expression ")" ;`
    mutating func primary() throws(ParseFailure) -> Expression {
        let token = peek()
        switch token.kind {
        case .number(let value):
            advance()
            return Expression(.number(value), range: token.range)
        case .percent(let value):
            advance()
            return Expression(.number(value / 100), range: token.range)
        case .string(let text):
            advance()
            return Expression(.string(text), range: token.range)
        case .template(let parts):
            advance()
            return Expression(.template(try template(parts)), range: token.range)
        case .boolean(let value):
            advance()
            return Expression(.bool(value), range: token.range)
        case .name(let name):
            if name == "none" {
                advance()
                return Expression(.none, range: token.range)
            }
            if Keyword.all.contains(name) {
                throw failure("expected a value, found the keyword '\(name)'", at: token.range)
            }
            if name.contains("*") || name.contains("-") {
                let spaced = name.replacingOccurrences(of: "-", with: " - ").replacingOccurrences(of: "*", with: " * ")
                throw failure("'\(name.clippedForMessage)' reads as one word here; put spaces around the operator: \(spaced)",
                              at: token.range, suggestion: spaced)
            }
            advance()
            return Expression(.variable(name), range: token.range)
        case .leftBracket:
            return try listLiteral()
        case .leftBrace:
            return try recordLiteral()
        case .leftParen:
            let open = advance()
            try enterNesting(open)
            defer { nesting -= 1 }
            let inner = try expression()
            try close(.rightParen, opening: open, after: "the expression")
            return Expression(inner.kind, range: open.range.union(previous().range))
        case .symbol(let op):
            throw failure("expected a value before '\(op.rawValue)'", at: token.range)
        default:
            throw unexpected(token)
        }
    }

    /// `list = "[" [ expression { "," expression } [ "," ] ] "]" ;`
    mutating func listLiteral() throws(ParseFailure) -> Expression {
        let open = advance()
        try enterNesting(open)
        defer { nesting -= 1 }
        var items: [Expression] = []
        while !check(.rightBracket), !peek().endsStatement {
            if check(.comma) { throw failure("unexpected ',': an item is missing before it", at: peek().range) }
            items.append(try expression())
            if !match(.comma) { break }
        }
        try close(.rightBracket, opening: open, after: "a list item")
        return Expression(.list(items), range: open.range.union(previous().range))
    }

    /// `record = "{" [ field { "," field } [ "," ] ] "}" ;`, `field = ( NAME | STRING ) ":" expression ;`
    mutating func recordLiteral() throws(ParseFailure) -> Expression {
        let open = advance()
        try enterNesting(open)
        defer { nesting -= 1 }
        var fields: [RecordField] = []
        while !check(.rightBrace), !peek().endsStatement {
            let key = peek()
            let name: String
            switch key.kind {
            case .name(let text) where !text.contains("*") && !text.contains("-"): name = text
            case .string(let text): name = text
            default:
                if key.kind == .invalid { throw ParseFailure(nil, openBrackets: nesting) }
                throw failure("a record field starts with a name, e.g. {lr: 2e-4, steps: 20}; found \(key.quoted)", at: key.range)
            }
            advance()
            if fields.contains(where: { $0.name.text == name }) {
                throw failure("the field '\(name.clippedForMessage)' is given twice", at: key.range)
            }
            guard match(.colon) else {
                throw failure("expected ':' after the field name '\(name.clippedForMessage)', e.g. {\(name): 1}", at: peek().range)
            }
            fields.append(RecordField(name: Name(name, range: key.range), value: try expression()))
            if !match(.comma) { break }
        }
        if !check(.rightBrace), case .rightBracket = peek().kind {
            throw failure("expected '}' to close the '{' at line \(open.range.start.line), column \(open.range.start.column), found ']'", at: peek().range)
        }
        if match(.rightBrace) {
            return Expression(.record(fields), range: open.range.union(previous().range))
        }
        let found = peek()
        if found.endsStatement { throw failure("'{' is never closed: add '}'", at: open.range) }
        if found.kind == .invalid { throw ParseFailure(nil, openBrackets: nesting) }
        throw failure("expected ',' or '}' after a field, found \(found.quoted)", at: found.range)
    }

    /// The pieces of an interpolated string: each `{…}` parsed as one expression.
    mutating func template(_ parts: [TemplatePart]) throws(ParseFailure) -> [TemplatePiece] {
        var pieces: [TemplatePiece] = []
        for part in parts {
            switch part {
            case .text(let text):
                pieces.append(.text(text))
            case .expression(let tokens, let braces):
                let closing = SourcePosition(offset: braces.end.offset - 1, line: braces.end.line, column: braces.end.column - 1)
                let end = Token(kind: .end, lexeme: "}", range: SourceRange(start: closing, end: braces.end), hasLeadingSpace: false)
                var inner = Parser(tokens: tokens + [end], scalars: scalars, commands: commands)
                inner.expressionDepth = expressionDepth + 1
                if inner.expressionDepth > Self.maximumNesting {
                    throw failure("strings with {…} nest too deeply", at: braces)
                }
                do throws(ParseFailure) {
                    let expression = try inner.expression()
                    if !inner.check(.end) {
                        throw inner.failure("unexpected \(inner.peek().quoted) in {…}: one expression between the braces", at: inner.peek().range)
                    }
                    pieces.append(.expression(expression))
                } catch {
                    throw ParseFailure(error.diagnostic, openBrackets: nesting)
                }
                diagnostics += inner.diagnostics
            }
        }
        return pieces
    }

    /// Counts one more nested operator or block, refusing depths that could exhaust the stack.
    mutating func enterExpression(_ token: Token) throws(ParseFailure) {
        expressionDepth += 1
        if expressionDepth > Self.maximumNesting {
            expressionDepth -= 1
            throw failure("the expression nests too deeply (more than \(Self.maximumNesting) levels)", at: token.range)
        }
    }
}

extension BinaryOperator {
    /// `== != < <= > >=`.
    var isComparison: Bool {
        switch self {
        case .equal, .notEqual, .less, .lessOrEqual, .greater, .greaterOrEqual: return true
        default: return false
        }
    }
}
