import Essentials
import Evaluation

/// A JSON Schema (the subset `eval` checks) compiled for constrained decoding: which kinds of
/// value it admits, its enum values as the exact bytes a reply must spell, its members with their
/// keys as JSON-escaped bytes, and the length of its shortest matching JSON text (`minLength`),
/// which decoding uses to close the document before `max_tokens` runs out.
final class SchemaNode: Sendable {
    struct Kinds: OptionSet, Sendable {
        let rawValue: Int
        static let object = Kinds(rawValue: 1), array = Kinds(rawValue: 2), string = Kinds(rawValue: 4), number = Kinds(rawValue: 8)
        static let integer = Kinds(rawValue: 16), boolean = Kinds(rawValue: 32), null = Kinds(rawValue: 64)
        static let any: Kinds = [.object, .array, .string, .number, .integer, .boolean, .null]
    }

    struct Member: Sendable {
        /// The key as it appears between the quotes (JSON-escaped UTF-8).
        var key: [UInt8]
        var schema: SchemaNode
        var required: Bool
        /// `"key":` plus the shortest value.
        var minLength: Int { key.count + 3 + schema.minLength }
    }

    let kinds: Kinds
    /// The values allowed, as compact JSON bytes (nil: any value of `kinds`).
    let enumTexts: [[UInt8]]?
    let members: [Member]
    /// Whether keys outside `members` are allowed (their values: any JSON).
    let additionalProperties: Bool
    /// Schema of array elements.
    let items: SchemaNode?
    /// Bytes of the shortest JSON text this schema admits.
    let minLength: Int

    /// Any JSON value.
    static let any = SchemaNode(kinds: .any, enumTexts: nil, members: [], additionalProperties: true, items: nil)

    private init(kinds: Kinds, enumTexts: [[UInt8]]?, members: [Member], additionalProperties: Bool, items: SchemaNode?) {
        self.kinds = kinds; self.enumTexts = enumTexts; self.members = members
        self.additionalProperties = additionalProperties; self.items = items
        if let enumTexts {
            minLength = enumTexts.map(\.count).min() ?? Int.max / 4
        } else {
            var best = Int.max / 4
            if !kinds.isDisjoint(with: [.number, .integer]) { best = 1 }
            else if kinds.contains(.string) || kinds.contains(.array) { best = 2 }
            else if !kinds.isDisjoint(with: [.boolean, .null]) { best = 4 }
            if kinds.contains(.object) {
                let required = members.filter(\.required)
                best = min(best, 2 + required.map(\.minLength).reduce(0, +) + max(required.count - 1, 0))
            }
            minLength = best
        }
    }

    /// Compiles `schema`; throws when no JSON value can match it (an empty enum, enum values of
    /// none of the allowed types, a required key that `additionalProperties: false` forbids…).
    convenience init(_ schema: JSONSchema, path: String = "$") throws {
        var kinds = Kinds()
        for type in schema.types {
            switch type {
            case .object: kinds.insert(.object)
            case .array: kinds.insert(.array)
            case .string: kinds.insert(.string)
            case .number: kinds.insert(.number)
            case .integer: kinds.insert(.integer)
            case .boolean: kinds.insert(.boolean)
            case .null: kinds.insert(.null)
            }
        }
        if kinds.isEmpty { kinds = .any }
        var enumTexts: [[UInt8]]?
        if let values = schema.enumValues {
            let allowed = values.filter { schema.types.isEmpty || schema.violations(of: $0).isEmpty }
            guard !allowed.isEmpty else { throw SchemaCompileError("\(path): no value of 'enum' has an allowed type, so no reply can match") }
            enumTexts = allowed.map { Array($0.text(.compact).utf8) }
        }
        var members = [Member]()
        for name in schema.properties.keys.sorted() {
            members.append(Member(key: Self.escaped(name), schema: try SchemaNode(schema.properties[name]!, path: "\(path).\(name)"),
                                  required: schema.required.contains(name)))
        }
        for name in schema.required where schema.properties[name] == nil {
            guard schema.additionalProperties else {
                throw SchemaCompileError("\(path): '\(name)' is required but 'additionalProperties' is false and it is not in 'properties'")
            }
            members.append(Member(key: Self.escaped(name), schema: .any, required: true))
        }
        let items = try schema.items.map { try SchemaNode($0, path: "\(path)[]") }
        self.init(kinds: kinds, enumTexts: enumTexts, members: members, additionalProperties: schema.additionalProperties, items: items)
        guard minLength < Int.max / 4 else { throw SchemaCompileError("\(path): no JSON value matches this schema") }
    }

    /// A key's bytes between its quotes, escaped as the compact writer escapes it.
    static func escaped(_ key: String) -> [UInt8] {
        let quoted = Array(JSONValue.string(key).text(.compact).utf8)
        return Array(quoted.dropFirst().dropLast())
    }
}

/// A `response_format` schema decoding cannot honour; the message says why.
struct SchemaCompileError: Error, CustomStringConvertible, Sendable {
    var message: String
    init(_ message: String) { self.message = message }
    var description: String { message }
}
