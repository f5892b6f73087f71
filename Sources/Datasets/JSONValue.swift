/// A JSON value parsed from one JSONL line, with the byte offset where it starts so that
/// diagnostics can point at the exact column.
///
/// Objects keep their members in file order (key order is itself something `data check`
/// reports on), and numbers keep their source spelling so a rewritten line (redaction) prints
/// them exactly as they were. Booleans are never numbers: `true` and `1` are different values.
struct JSONNode: Sendable {
    var value: JSONValue
    /// Byte offset of the value's first byte within its line.
    var offset: Int
}

/// The value part of a `JSONNode`.
enum JSONValue: Sendable {
    case null
    case bool(Bool)
    /// The number's source text (`1`, `-2.5e3`) and its value.
    case number(String, Double)
    case string(String)
    case array([JSONNode])
    case object([JSONMember])

    /// A short name of the value's type for messages ("a string", "an array").
    var typeDescription: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .number: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }

    /// The string, when the value is one.
    var stringValue: String? {
        if case .string(let text) = self { return text }
        return nil
    }
}

/// One `"key": value` member of a JSON object.
struct JSONMember: Sendable {
    var key: String
    /// Byte offset of the key's opening quote within its line.
    var keyOffset: Int
    var node: JSONNode
}

extension Array where Element == JSONMember {
    /// The first member called `key`.
    func member(_ key: String) -> JSONMember? { first { $0.key == key } }
}
