/// What is wrong with a line of a data file. Every class of problem the loader detects has a
/// kind, so tests and notebooks can count them.
public enum DataIssueKind: String, Sendable, Hashable, Codable, CaseIterable {
    /// The line is not valid UTF-8.
    case invalidUTF8 = "invalid-utf8"
    /// The line is not valid JSON.
    case invalidJSON = "invalid-json"
    /// The line is JSON but not an object (an array, a string, …).
    case notAnObject = "not-an-object"
    /// A key the format needs is absent (possibly misspelled: the message suggests the right one).
    case missingKey = "missing-key"
    /// The object matches none of the formats (no `messages`, `instruction`, `prompt` or `text`).
    case unknownFormat = "unknown-format"
    /// A value has the wrong JSON type (`content` a number, `messages` a string, …).
    case wrongType = "wrong-type"
    /// A message's role is not system, user or assistant.
    case unknownRole = "unknown-role"
    /// A conversation with no assistant message (nothing to train on).
    case noAssistantTurn = "no-assistant-turn"
    /// A conversation whose last message is not the assistant's.
    case endsWithoutAssistant = "ends-without-assistant"
    /// A conversation with no messages.
    case emptyConversation = "empty-conversation"
    /// A required text (message content, output, completion, text) is empty or only whitespace.
    case emptyContent = "empty-content"
    /// The line is in a different format from the rest of the file.
    case mixedFormat = "mixed-format"
}

/// One problem found while loading, with its exact location and a message that says how to
/// fix it. Thrown (in strict mode) or collected (in lenient mode); never dropped silently.
public struct DataIssue: Error, Sendable, Hashable, Codable, CustomStringConvertible {
    public var kind: DataIssueKind
    public var location: SourceLocation
    /// What is wrong, then what to do: "unknown key 'mesages'; did you mean 'messages'?".
    public var message: String

    public init(kind: DataIssueKind, location: SourceLocation, message: String) {
        self.kind = kind; self.location = location; self.message = message
    }

    /// `support.jsonl:3:2: error: …`, the way compilers print diagnostics.
    public var description: String { "\(location): \(message)" }
}

/// Why loading, checking or writing a data set failed as a whole.
public enum DatasetError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file cannot be read or written.
    case file(path: String, reason: String)
    /// Strict mode stopped at invalid lines (`mode=lenient` skips and reports them instead).
    case invalidLines([DataIssue])
    /// The file has no examples.
    case noExamples(path: String, skipped: Int)
    /// An argument is out of range or inconsistent (split ratios, sequence length, …).
    case invalidArgument(String)
    /// An example cannot be rendered with this tokenizer/template.
    case cannotRender(SourceLocation, String)

    public var description: String {
        switch self {
        case .file(let path, let reason):
            return "\(path): \(reason)"
        case .invalidLines(let issues):
            var lines = issues.map(\.description)
            lines.append("stopped at the first invalid line (strict mode); fix it, or load with mode=lenient to skip and list every bad line")
            return lines.joined(separator: "\n")
        case .noExamples(let path, let skipped):
            return skipped > 0
                ? "\(path): no valid examples (\(skipped) invalid lines skipped)"
                : "\(path): the file has no examples (one JSON object per line expected)"
        case .invalidArgument(let text):
            return text
        case .cannotRender(let location, let text):
            return "\(location): \(text)"
        }
    }
}
