/// An expression of the scripting language: `r.val_loss * 2`, `min(losses)`, `"lr {lr}"`,
/// `[1e-4, 3e-4]`, `{lr: 2e-4, steps: 20}`, with its source span (errors point at it).
public struct Expression: Sendable, Hashable, CustomStringConvertible {
    public indirect enum Kind: Sendable, Hashable {
        /// `42`, `2e-4`; a percentage `90%` is stored divided by 100.
        case number(Double)
        case string(String)
        /// `"lr {lr}"`: text and expressions, joined when evaluated.
        case template([TemplatePiece])
        case bool(Bool)
        /// `none`: no value (what a function without `return` gives).
        case none
        /// A name: a variable, a function or a builtin.
        case variable(String)
        case list([Expression])
        /// `{name: value, …}` in source order.
        case record([RecordField])
        /// `-x`, `not x`.
        case unary(UnaryOperator, Expression)
        /// `a + b`, `a < b`, `a and b`, `x in xs`.
        case binary(BinaryOperator, Expression, Expression)
        /// `r.val_loss`.
        case field(Expression, Name)
        /// `xs[0]`, `xs[-1]`.
        case index(Expression, Expression)
        /// `xs[1:3]`, `xs[:2]`, `xs[1:]`.
        case slice(Expression, start: Expression?, end: Expression?)
        /// `min(xs)`, `best(rates)`.
        case call(Expression, [Expression])
        /// `w[0:4, :8]`, `a[3, 0]`: two or more items, one per dimension of a tensor.
        case subscripts(Expression, [SubscriptItem])
    }

    public let kind: Kind
    public let range: SourceRange

    public init(_ kind: Kind, range: SourceRange) {
        self.kind = kind
        self.range = range
    }

    /// A canonical prefix form for golden tests: `(+ x 1)`, `(. r val_loss)`, `(call min xs)`.
    public var description: String {
        switch kind {
        case .number(let value): return NumberFormatting.text(value)
        case .string(let text): return StringEscaping.quoted(text)
        case .template(let pieces): return "(template " + pieces.map(\.description).joined(separator: " ") + ")"
        case .bool(let value): return "\(value)"
        case .none: return "none"
        case .variable(let name): return name
        case .list(let items): return "[" + items.map(\.description).joined(separator: ", ") + "]"
        case .record(let fields): return "{" + fields.map { "\($0.name.text): \($0.value)" }.joined(separator: ", ") + "}"
        case .unary(let op, let operand): return "(\(op.rawValue) \(operand))"
        case .binary(let op, let left, let right): return "(\(op.rawValue) \(left) \(right))"
        case .field(let base, let name): return "(. \(base) \(name.text))"
        case .index(let base, let index): return "(index \(base) \(index))"
        case .slice(let base, let start, let end):
            return "(slice \(base) \(start?.description ?? "_") \(end?.description ?? "_"))"
        case .call(let callee, let arguments):
            return "(call \(callee)" + arguments.map { " \($0)" }.joined() + ")"
        case .subscripts(let base, let items):
            return "(subscripts \(base)" + items.map { " \($0)" }.joined() + ")"
        }
    }
}

/// One `name: value` of a record literal.
public struct RecordField: Sendable, Hashable {
    public let name: Name
    public let value: Expression

    public init(name: Name, value: Expression) {
        self.name = name
        self.value = value
    }
}

/// One piece of an interpolated string: text, or an expression to format.
public enum TemplatePiece: Sendable, Hashable, CustomStringConvertible {
    case text(String)
    case expression(Expression)

    public var description: String {
        switch self {
        case .text(let text): return StringEscaping.quoted(text)
        case .expression(let expression): return "{\(expression)}"
        }
    }
}

/// `-x` and `not x`.
public enum UnaryOperator: String, Sendable, Hashable {
    case negate = "-"
    case not = "not"
}

/// The binary operators, from the loosest: `or`, `and`, comparisons and `in`, `+ -`, `* / %`.
public enum BinaryOperator: String, Sendable, Hashable {
    case or, and
    case equal = "==", notEqual = "!=", less = "<", lessOrEqual = "<=", greater = ">", greaterOrEqual = ">="
    case contains = "in"
    case add = "+", subtract = "-", multiply = "*", divide = "/", remainder = "%"

    init?(_ op: Operator) {
        switch op {
        case .plus: self = .add
        case .minus: self = .subtract
        case .times: self = .multiply
        case .divide: self = .divide
        case .remainder: self = .remainder
        case .equal: self = .equal
        case .notEqual: self = .notEqual
        case .less: self = .less
        case .lessOrEqual: self = .lessOrEqual
        case .greater: self = .greater
        case .greaterOrEqual: self = .greaterOrEqual
        }
    }
}

/// One item of a multi-dimensional subscript: an index, or a `start:end` range (either bound may
/// be left out).
public enum SubscriptItem: Sendable, Hashable, CustomStringConvertible {
    case index(Expression)
    case range(start: Expression?, end: Expression?)

    public var isIndex: Bool {
        if case .index = self { return true }
        return false
    }

    public var description: String {
        switch self {
        case .index(let index): return "\(index)"
        case .range(let start, let end): return "\(start?.description ?? "_"):\(end?.description ?? "_")"
        }
    }
}
