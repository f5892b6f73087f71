/// A problem with tokenizer inputs or a chat template, described for the person who caused it.
public enum TokenizationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A tokenizer file or metadata field is missing, malformed or inconsistent.
    case invalidTokenizer(String)
    /// The tokenizer model type (e.g. `WordPiece`, GGUF `bert`) is not supported.
    case unsupportedModel(String)
    /// The pre-tokenizer (a regex or a GGUF `tokenizer.ggml.pre` name) is not one Attune knows.
    case unsupportedPreTokenizer(String)
    /// The chat template text matches none of the built-in templates.
    case unknownChatTemplate(builtIn: [String])
    /// A template was chosen by a name that is not built in.
    case unknownChatTemplateName(String, builtIn: [String])
    /// A conversation the template cannot render (e.g. an unknown role for Zephyr).
    case invalidConversation(String)

    public var description: String {
        switch self {
        case .invalidTokenizer(let detail):
            return "invalid tokenizer: \(detail)"
        case .unsupportedModel(let model):
            return "unsupported tokenizer model '\(model)' (supported: byte-level BPE, SentencePiece-style BPE with byte fallback)"
        case .unsupportedPreTokenizer(let what):
            return "unsupported pre-tokenizer \(what) (supported: \(PreTokenizer.allCases.map(\.rawValue).joined(separator: ", ")))"
        case .unknownChatTemplate(let names):
            return "the model's chat template is not one Attune recognises; choose a built-in template by name: \(names.joined(separator: ", "))"
        case .unknownChatTemplateName(let name, let names):
            return "unknown chat template '\(name)'; built-in templates: \(names.joined(separator: ", "))"
        case .invalidConversation(let detail):
            return "cannot render conversation: \(detail)"
        }
    }
}
