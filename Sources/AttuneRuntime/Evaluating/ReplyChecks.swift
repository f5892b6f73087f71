import Essentials
import Datasets
import Evaluation
import Foundation

/// The checks `eval` and `compare` run on every generated reply of a set, from `check=` (several
/// allowed: `check=[json, schema]`) and what the set expects. The expected answer of an example is
/// its completion / output / last assistant message, trimmed.
///
/// - `label`: the label the reply names equals the expected one (see ``ReplyLabel``): the first
///   line of the reply, or with `label=KEY` (or JSON answers with a `category`/`label` key) that
///   key of the reply's JSON object. Adds accuracy, per-class precision/recall/F1, macro-F1 and
///   the confusion matrix.
/// - `exact`: the reply equals the expected answer (whitespace runs and ends ignored).
/// - `contains`: the reply contains the expected answer (case ignored).
/// - `regex`: the pattern given with `regex="…"` matches somewhere in the reply.
/// - `json`: the whole reply is one JSON value.
/// - `schema`: json, and the object matches the schema: the file given with `schema=`, or one
///   inferred from the expected outputs (their keys, all required, no others when they all share
///   them; each key's type; a list of allowed values for a text key with few distinct values, at
///   most 12 and each seen three times on average).
/// - `item`: each record's own check, from its `check` field (`exact`, `contains` or `regex`, the
///   pattern in its `pattern` field), as the general-capability probe's items carry them.
/// - `auto` (the default): `item` when every record names its own check, `schema` when every
///   expected output is a JSON object (or `schema=` is given), else no check: the command reports
///   loss, perplexity, token accuracy and samples.
///
/// Keys with a closed set of values (an enum, or true/false) are also compared with the expected
/// output: "category 55/80 match" (field accuracy).
struct ReplyChecks {
    /// The check names `check=` accepts.
    static let names = ["auto", "none", "label", "exact", "contains", "regex", "json", "schema", "item"]
    /// The checks a record may name for itself in its `check` field (`check=item`).
    static let itemNames = ["exact", "contains", "regex"]

    /// The checks that do not depend on the expected answer (`json`, `schema`, `regex`, in order).
    var checks: [GenerationCheck]
    /// Checks against each example's expected answer: `label`, `exact`, `contains`.
    var answerChecks: [String] = []
    /// The key holding the label of JSON answers (`category`), nil for plain-text labels.
    var labelField: String?
    /// The schema the replies must match, if any.
    var schema: JSONSchema?
    /// One line on what is checked and where the schema came from.
    var summary: String
    /// Keys whose value is compared with the expected output's.
    var fields: [String]
    /// `check=item`: each example's own check, by example id (its record's `check` and `pattern`).
    var itemChecks: [String: GenerationCheck] = [:]

    /// No checks.
    static let none = ReplyChecks(checks: [], schema: nil, summary: "", fields: [])

    var isEmpty: Bool { checks.isEmpty && answerChecks.isEmpty && itemChecks.isEmpty }
    /// True when every example carries its own check (`check=item`).
    var perItem: Bool { !itemChecks.isEmpty }
    /// True when a `json` or `schema` check runs.
    var checksJSON: Bool { checks.contains { $0.name == "json" || $0.name == "schema" } }
    var checksLabel: Bool { answerChecks.contains("label") }
    /// Check names in the order they run on each reply.
    var names: [String] {
        guard perItem else { return checks.map(\.name) + answerChecks }
        return Self.itemNames.filter { name in itemChecks.values.contains { $0.name == name } }
    }

    /// Every check of the reply to example `id`, whose expected answer is `expected`: its own
    /// check under `check=item`, else the checks of the set.
    func checks(id: String, expected: String) -> [GenerationCheck] {
        if perItem { return itemChecks[id].map { [$0] } ?? [] }
        return checks(expected: expected)
    }

