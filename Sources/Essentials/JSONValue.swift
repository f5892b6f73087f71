/// A JSON value that keeps the order of object keys and the spelling of numbers it was read with.
///
/// The one JSON type of Attune: notebooks, JSONL data, model replies and PEFT configs all read and
/// write through it (`JSONValue.parse`, `text(_:)`). Objects keep their members in file order, so a
/// file read and written again diffs cleanly; a number read from text keeps that text, so a rewritten
/// line (data redaction, a PEFT config saved back) prints `1.50` or `2e-5` exactly as they were,
/// while a computed number prints in its shortest round-tripping form. Booleans are never numbers:
/// `true` and `1` are different values (Foundation's `JSONSerialization` cannot tell on Linux).
public enum JSONValue: Sendable {
    case null
    case bool(Bool)
    /// The value, and the source spelling when it was parsed (`1.50`, `-2e3`); nil for computed
    /// numbers, which print shortest (`JSONValue.numberText`).
    case number(Double, text: String? = nil)
    case string(String)
    case array([JSONValue])
    /// Key-value pairs in file order. Duplicate keys are kept as read; lookups take the first.
    case object([(key: String, value: JSONValue)])

    /// The value for `key` when this is an object (the first member with that key).
    public subscript(key: String) -> JSONValue? {
        guard case let .object(pairs) = self else { return nil }
        return pairs.first { $0.key == key }?.value
    }

    /// The string payload, if this is a string.
    public var stringValue: String? {
        if case let .string(s) = self { return s }
        return nil
    }

    /// The numeric payload, if this is a number.
    public var doubleValue: Double? {
        if case let .number(d, _) = self { return d }
        return nil
    }

    /// The numeric payload as an integer, if this is a whole number that fits exactly.
    public var intValue: Int? {
        guard case let .number(d, _) = self, d.rounded() == d, abs(d) < 9.0e15 else { return nil }
        return Int(d)
    }

    /// The boolean payload, if this is a boolean.
    public var boolValue: Bool? {
        if case let .bool(b) = self { return b }
        return nil
    }

    /// The elements, if this is an array.
    public var arrayValue: [JSONValue]? {
        if case let .array(a) = self { return a }
        return nil
    }

    /// The pairs, if this is an object.
    public var objectValue: [(key: String, value: JSONValue)]? {
        if case let .object(o) = self { return o }
        return nil
    }

    /// A short name of the value's type for messages: "null", "a boolean", "a number", "a string",
    /// "an array", "an object".
    public var typeDescription: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .number: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }

    /// Returns a copy of this object with `key` set to `value`: replaced in place when present,
    /// appended otherwise. A non-object becomes a one-key object.
    public func setting(_ key: String, to value: JSONValue) -> JSONValue {
        var pairs = objectValue ?? []
        if let index = pairs.firstIndex(where: { $0.key == key }) {
            pairs[index].value = value
        } else {
            pairs.append((key, value))
        }
        return .object(pairs)
    }

    /// A copy with every string value (not keys) passed through `transform`; numbers keep their
    /// spelling, objects their key order.
    public func mappingStrings(_ transform: (String) -> String) -> JSONValue {
        switch self {
        case .string(let text): return .string(transform(text))
        case .array(let elements): return .array(elements.map { $0.mappingStrings(transform) })
        case .object(let members): return .object(members.map { ($0.key, $0.value.mappingStrings(transform)) })
        default: return self
        }
    }

    /// Whether both hold the same data with object members compared as sets (key order ignored),
    /// as JSON Schema's `enum` and expected-reply checks compare values. `==` also compares order.
    public func sameContent(as other: JSONValue) -> Bool {
        switch (self, other) {
        case let (.array(a), .array(b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.sameContent(as: $1) }
        case let (.object(a), .object(b)):
            guard a.count == b.count else { return false }
            return a.allSatisfy { pair in b.first { $0.key == pair.key }.map { $0.value.sameContent(as: pair.value) } ?? false }
        default:
            return self == other
        }
    }
}

extension JSONValue: Equatable {
    /// Structural equality in order: numbers by value (their spelling aside, NaN equal to NaN),
    /// objects member by member in order.
    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case let (.bool(a), .bool(b)): return a == b
        case let (.number(a, _), .number(b, _)): return a == b || (a.isNaN && b.isNaN)
        case let (.string(a), .string(b)): return a == b
        case let (.array(a), .array(b)): return a == b
        case let (.object(a), .object(b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        default: return false
        }
    }
}
