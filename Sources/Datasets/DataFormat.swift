/// The layouts of a training example (REFERENCE.md "Data formats").
public enum DataFormat: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
    /// `{"messages": [{"role": "system"|"user"|"assistant", "content": "…", "weight": 0|1?}, …]}`
    case chat
    /// `{"instruction": "…", "input": "…"?, "output": "…"}`
    case instruction
    /// `{"prompt": "…", "completion": "…"}`
    case completion
    /// `{"text": "…"}`
    case text

    /// The key whose presence identifies the format.
    public var signatureKey: String {
        switch self {
        case .chat: return "messages"
        case .instruction: return "instruction"
        case .completion: return "prompt"
        case .text: return "text"
        }
    }

    /// Keys the format requires.
    public var requiredKeys: [String] {
        switch self {
        case .chat: return ["messages"]
        case .instruction: return ["instruction", "output"]
        case .completion: return ["prompt", "completion"]
        case .text: return ["text"]
        }
    }

    /// Keys the format reads (required and optional).
    public var knownKeys: [String] {
        self == .instruction ? ["instruction", "input", "output"] : requiredKeys
    }

    /// Every key any format reads, plus the label keys.
    static let allKnownKeys = ["messages", "instruction", "input", "output", "prompt", "completion", "text"]
        + Example.labelKeys

    /// The format named `name` (`chat`, `conversation`, `messages`, `instruction`, `completion`, `text`).
    public init?(named name: String) {
        switch name.lowercased() {
        case "chat", "conversation", "messages": self = .chat
        case "instruction", "alpaca": self = .instruction
        case "completion", "prompt": self = .completion
        case "text", "plain": self = .text
        default: return nil
        }
    }

    public var description: String { rawValue }
}

/// Whether invalid lines stop loading or are skipped and reported.
public enum LoadMode: String, Sendable, Hashable, Codable {
    /// Stop at the first invalid line (the default: silent data loss is worse than an error).
    case strict
    /// Skip invalid lines; `Dataset.skipped` lists every one.
    case lenient
}
