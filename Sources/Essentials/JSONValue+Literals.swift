/// JSON written as Swift literals, for files Attune writes (`config.json`, reports):
/// `["name": "attune", "threads": 2, "tags": ["a", "b"], "parent": .null]`. Object literals keep
/// their written order; a value held in a variable goes in as `.string(s)`, `.int(n)`, `.number(x)`,
/// `.bool(b)`.
extension JSONValue: ExpressibleByDictionaryLiteral, ExpressibleByArrayLiteral, ExpressibleByStringLiteral,
    ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral, ExpressibleByBooleanLiteral {
    public init(dictionaryLiteral elements: (String, JSONValue)...) { self = .object(elements.map { (key: $0.0, value: $0.1) }) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .number(Double(value)) }
    public init(floatLiteral value: Double) { self = .number(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
}

extension JSONValue {
    /// A whole number (an id, a count) as a JSON number.
    public static func int(_ value: Int) -> JSONValue { .number(Double(value)) }
}

extension JSONValue {
    /// A string, or `null` when there is none (an optional field of a reply).
    public static func optional(_ value: String?) -> JSONValue { value.map { .string($0) } ?? .null }
}
