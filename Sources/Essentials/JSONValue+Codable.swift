/// Codable as the JSON it stands for, so a value (a schema's `enum` list) can sit inside a
/// recorded `Codable` structure. Through a `Decoder`, object keys arrive unordered and come back
/// sorted, and numbers lose their spelling: parse with `JSONValue.parse` where either matters.
extension JSONValue: Codable {
    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public init(from decoder: Decoder) throws {
        if let object = try? decoder.container(keyedBy: Key.self) {
            self = .object(try object.allKeys.map(\.stringValue).sorted().map {
                ($0, try object.decode(JSONValue.self, forKey: Key(stringValue: $0)))
            })
            return
        }
        if var array = try? decoder.unkeyedContainer() {
            var items: [JSONValue] = []
            while !array.isAtEnd { items.append(try array.decode(JSONValue.self)) }
            self = .array(items)
            return
        }
        let single = try decoder.singleValueContainer()
        if single.decodeNil() { self = .null }
        else if let b = try? single.decode(Bool.self) { self = .bool(b) }
        else if let x = try? single.decode(Double.self) { self = .number(x) }
        else { self = .string(try single.decode(String.self)) }
    }

    public func encode(to encoder: Encoder) throws {
        switch self {
        case .null:
            var single = encoder.singleValueContainer()
            try single.encodeNil()
        case .bool(let b):
            var single = encoder.singleValueContainer()
            try single.encode(b)
        case .number(let x, _):
            var single = encoder.singleValueContainer()
            try single.encode(x)
        case .string(let s):
            var single = encoder.singleValueContainer()
            try single.encode(s)
        case .array(let items):
            var array = encoder.unkeyedContainer()
            for item in items { try array.encode(item) }
        case .object(let members):
            var object = encoder.container(keyedBy: Key.self)
            var seen = Set<String>()
            for (key, value) in members where seen.insert(key).inserted {
                try object.encode(value, forKey: Key(stringValue: key))
            }
        }
    }
}
