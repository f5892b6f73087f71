/// One statement: a command (optionally binding its result, `base = eval`), or a statement of
/// the scripting language (`let`, assignment, `for`, `if`, `fn`, `return`, `break`, `continue`,
/// `print`, `assert`, a call).
///
/// A statement remembers its exact source text and lines, which the notebook records as the
/// cell's source.
public struct Statement: Sendable, Hashable, CustomStringConvertible {
    public indirect enum Kind: Sendable, Hashable {
        /// `[let] name = command …` or a bare command.
        case command(binding: Name?, Command, declares: Bool)
        /// `let name = expression` (`declares`: a new variable in this scope) or `name = expression`.
        case assignment(Name, Expression, declares: Bool)
        /// `for name in expression { … }`.
        case forLoop(Name, Expression, Block)
        /// `if c { … } else if c { … } else { … }`: the branches in order, then the `else` block.
        case ifChain([Branch], otherwise: Block?)
        /// `fn name(parameters) { … }`.
        case function(Name, parameters: [Name], Block)
        case returnValue(Expression?)
        case breakLoop
        case continueLoop
        /// `print a, b`: the values joined by spaces, one stream line.
        case print([Expression])
        /// `assert condition, "message"`.
        case assert(Expression, message: Expression?)
        /// A call on its own: `report(r)`.
        case expression(Expression)
    }

    public let kind: Kind
    /// The exact source of the statement, from its first token to its last (continuation
    /// backslashes and line breaks included, a trailing comment not).
    public let text: String
    public let range: SourceRange

    public init(_ kind: Kind, text: String, range: SourceRange) {
        self.kind = kind
        self.text = text
        self.range = range
    }

    /// A command statement.
    public init(binding: Name?, command: Command, text: String, range: SourceRange) {
        self.init(.command(binding: binding, command, declares: false), text: text, range: range)
    }

    /// The name in `name = command …`, if any.
    public var binding: Name? {
        if case .command(let binding, _, _) = kind { return binding }
        return nil
    }

    /// The command, for a command statement.
    public var command: Command? {
        if case .command(_, let command, _) = kind { return command }
        return nil
    }

    /// The 1-based lines the statement spans.
    public var lines: ClosedRange<Int> { range.lines }

    /// A canonical one-line form with every value's kind spelled out, e.g.
    /// `base = (eval)`, `(set lr=num:0.0002 schedule=id:cosine)`, `(let x (+ a 1))`. Golden tests compare it.
    public var description: String {
        switch kind {
        case .command(let binding, let command, let declares):
            let text = "(\(command))"
            return binding.map { (declares ? "let " : "") + "\($0.text) = \(text)" } ?? text
        case .assignment(let name, let value, let declares):
            return "(\(declares ? "let" : "set-var") \(name.text) \(value))"
        case .forLoop(let name, let sequence, let body):
            return "(for \(name.text) \(sequence) \(body))"
        case .ifChain(let branches, let otherwise):
            return "(if" + branches.map { " \($0.condition) \($0.body)" }.joined() + (otherwise.map { " else \($0)" } ?? "") + ")"
        case .function(let name, let parameters, let body):
            return "(fn \(name.text) (" + parameters.map(\.text).joined(separator: " ") + ") \(body))"
        case .returnValue(let value): return value.map { "(return \($0))" } ?? "(return)"
        case .breakLoop: return "(break)"
        case .continueLoop: return "(continue)"
        case .print(let values): return "(print" + values.map { " \($0)" }.joined() + ")"
        case .assert(let condition, let message): return "(assert \(condition)" + (message.map { " \($0)" } ?? "") + ")"
        case .expression(let expression): return "(do \(expression))"
        }
    }
}

/// `{ statement … }`: the body of a loop, a branch or a function.
public struct Block: Sendable, Hashable, CustomStringConvertible {
    public let statements: [Statement]
    /// From `{` to `}`.
    public let range: SourceRange

    public init(statements: [Statement], range: SourceRange) {
        self.statements = statements
        self.range = range
    }

    public var description: String {
        "{" + statements.map(\.description).joined(separator: "; ") + "}"
    }
}

/// One `if` or `else if` with its block.
public struct Branch: Sendable, Hashable {
    public let condition: Expression
    public let body: Block

    public init(condition: Expression, body: Block) {
        self.condition = condition
        self.body = body
    }
}
