/// How `JSONValue.text(_:)` lays a value out.
public struct JSONStyle: Sendable, Equatable {
    /// Spaces per nesting level for multi-line output; nil writes one line.
    public var indent: Int?
    /// One line with a space after `,` and `:` (`{"a": 1, "b": [1, 2]}`); without, nothing between
    /// tokens (`{"a":1,"b":[1,2]}`). Multi-line output always writes `": "`.
    public var spaced: Bool
    /// Object members sorted by key (Python's `sort_keys=True`) rather than in stored order.
    public var sortedKeys: Bool
    /// Writes a backtick as `\u0060` (a backtick in a Markdown fence's info string would end it).
    public var escapesBacktick: Bool

    public init(indent: Int? = nil, spaced: Bool = true, sortedKeys: Bool = false, escapesBacktick: Bool = false) {
        self.indent = indent
        self.spaced = spaced
        self.sortedKeys = sortedKeys
        self.escapesBacktick = escapesBacktick
    }

    /// `{"a": 1, "b": [1, 2]}`: JSONL lines and notebook values.
    public static let compact = JSONStyle()
    /// `{"a":1,"b":[1,2]}`: metrics lines, schema messages.
    public static let minimal = JSONStyle(spaced: false)
    /// Indented, one member or element a line (Python's `json.dumps(indent=n)` layout).
    public static func pretty(indent: Int, sortedKeys: Bool = false) -> JSONStyle {
        JSONStyle(indent: indent, sortedKeys: sortedKeys)
    }
}

extension JSONValue {
    /// The value as JSON text. Strings keep non-ASCII text as UTF-8 (`quoted`); numbers print as
    /// they were read, computed ones in their shortest form (`numberText`).
    public func text(_ style: JSONStyle = .compact) -> String {
        var out = ""
        write(to: &out, style: style, level: 0)
        return out
    }

    private func write(to out: inout String, style: JSONStyle, level: Int) {
        switch self {
        case .null: out += "null"
        case .bool(let flag): out += flag ? "true" : "false"
        case .number(let value, let text): out += text ?? Self.numberText(value)
        case .string(let text): Self.writeQuoted(text, to: &out, escapingBacktick: style.escapesBacktick)
        case .array(let items):
            if items.isEmpty { out += "[]"; return }
            out += "["
            for (index, item) in items.enumerated() {
                separate(index, in: &out, style: style, level: level)
                item.write(to: &out, style: style, level: level + 1)
            }
            close("]", in: &out, style: style, level: level)
        case .object(let stored):
            if stored.isEmpty { out += "{}"; return }
            let members = style.sortedKeys ? stored.enumerated().sorted { ($0.element.key, $0.offset) < ($1.element.key, $1.offset) }.map(\.element) : stored
            out += "{"
            for (index, member) in members.enumerated() {
                separate(index, in: &out, style: style, level: level)
                Self.writeQuoted(member.key, to: &out, escapingBacktick: style.escapesBacktick)
                out += style.spaced || style.indent != nil ? ": " : ":"
                member.value.write(to: &out, style: style, level: level + 1)
            }
            close("}", in: &out, style: style, level: level)
        }
    }

    private func separate(_ index: Int, in out: inout String, style: JSONStyle, level: Int) {
        if let indent = style.indent {
            out += (index > 0 ? ",\n" : "\n") + String(repeating: " ", count: indent * (level + 1))
        } else if index > 0 {
            out += style.spaced ? ", " : ","
        }
    }

    private func close(_ bracket: String, in out: inout String, style: JSONStyle, level: Int) {
        if let indent = style.indent { out += "\n" + String(repeating: " ", count: indent * level) }
        out += bracket
    }

    /// The shortest text that reads back as the same double: whole numbers below 10¹⁵ without a
    /// fraction (`3`), others as Swift's shortest round-trip form (`0.0002`, `2e-05`, `1e+20`).
    /// NaN and infinities are not JSON and print as `null`.
    public static func numberText(_ value: Double) -> String {
        guard value.isFinite else { return "null" }
        if value.rounded() == value, abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }

    /// `text` as a JSON string literal: `"` and `\` escaped, `\n \r \t \b \f` as short escapes,
    /// other control characters and DEL as `\u00XX`; everything else (non-ASCII included) as is.
    /// The one JSON string escaper of Attune.
    public static func quoted(_ text: String, escapingBacktick: Bool = false) -> String {
        var out = ""
        writeQuoted(text, to: &out, escapingBacktick: escapingBacktick)
        return out
    }

    static func writeQuoted(_ text: String, to out: inout String, escapingBacktick: Bool) {
        out += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            case "`" where escapingBacktick: out += "\\u0060"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                let digits = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - digits.count) + digits
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }
}
