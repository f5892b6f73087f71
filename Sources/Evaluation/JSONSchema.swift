import Essentials

/// A JSON type name of JSON Schema.
public enum JSONType: String, Sendable, Codable, CaseIterable {
    case string, number, integer, boolean, array, object, null

    /// Whether a value has this type (`integer` = a number with no fractional part; every
    /// integer is also a `number`).
    func matches(_ value: JSONValue) -> Bool {
        switch (self, value) {
        case (.string, .string), (.boolean, .bool), (.array, .array), (.object, .object), (.null, .null),
             (.number, .number):
            return true
        case (.integer, .number(let x, _)): return x.isFinite && x == x.rounded()
        default: return false
        }
    }
}

/// A small subset of JSON Schema (draft 7 / 2020-12 meaning) for checking structured replies.
///
/// Supported keywords: `type` (one name or a list), `required`, `properties`, `enum`, `items` (one
/// schema for every element), `additionalProperties` (`true`/`false` only). Ignored annotations:
/// `$schema`, `$id`, `title`, `description`, `examples`, `default`. Any other keyword is an error
/// when the schema is read, so a user never believes a constraint is checked when it is not.
public struct JSONSchema: Sendable, Equatable, Codable {
    /// Allowed types; empty means any.
    public var types: [JSONType]
    /// Keys an object must have.
    public var required: [String]
    /// Schemas of named object members.
    public var properties: [String: JSONSchema]
    /// Allowed values (compared as JSON values); nil means any.
    public var enumValues: [JSONValue]?
    /// Whether keys outside `properties` are allowed (default true).
    public var additionalProperties: Bool
    private var itemStorage: [JSONSchema]

    /// Schema of every array element.
    public var items: JSONSchema? {
        get { itemStorage.first }
        set { itemStorage = newValue.map { [$0] } ?? [] }
    }

    public init(types: [JSONType] = [], required: [String] = [], properties: [String: JSONSchema] = [:],
                enumValues: [JSONValue]? = nil, items: JSONSchema? = nil, additionalProperties: Bool = true) {
        self.types = types
        self.required = required
        self.properties = properties
        self.enumValues = enumValues
        self.additionalProperties = additionalProperties
        itemStorage = items.map { [$0] } ?? []
    }

    /// Reads a schema from JSON Schema text.
    public init(json text: String) throws {
        try self.init(node: JSONValue.parse(text), path: "$")
    }

    public enum ReadError: Error, Sendable, Equatable, CustomStringConvertible {
        case notAnObject(path: String)
        case unsupportedKeyword(String, path: String)
        case badValue(keyword: String, path: String, expected: String)

        public var description: String {
            switch self {
            case .notAnObject(let path): return "schema at \(path) must be an object"
            case let .unsupportedKeyword(word, path):
                return "schema keyword '\(word)' at \(path) is not supported (supported: type, required, properties, enum, items, additionalProperties)"
            case let .badValue(keyword, path, expected): return "schema '\(keyword)' at \(path) must be \(expected)"
            }
        }
    }

    init(node: JSONValue, path: String) throws {
        guard case .object(let members) = node else { throw ReadError.notAnObject(path: path) }
        self.init()
        let ignored: Set<String> = ["$schema", "$id", "title", "description", "examples", "default"]
        for (key, value) in members {
            switch key {
            case "type":
                let names: [JSONValue]
                if case .array(let list) = value { names = list } else { names = [value] }
                types = try names.map { name in
                    guard case .string(let s) = name, let type = JSONType(rawValue: s) else {
                        throw ReadError.badValue(keyword: "type", path: path, expected: "a type name or a list of them")
                    }
                    return type
                }
            case "required":
                guard case .array(let list) = value else {
                    throw ReadError.badValue(keyword: "required", path: path, expected: "a list of keys")
                }
                required = try list.map {
                    guard case .string(let s) = $0 else {
                        throw ReadError.badValue(keyword: "required", path: path, expected: "a list of keys")
                    }
                    return s
                }
            case "properties":
                guard case .object(let props) = value else {
                    throw ReadError.badValue(keyword: "properties", path: path, expected: "an object of schemas")
                }
                for (name, schema) in props {
                    properties[name] = try JSONSchema(node: schema, path: path + "." + name)
                }
            case "enum":
                guard case .array(let list) = value else {
                    throw ReadError.badValue(keyword: "enum", path: path, expected: "a list of values")
                }
                enumValues = list
            case "items":
                items = try JSONSchema(node: value, path: path + "[]")
            case "additionalProperties":
                guard case .bool(let allowed) = value else {
                    throw ReadError.badValue(keyword: "additionalProperties", path: path, expected: "true or false")
                }
                additionalProperties = allowed
            default:
                if !ignored.contains(key) { throw ReadError.unsupportedKeyword(key, path: path) }
            }
        }
    }

    /// Every violation of the schema by `value`, each as `path: problem` (`$` is the root);
    /// empty when it conforms.
    public func violations(of value: JSONValue, path: String = "$") -> [String] {
        var problems: [String] = []
        if !types.isEmpty, !types.contains(where: { $0.matches(value) }) {
            let expected = types.map(\.rawValue).joined(separator: " or ")
            problems.append("\(path): expected \(expected), got \(Self.typeName(of: value))")
            return problems
        }
        if let enumValues, !enumValues.contains(where: { $0.sameContent(as: value) }) {
            problems.append("\(path): \(value.text(.minimal)) is not one of \(enumValues.map { $0.text(.minimal) }.joined(separator: ", "))")
        }
        if case .object(let members) = value {
            let keys = Set(members.map(\.key))
            for key in required where !keys.contains(key) {
                problems.append("\(path): missing required key \"\(key)\"")
            }
            for (key, member) in members {
                if let schema = properties[key] {
                    problems += schema.violations(of: member, path: path + "." + key)
                } else if !additionalProperties {
                    problems.append("\(path): unexpected key \"\(key)\"")
                }
            }
        }
        if case .array(let elements) = value, let items {
            for (i, element) in elements.enumerated() {
                problems += items.violations(of: element, path: "\(path)[\(i)]")
            }
        }
        return problems
    }

    static func typeName(of value: JSONValue) -> String {
        switch value {
        case .null: return "null"
        case .bool: return "boolean"
        case .number(let x, _): return x == x.rounded() ? "integer" : "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }
}
