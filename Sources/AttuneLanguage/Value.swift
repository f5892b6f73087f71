/// An argument value as written, typed, with its source span and exact text.
public struct Value: Sendable, Hashable, CustomStringConvertible {
    /// The kinds of value the language has.
    public enum Kind: Sendable, Hashable {
        /// `42`, `-1`, `0.9`, `2e-4`, `1_000`.
        case number(Double)
        /// `90%`, holding 90 (see `Value.fraction` for 0.9).
        case percent(Double)
        /// `"text"` or `'text'`, escapes decoded.
        case string(String)
        /// `true` or `false`.
        case bool(Bool)
        /// A bare word: `cosine`, `q_proj`, `all-linear`, `smollm2`, or a result name like `base`.
        case identifier(String)
        /// `[a, b, 1e-4]`; items may be lists themselves.
        case list([Value])
        /// `(4, 8)`: a parenthesised group, for shapes and pairs.
        case tuple([Value])
        /// A dotted, indexed or wildcard path: `layers.0.attn.q_proj.lora_B[0:4, :8]`, `val[0:5]`, `layers.*`.
        case path(TensorPath)
        /// `(base_lr * 2)` or `"run-{lr}"`: an expression the interpreter evaluates before the
        /// command runs.
        case expression(Expression)
    }

    public let kind: Kind
    public let range: SourceRange
    /// The exact source text of the value (for a string, with its quotes).
    public let text: String

    public init(_ kind: Kind, range: SourceRange, text: String) {
        self.kind = kind
        self.range = range
        self.text = text
    }

    /// The number, if the value is a plain number (not a percentage).
    public var number: Double? {
        if case .number(let value) = kind { return value }
        return nil
    }

    /// The number as an `Int`, if it is a plain number with no fractional part that fits.
    public var integer: Int? {
        guard let value = number, value == value.rounded(), abs(value) < 9e18 else { return nil }
        return Int(value)
    }

    /// The percentage as written (90 for `90%`).
    public var percent: Double? {
        if case .percent(let value) = kind { return value }
        return nil
    }

    /// A proportion: `0.9` as written, or `90%` divided by 100.
    public var fraction: Double? {
        switch kind {
        case .number(let value): return value
        case .percent(let value): return value / 100
        default: return nil
        }
    }

    public var string: String? {
        if case .string(let value) = kind { return value }
        return nil
    }

    public var bool: Bool? {
        if case .bool(let value) = kind { return value }
        return nil
    }

    public var identifier: String? {
        if case .identifier(let value) = kind { return value }
        return nil
    }

    /// The items of a list or a tuple.
    public var elements: [Value]? {
        switch kind {
        case .list(let items), .tuple(let items): return items
        default: return nil
        }
    }

    /// The value as a tensor path: a path, or a bare word taken as a one-name path.
    public var path: TensorPath? {
        switch kind {
        case .path(let path): return path
        case .identifier(let name): return TensorPath([.name(name)])
        default: return nil
        }
    }

    /// Text for a file name or a free-form word: a string's contents, or the source text of a
    /// word or path (so `data load "a.jsonl"` and `model load smollm2` both give a name).
    public var word: String? {
        switch kind {
        case .string(let value): return value
        case .identifier(let value): return value
        case .path: return text
        default: return nil
        }
    }

    /// The kind in words, for messages such as "expected a number, got a string".
    public var kindDescription: String {
        switch kind {
        case .number: return "a number"
        case .percent: return "a percentage"
        case .string: return "a string"
        case .bool: return "true or false"
        case .identifier: return "a name"
        case .list: return "a list"
        case .tuple: return "a tuple"
        case .path: return "a tensor path"
        case .expression: return "an expression"
        }
    }

    /// A canonical rendering with the kind spelled out, e.g. `num:0.0002` or `[id:q_proj, id:v_proj]`;
    /// used by `Statement.treeDescription` and in tests.
    public var description: String {
        switch kind {
        case .number(let value): return "num:" + NumberFormatting.text(value)
        case .percent(let value): return "pct:" + NumberFormatting.text(value) + "%"
        case .string(let value): return "str:" + StringEscaping.quoted(value)
        case .bool(let value): return "bool:\(value)"
        case .identifier(let name): return "id:" + name
        case .list(let items): return "[" + items.map(\.description).joined(separator: ", ") + "]"
        case .tuple(let items): return "(" + items.map(\.description).joined(separator: ", ") + ")"
        case .path(let path): return "path:\(path)"
        case .expression(let expression): return "expr:\(expression)"
        }
    }
}
