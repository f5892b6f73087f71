import Tokenization

/// One training example as loaded: only its strings and where it came from, no JSON tree, so
/// that a large file stays small in memory.
public struct Example: Sendable, Hashable {
    /// The 1-based line of the source file.
    public var line: Int
    public var content: ExampleContent
    /// The value of a `category` or `label` key, when the line has one (used for balance and
    /// stratified splits).
    public var label: String?
    /// Index into `Dataset.schemas`: the line's key layout (order of keys), for consistency checks.
    public var schema: Int
    /// The strings of the line's `tags` list (`"tags": ["edge", "long"]`), in order, without
    /// repeats: evaluation results per tag, tag coverage in `data check`.
    public var tags: [String]
    /// Which file of a mixture the example comes from (see ``Dataset/mixedPaths``): 0 the loaded
    /// file, 1 the first one `data mix` added.
    public var source: Int

    public init(line: Int, content: ExampleContent, label: String? = nil, schema: Int = 0, tags: [String] = [], source: Int = 0) {
        self.line = line; self.content = content; self.label = label; self.schema = schema; self.tags = tags; self.source = source
    }

    /// Keys read as the example's label.
    public static let labelKeys = ["category", "label"]

    public var format: DataFormat { content.format }
}

/// The strings of an example in one of the four formats.
public enum ExampleContent: Sendable, Hashable {
    case chat([ChatMessage])
    case instruction(instruction: String, input: String, output: String)
    case completion(prompt: String, completion: String)
    case text(String)

    public var format: DataFormat {
        switch self {
        case .chat: return .chat
        case .instruction: return .instruction
        case .completion: return .completion
        case .text: return .text
        }
    }

    /// Every string of the example with the field it comes from (`messages[2].content`, `output`).
    public var fields: [(name: String, text: String)] {
        switch self {
        case .chat(let messages):
            return messages.enumerated().map { ("messages[\($0.offset)].content", $0.element.content) }
        case .instruction(let instruction, let input, let output):
            return [("instruction", instruction), ("input", input), ("output", output)]
        case .completion(let prompt, let completion):
            return [("prompt", prompt), ("completion", completion)]
        case .text(let text):
            return [("text", text)]
        }
    }

    /// Calls `body` with each string of the example and a closure that names its field (names
    /// are built only when asked for: scanning large sets must not allocate them).
    public func forEachField(_ body: (_ name: () -> String, _ text: String) -> Void) {
        switch self {
        case .chat(let messages):
            for (index, message) in messages.enumerated() { body({ "messages[\(index)].content" }, message.content) }
        case .instruction(let instruction, let input, let output):
            body({ "instruction" }, instruction); body({ "input" }, input); body({ "output" }, output)
        case .completion(let prompt, let completion):
            body({ "prompt" }, prompt); body({ "completion" }, completion)
        case .text(let text):
            body({ "text" }, text)
        }
    }

    /// The part a model is trained to produce: assistant turns, `output`, `completion`, or the
    /// whole text.
    public var target: String {
        switch self {
        case .chat(let messages):
            return messages.filter { $0.role == "assistant" }.map(\.content).joined(separator: "\n")
        case .instruction(_, _, let output): return output
        case .completion(_, let completion): return completion
        case .text(let text): return text
        }
    }

    /// The system prompt of a conversation, when it has one.
    public var systemPrompt: String? {
        if case .chat(let messages) = self, let first = messages.first, first.role == "system" { return first.content }
        return nil
    }

    /// The text that makes the example what it is, for duplicate detection: every field except a
    /// conversation's system prompt (most sets share one), joined with role markers.
    public var identityText: String {
        switch self {
        case .chat(let messages):
            return messages.filter { $0.role != "system" }.map { "\($0.role): \($0.content)" }.joined(separator: "\n")
        case .instruction(let instruction, let input, let output):
            return "instruction: \(instruction)\ninput: \(input)\noutput: \(output)"
        case .completion(let prompt, let completion):
            return "prompt: \(prompt)\ncompletion: \(completion)"
        case .text(let text):
            return text
        }
    }

    /// Total characters of all fields.
    public var characterCount: Int { fields.reduce(0) { $0 + $1.text.count } }
}