    /// Every check of the reply to an example whose expected answer is `expected`.
    func checks(expected: String) -> [GenerationCheck] {
        let answer = expected.trimmingCharacters(in: .whitespacesAndNewlines)
        return checks + answerChecks.map { name -> GenerationCheck in
            switch name {
            case "label": return .label(ReplyLabel.expected(answer, field: labelField) ?? "", field: labelField)
            case "exact": return .exactMatch(answer)
            default: return .contains(answer)
            }
        }
    }

    /// True when a reply whose first visible character is not `{` already fails every check
    /// (strict JSON, and no check that reads plain text): generation may stop there.
    var decidedByFirstCharacter: Bool {
        checks.contains { if case .validJSON(strict: true) = $0 { return true } else { return false } }
            && !checks.contains { $0.name == "regex" } && answerChecks.allSatisfy { $0 == "label" && labelField != nil }
    }

    /// Why `check=`, `regex=` or `label=` cannot be honoured on a set: the message and the
    /// argument to point at.
    struct Problem: Error {
        var argument: String
        var message: String
    }

    /// The checks for `targets` (the expected outputs): `modes` as `check=` lists them (`auto`
    /// alone by default), `schema` a schema read from a file (`schemaName` is how it is shown),
    /// `pattern` the `regex=` text, `labelField` the `label=` key. `ids` name the examples in
    /// messages.
    static func make(modes: [String], targets: [String], ids: [String], schema given: JSONSchema?, schemaName: String?,
                     pattern: String?, labelField: String?, items: [ItemCheck?] = []) throws(Problem) -> ReplyChecks {
        for mode in modes where !names.contains(mode) {
            let guess = suggest(mode, from: names)
            throw Problem(argument: "check", message: "unknown check '\(mode)'" + (guess.map { " — did you mean '\($0)'?" } ?? "")
                          + "; checks: label, exact, contains, regex, json, schema, item (several as check=[json, label]), auto or none")
        }
        if modes.contains("none") {
            guard modes == ["none"] else { throw Problem(argument: "check", message: "check=none runs no check, so it cannot be listed with others") }
            return .none
        }
        let everyItemNamesOne = !items.isEmpty && items.count == targets.count && items.allSatisfy { $0 != nil }
        if modes.contains("item") || (modes == ["auto"] && given == nil && pattern == nil && labelField == nil && everyItemNamesOne) {
            guard modes.count == 1 else {
                throw Problem(argument: "check", message: "check=item uses each record's own check, so it cannot be listed with others")
            }
            return try itemChecks(items, targets: targets, ids: ids)
        }
        var jsonPart = ReplyChecks.none
        let wantsSchema = modes.contains("schema") || (modes.contains("auto") && given != nil)
        if modes.contains("auto") || wantsSchema || modes.contains("json") {
            let mode = wantsSchema ? "schema" : modes.contains("json") ? "json" : "auto"
            guard let chosen = choose(mode: mode, targets: targets, schema: given, schemaName: schemaName) else {
                throw Problem(argument: "check", message: "check=schema needs a schema: the expected replies are not all JSON objects, so give schema=\"FILE\"")
            }
            jsonPart = chosen
        }
        var result = jsonPart
        if let pattern {
            do { _ = try NSRegularExpression(pattern: pattern) } catch {
                throw Problem(argument: "regex", message: "regex=\"\(pattern)\" is not a valid regular expression (NSRegularExpression syntax): "
                              + "check its brackets, parentheses and escapes")
            }
            result.checks.append(.regex(pattern))
        } else if modes.contains("regex") {
            throw Problem(argument: "check", message: "check=regex needs the pattern: give regex=\"…\", e.g. regex=\"^(positive|negative)$\"")
        }
        let parsed = targets.map { try? JSONValue.parse($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        let allObjects = !targets.isEmpty && parsed.allSatisfy { $0?.objectValue != nil }
        for name in ["label", "exact", "contains"] where modes.contains(name) || (name == "label" && labelField != nil) {
            result.answerChecks.append(name)
        }
        if result.checksLabel {
            var field = labelField
            if field == nil, allObjects {
                field = Example.labelKeys.first { key in parsed.allSatisfy { $0?[key] != nil } }
                guard field != nil else {
                    throw Problem(argument: "check", message: "check=label on JSON answers needs the key that holds the class: give label=KEY (e.g. label=category)")
                }
            }
            let missing = targets.indices.filter { (ReplyLabel.expected(targets[$0], field: field) ?? "").isEmpty }
            if !missing.isEmpty {
                let what = field.map { "no \($0) key" } ?? "an empty expected answer"
                throw Problem(argument: labelField != nil ? "label" : "check",
                              message: "check=label needs a label on every example: \(missing.count) of \(targets.count) have \(what) "
                              + "(first: \(ids.indices.contains(missing[0]) ? ids[missing[0]] : "#\(missing[0] + 1)"))"
                              + (field == nil ? "; give each example its label as the completion/output" : "; give label= a key every expected answer has"))
            }
            result.labelField = field
        }
        if result.summary.isEmpty { result.summary = result.names.joined(separator: ", ") }
        return result
    }

    /// A record's own check as written in its `check` and `pattern` fields (nil fields: not given).
    struct ItemCheck: Equatable {
        var check: String?
        var pattern: String?
    }

    /// `check=item`: every example's own check (`exact` and `contains` against its expected
    /// answer, `regex` with its `pattern`); an example without one, an unknown name or a bad
    /// pattern is an error naming the example.
    static func itemChecks(_ items: [ItemCheck?], targets: [String], ids: [String]) throws(Problem) -> ReplyChecks {
        func name(_ index: Int) -> String { ids.indices.contains(index) ? ids[index] : "#\(index + 1)" }
        var byID = [String: GenerationCheck]()
        for index in targets.indices {
            guard index < items.count, let item = items[index], let check = item.check else {
                throw Problem(argument: "check", message: "check=item needs a check on every record: \(name(index)) has no \"check\" field "
                              + "(give it \"check\": \"exact\", \"contains\" or \"regex\" with a \"pattern\")")
            }
            let answer = targets[index].trimmingCharacters(in: .whitespacesAndNewlines)
            switch check {
            case "exact": byID[ids[index]] = .exactMatch(answer)
            case "contains": byID[ids[index]] = .contains(answer)
            case "regex":
                guard let pattern = item.pattern, !pattern.isEmpty else {
                    throw Problem(argument: "check", message: "\(name(index)) has \"check\": \"regex\" but no \"pattern\" field: give the pattern its reply must match")
                }
                do { _ = try NSRegularExpression(pattern: pattern) } catch {
                    throw Problem(argument: "check", message: "\(name(index)): \"pattern\" \"\(pattern)\" is not a valid regular expression (NSRegularExpression syntax): "
                                  + "check its brackets, parentheses and escapes")
                }
                byID[ids[index]] = .regex(pattern)
            default:
                let guess = suggest(check, from: itemNames)
                throw Problem(argument: "check", message: "\(name(index)): unknown \"check\": \"\(check)\"" + (guess.map { " — did you mean '\($0)'?" } ?? "")
                              + "; a record's check is exact, contains or regex")
            }
        }
        var result = ReplyChecks(checks: [], schema: nil, summary: "", fields: [])
        result.itemChecks = byID
        let counts = itemNames.compactMap { kind -> String? in
            let n = byID.values.filter { $0.name == kind }.count
            return n > 0 ? "\(kind) \(n)" : nil
        }
        result.summary = "each example's own check (" + counts.joined(separator: ", ") + ")"
        return result
    }

    /// The JSON checks for `targets`: `mode` is `auto`, `json`, `schema` or `none`; `schema` a
    /// schema read from a file (`schemaName` is how it is shown). Nil when `schema` is asked for
    /// and there is none to give or infer.
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
