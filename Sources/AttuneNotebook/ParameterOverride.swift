/// One `--param key=value` given to `attune replay`.
public struct ParameterOverride: Sendable, Equatable {
    /// The parameter name, e.g. `steps`.
    public var key: String
    /// The value exactly as it should appear in the statement, e.g. `10`, `2e-4`, `"text"`.
    public var value: String

    public init(key: String, value: String) {
        self.key = key
        self.value = value
    }

    /// Parses `key=value`.
    public static func parse(_ argument: String) throws(ParameterError) -> ParameterOverride {
        guard let equals = argument.firstIndex(of: "=") else { throw .malformed(argument) }
        let key = String(argument[..<equals]).trimmingSpaces()
        let value = String(argument[argument.index(after: equals)...]).trimmingSpaces()
        guard !key.isEmpty, !value.isEmpty, key.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "." }),
              !value.contains("\n")
        else { throw .malformed(argument) }
        return ParameterOverride(key: key, value: value)
    }

    /// The value as JSON for the front matter's `params`: a number, `true`/`false`, a quoted
    /// string decoded, a JSON list, or else the text as a string.
    var jsonValue: JSONValue {
        if let parsed = try? JSONValue.parse(value) { return parsed }
        return .string(value)
    }
}

/// Problems applying parameter overrides.
public enum ParameterError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Not `key=value`.
    case malformed(String)
    /// Neither the `parameters` cell nor the front matter's `params` has this key.
    case unknownParameter(String, known: [String], suggestion: String?)

    public var description: String {
        switch self {
        case let .malformed(text):
            return "--param expects key=value, got '\(text)'"
        case let .unknownParameter(key, known, suggestion):
            var text = "unknown parameter '\(key)'"
            if let suggestion { text += " — did you mean '\(suggestion)'?" }
            text += known.isEmpty ? " (this notebook has no parameters cell and no params)"
                                  : " (parameters: \(known.joined(separator: ", ")))"
            return text
        }
    }
}
