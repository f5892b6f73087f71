/// A JSON value that keeps the order of object keys.
///
/// Notebook files are diffed line by line, so every JSON text Attune writes must come out the same
/// way each time: objects keep their keys in insertion order and numbers print in their shortest
/// round-tripping form. Foundation's `JSONSerialization` gives neither guarantee (and cannot tell
/// `true` from `1` on Linux), hence this small value type with its own parser and printer.
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    /// Key-value pairs in file order. Duplicate keys are kept as read; lookups take the first.
    case object([(key: String, value: JSONValue)])

    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case let (.bool(a), .bool(b)): return a == b
        case let (.number(a), .number(b)): return a == b || (a.isNaN && b.isNaN)
        case let (.string(a), .string(b)): return a == b
        case let (.array(a), .array(b)): return a == b
        case let (.object(a), .object(b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        default: return false
        }
    }

    /// The value for `key` when this is an object.
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
        if case let .number(d) = self { return d }
        return nil
    }

    /// The numeric payload as an integer, if this is a whole number that fits.
    public var intValue: Int? {
        guard case let .number(d) = self, d.rounded() == d, abs(d) < 9.0e15 else { return nil }
        return Int(d)
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
}
