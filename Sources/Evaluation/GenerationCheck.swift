import Essentials
import Foundation

/// A length limit on a reply, in characters or words (whitespace-separated).
public struct LengthLimit: Sendable, Equatable, Codable {
    public enum Unit: String, Sendable, Codable { case characters, words }
    public var unit: Unit
    public var minimum: Int?
    public var maximum: Int?

    public init(unit: Unit, minimum: Int? = nil, maximum: Int? = nil) {
        self.unit = unit
        self.minimum = minimum
        self.maximum = maximum
    }
}

/// One automatic check of a generated reply.
public enum GenerationCheck: Sendable, Equatable, Codable {
    /// The reply equals the expected text after normalisation.
    case exactMatch(String, normalization: TextNormalization = .whitespace)
    /// The reply contains the text.
    case contains(String, caseSensitive: Bool = false)
    /// The pattern (NSRegularExpression syntax) matches somewhere in the reply; anchor it with
    /// `^…$` to match the whole reply.
    case regex(String)
    /// The reply is JSON. `strict`: the whole reply must be JSON; otherwise JSON wrapped in prose
    /// or a ``` fence also passes (the detail still says it was not strictly valid).
    case validJSON(strict: Bool = true)
    /// The reply's JSON matches the schema (strictness as for `validJSON`).
    case jsonSchema(JSONSchema, strict: Bool = true)
    /// The reply's length lies within the limit.
    case length(LengthLimit)
    /// The label the reply names (see ``ReplyLabel``: a JSON key's value with `field`, else the
    /// first line) equals the expected label, ignoring case and surrounding whitespace.
    case label(String, field: String? = nil)

    /// Short name for tables: `exact`, `contains`, `regex`, `json`, `schema`, `length`, `label`.
    public var name: String {
        switch self {
        case .exactMatch: return "exact"
        case .contains: return "contains"
        case .regex: return "regex"
        case .validJSON: return "json"
        case .jsonSchema: return "schema"
        case .length: return "length"
        case .label: return "label"
        }
    }

    /// Runs the check on a reply.
    public func evaluate(_ reply: String) -> CheckOutcome {
        switch self {
        case let .exactMatch(expected, normalization):
            let passed = normalization.apply(reply) == normalization.apply(expected)
            return outcome(passed, passed ? "matches" : "expected \(Self.quote(expected)), got \(Self.quote(reply))")
        case let .contains(needle, caseSensitive):
            let found = caseSensitive ? reply.contains(needle) : reply.lowercased().contains(needle.lowercased())
            return outcome(found, found ? "contains \(Self.quote(needle))" : "does not contain \(Self.quote(needle))")
        case .regex(let pattern):
            guard let expression = try? NSRegularExpression(pattern: pattern) else {
                return outcome(false, "invalid regular expression \(Self.quote(pattern))")
            }
            let range = NSRange(reply.startIndex..., in: reply)
            let found = expression.firstMatch(in: reply, range: range) != nil
            return outcome(found, found ? "matches /\(pattern)/" : "does not match /\(pattern)/")
        case .validJSON(let strict):
            return jsonOutcome(reply, strict: strict) { _ in [] }
        case let .jsonSchema(schema, strict):
            return jsonOutcome(reply, strict: strict) { schema.violations(of: $0) }
        case .length(let limit):
            let count = limit.unit == .characters ? reply.count
                : reply.split(whereSeparator: { $0.isWhitespace }).count
            let unit = limit.unit.rawValue
            if let minimum = limit.minimum, count < minimum {
                return outcome(false, "\(count) \(unit), fewer than \(minimum)")
            }
            if let maximum = limit.maximum, count > maximum {
                return outcome(false, "\(count) \(unit), more than \(maximum)")
            }
            return outcome(true, "\(count) \(unit)")
        case let .label(expected, field):
            let what = field.map { "\($0) " } ?? "label "
            guard let got = ReplyLabel.read(reply, field: field) else {
                return outcome(false, field == nil ? "no label in the reply (it is empty)"
                               : "no \(field!) in the reply (it must be one JSON object holding the key)")
            }
            let passed = ClassificationMetrics.canonical(got) == ClassificationMetrics.canonical(expected)
            return outcome(passed, passed ? what + Self.quote(got) : "expected \(what)\(Self.quote(expected)), got \(Self.quote(got))")
        }
    }

    private func jsonOutcome(_ reply: String, strict: Bool, violations: (JSONValue) -> [String]) -> CheckOutcome {
        guard let found = ExtractedJSON.first(in: reply) else {
            var reason = "no JSON object in the reply"
            let trimmed = reply.trimmingWhitespace
            do { _ = try JSONValue.parse(trimmed) } catch { reason += " (\(error.replyDescription(in: trimmed)))" }
            return outcome(false, reason)
        }
        let problems = violations(found.value)
        let wrapper = found.placement == .fenced ? "a ``` fence" : "prose"
        if !found.isStrict && strict {
            return outcome(false, "JSON is wrapped in \(wrapper): not strictly valid"
                           + (problems.isEmpty ? "" : "; " + problems.joined(separator: "; ")), strictlyValid: false)
        }
        if !problems.isEmpty {
            return outcome(false, problems.joined(separator: "; "), strictlyValid: found.isStrict)
        }
        let note = found.isStrict ? "valid JSON" : "JSON extracted from \(wrapper) (not strictly valid)"
        return outcome(true, note + (self.name == "schema" ? ", matches the schema" : ""), strictlyValid: found.isStrict)
    }

    private func outcome(_ passed: Bool, _ detail: String, strictlyValid: Bool? = nil) -> CheckOutcome {
        CheckOutcome(check: name, passed: passed, detail: detail, strictlyValidJSON: strictlyValid)
    }

    static func quote(_ text: String, limit: Int = 60) -> String {
        let short = text.count > limit ? String(text.prefix(limit)) + "…" : text
        return "\"" + short.replacingOccurrences(of: "\n", with: "\\n") + "\""
    }
}

/// The result of one check on one reply.
public struct CheckOutcome: Sendable, Equatable, Codable {
    /// The check's short name (`exact`, `contains`, …).
    public var check: String
    public var passed: Bool
    /// One short phrase: why it passed or failed.
    public var detail: String
    /// For JSON checks: whether the whole reply was JSON (nil for other checks).
    public var strictlyValidJSON: Bool?
}
