import Essentials
import Evaluation
import Foundation

/// The automatic checks `eval` and `compare` run on every generated reply of a set, chosen from
/// what the set expects:
///
/// - when every expected output is a JSON object, the reply must be strictly valid JSON (nothing
///   around the object) matching a schema: the file given with `schema=`, or one inferred from the
///   expected outputs (their keys, all required, no others when they all share them; each key's
///   type; a list of allowed values for a text key with few distinct values, at most 12 and each
///   seen three times on average);
/// - otherwise no check: the command reports loss, perplexity, token accuracy and samples.
///
/// Keys with a closed set of values (an enum, or true/false) are also compared with the expected
/// output: "category 55/80 match".
struct ReplyChecks {
    /// The checks of each reply (`json`, then `schema`).
    var checks: [GenerationCheck]
    /// The schema the replies must match, if any.
    var schema: JSONSchema?
    /// One line on what is checked and where the schema came from.
    var summary: String
    /// Keys whose value is compared with the expected output's.
    var fields: [String]

    /// No checks.
    static let none = ReplyChecks(checks: [], schema: nil, summary: "", fields: [])

    var isEmpty: Bool { checks.isEmpty }

    /// True when a reply whose first visible character is not `{` already fails (strict JSON):
    /// generation may stop there.
    var decidedByFirstCharacter: Bool { checks.contains { if case .validJSON(strict: true) = $0 { return true } else { return false } } }

    /// Checks for `targets` (the expected outputs): `mode` is `auto`, `json`, `schema` or `none`;
    /// `schema` a schema read from a file (`schemaName` is how it is shown).
    static func choose(mode: String, targets: [String], schema given: JSONSchema?, schemaName: String?) -> ReplyChecks? {
        if mode == "none" { return ReplyChecks.none }
        let parsed = targets.map { try? JSONValue.parse($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        let objects = parsed.compactMap { node -> JSONValue? in
            if case .object? = node { return node }
            return nil
        }
        let allJSON = !targets.isEmpty && objects.count == targets.count
        if mode == "auto", given == nil, !allJSON { return ReplyChecks.none }
        if mode == "json" {
            return ReplyChecks(checks: [.validJSON(strict: true)], schema: nil,
                               summary: "strict: the whole reply must be one JSON value", fields: [])
        }
        let schema: JSONSchema
        let origin: String
        if let given {
            schema = given
            origin = "schema \(schemaName ?? "given")"
        } else if allJSON {
            let inferred = inferSchema(objects)
            schema = inferred.schema
            origin = "schema inferred from \(objects.count) expected outputs: \(inferred.description)"
        } else {
            return nil
        }
        var fields = [String]()
        let orderedKeys: [String] = {
            if case .object(let members)? = objects.first { return members.map(\.key) }
            return schema.properties.keys.sorted()
        }()
        for key in orderedKeys {
            guard let property = schema.properties[key] else { continue }
            if property.enumValues != nil || property.types == [.boolean] { fields.append(key) }
        }
        return ReplyChecks(checks: [.validJSON(strict: true), .jsonSchema(schema, strict: true)], schema: schema,
                           summary: "strict (the whole reply must be the JSON object), \(origin)", fields: fields)
    }

    /// A schema describing every object in `objects`, and that description in words.
    static func inferSchema(_ objects: [JSONValue]) -> (schema: JSONSchema, description: String) {
        var order = [String]()
        var values = [String: [JSONValue]]()
        var keySets = Set<[String]>()
        for object in objects {
            guard case .object(let members) = object else { continue }
            keySets.insert(members.map(\.key).sorted())
            for (key, value) in members {
                if values[key] == nil { order.append(key) }
                values[key, default: []].append(value)
            }
        }
        let required = order.filter { values[$0]!.count == objects.count }
        var schema = JSONSchema(types: [.object], required: required, additionalProperties: keySets.count > 1)
        var words = [String]()
        for key in order {
            let seen = values[key]!
            var types = [JSONType]()
            for value in seen {
                let type: JSONType
                switch value {
                case .null: type = .null
                case .bool: type = .boolean
                case .number: type = .number
                case .string: type = .string
                case .array: type = .array
                case .object: type = .object
                }
                if !types.contains(type) { types.append(type) }
            }
            var property = JSONSchema(types: types)
            var word = "\(key) \(types.map(\.rawValue).joined(separator: "|"))"
            if types == [.string] {
                var distinct = [JSONValue]()
                for value in seen where !distinct.contains(where: { $0.sameContent(as: value) }) { distinct.append(value) }
                if distinct.count <= 12, seen.count >= 3 * distinct.count {
                    property.enumValues = distinct
                    word = "\(key) one of \(distinct.count)"
                }
            }
            schema.properties[key] = property
            words.append(word)
        }
        var description = words.joined(separator: ", ")
        description += keySets.count > 1 ? "" : ", no other keys"
        return (schema, description)
    }

    /// How many replies hold each field with the expected value: (key, matches).
    func fieldMatches(replies: [String], targets: [String]) -> [(key: String, matches: Int)] {
        fields.map { key in
            var matches = 0
            for (reply, target) in zip(replies, targets) {
                guard let expected = try? JSONValue.parse(target.trimmingCharacters(in: .whitespacesAndNewlines)),
                      let found = ExtractedJSON.first(in: reply), found.isStrict,
                      let want = expected[key], let got = found.value[key] else { continue }
                if want.sameContent(as: got) { matches += 1 }
            }
            return (key, matches)
        }
    }
}
