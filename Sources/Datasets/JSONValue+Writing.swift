/// Printing a parsed line back as compact JSON: key order and number spellings as in the
/// source, strings escaped minimally (non-ASCII text stays as UTF-8).
extension JSONValue {
    /// Compact JSON text, `{"a":1,"b":"x"}` with `", "`/`": "` separators as JSONL files usually have.
    var jsonText: String {
        var out = ""
        write(to: &out)
        return out
    }

    func write(to out: inout String) {
        switch self {
        case .null: out += "null"
        case .bool(let flag): out += flag ? "true" : "false"
        case .number(let text, _): out += text
        case .string(let text): Self.writeString(text, to: &out)
        case .array(let elements):
            out += "["
            for (index, element) in elements.enumerated() {
                if index > 0 { out += ", " }
                element.value.write(to: &out)
            }
            out += "]"
        case .object(let members):
            out += "{"
            for (index, member) in members.enumerated() {
                if index > 0 { out += ", " }
                Self.writeString(member.key, to: &out)
                out += ": "
                member.node.value.write(to: &out)
            }
            out += "}"
        }
    }

    /// A JSON string literal for `text`.
    static func writeString(_ text: String, to out: inout String) {
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
            default:
                if scalar.value < 0x20 {
                    out += "\\u" + String(scalar.value, radix: 16).leftPadded(to: 4)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
    }

    /// `text` as a JSON string literal.
    static func quoted(_ text: String) -> String {
        var out = ""
        writeString(text, to: &out)
        return out
    }

    /// A copy with every string value (not keys) passed through `transform`.
    func mappingStrings(_ transform: (String) -> String) -> JSONValue {
        switch self {
        case .string(let text): return .string(transform(text))
        case .array(let elements):
            return .array(elements.map { JSONNode(value: $0.value.mappingStrings(transform), offset: $0.offset) })
        case .object(let members):
            return .object(members.map {
                JSONMember(key: $0.key, keyOffset: $0.keyOffset,
                           node: JSONNode(value: $0.node.value.mappingStrings(transform), offset: $0.node.offset))
            })
        default: return self
        }
    }
}
