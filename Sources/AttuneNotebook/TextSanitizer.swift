import Foundation

/// Replaces run-dependent text (times, durations, ETAs, dates) before outputs are compared.
///
/// Built-in rules come first, then the notebook's own `verify.sanitize` rules, applied to both the
/// recorded and the replayed text.
public struct TextSanitizer: Sendable {
    /// Built-in rules: ISO timestamps, clock times, `ETA …`, durations like `12.3 s`, `450 ms`,
    /// `1m 20s`, `0:12` after "elapsed", and `… tokens/s` rates.
    public static let builtIn: [Sanitizer] = [
        Sanitizer(regex: #"\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?"#, replace: "<DATE>"),
        Sanitizer(regex: #"\bETA:?\s*(\d+:)?\d+:\d+"#, replace: "ETA <TIME>"),
        Sanitizer(regex: #"\bETA:?\s*(\d+(\.\d+)?\s*(h|m|min|s|ms)\s*)+"#, replace: "ETA <TIME> "),
        Sanitizer(regex: #"\b\d+(\.\d+)?\s*(tokens/s|tok/s|it/s|s/it|steps/s)"#, replace: "<RATE>"),
        Sanitizer(regex: #"\b(\d+h\s*)?\d+m\s*\d+(\.\d+)?s\b"#, replace: "<TIME>"),
        Sanitizer(regex: #"\b\d+(\.\d+)?\s?(ms|µs|us|ns|s|sec|secs|seconds|min|minutes)\b"#, replace: "<TIME>"),
        Sanitizer(regex: #"\b(elapsed|took|in)\s+\d+:\d{2}(:\d{2})?"#, replace: "$1 <TIME>"),
    ]

    private let rules: [(NSRegularExpression, String)]
    /// Rules that did not compile, with the reason (reported once by the verifier).
    public let invalidRules: [String]

    /// The built-in rules (unless `includeBuiltIn` is false) followed by `custom`.
    public init(custom: [Sanitizer], includeBuiltIn: Bool = true) {
        var rules: [(NSRegularExpression, String)] = []
        var invalid: [String] = []
        for rule in (includeBuiltIn ? Self.builtIn : []) + custom {
            do {
                rules.append((try NSRegularExpression(pattern: rule.regex), rule.replace))
            } catch {
                invalid.append("sanitizer regex \(JSONValue.quote(rule.regex)) does not compile")
            }
        }
        self.rules = rules
        self.invalidRules = invalid
    }

    /// `text` with every rule applied in order.
    public func apply(_ text: String) -> String {
        var result = text
        for (regex, template) in rules {
            let range = NSRange(result.startIndex..., in: result)
            result = regex.stringByReplacingMatches(in: result, range: range, withTemplate: template)
        }
        return result
    }
}
