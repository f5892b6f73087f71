/// A chat template Attune renders natively (no Jinja engine): the layouts of ChatML
/// (SmolLM2, Qwen2), Llama 3 and Zephyr (TinyLlama).
public enum ChatTemplate: Sendable, Hashable {
    /// `<|im_start|>role\ncontent<|im_end|>\n`; when the conversation has no system message and a
    /// default prompt is given, a system turn with it comes first (SmolLM2, Qwen2).
    case chatML(defaultSystemPrompt: String?)
    /// `<|begin_of_text|><|start_header_id|>role<|end_header_id|>\n\ncontent<|eot_id|>` with
    /// content trimmed (Llama 3.0 layout).
    case llama3
    /// Llama 3.1 / 3.2: like `llama3`, but always opens with a system turn
    /// `Cutting Knowledge Date: December 2023\nToday Date: <date>\n\n<system message>`. Hugging Face
    /// fills the date with today's (`strftime_now`) when it can; Attune uses `todayDate` so
    /// renderings are reproducible (the template's own fallback is "26 Jul 2024").
    case llama31(todayDate: String)
    /// `<|role|>\ncontent</s>\n` with the tokenizer's end-of-sequence token (Zephyr, TinyLlama).
    case zephyr

    /// Names accepted by `init(named:)`.
    public static let builtInNames = ["chatml", "llama3", "llama3.1", "zephyr"]

    /// The date the Llama 3.1 templates fall back to.
    public static let llama31DefaultDate = "26 Jul 2024"

    /// The template called `name` (`chatml`, `llama3`, `zephyr`; case-insensitive).
    public init(named name: String, defaultSystemPrompt: String? = nil) throws {
        switch name.lowercased() {
        case "chatml": self = .chatML(defaultSystemPrompt: defaultSystemPrompt)
        case "llama3", "llama-3": self = .llama3
        case "llama3.1", "llama3.2", "llama31": self = .llama31(todayDate: Self.llama31DefaultDate)
        case "zephyr", "tinyllama": self = .zephyr
        default: throw TokenizationError.unknownChatTemplateName(name, builtIn: Self.builtInNames)
        }
    }

    /// Recognises a model's Jinja template by its markers; ChatML templates also yield the
    /// default system prompt they insert.
    public init(detecting source: String) throws {
        if source.contains("<|start_header_id|>") && source.contains("<|eot_id|>") {
            self = source.contains("Cutting Knowledge Date") ? .llama31(todayDate: Self.llama31DefaultDate) : .llama3
        } else if source.contains("<|im_start|>") && source.contains("<|im_end|>") {
            self = .chatML(defaultSystemPrompt: Self.defaultSystemPrompt(inChatML: source))
        } else if source.contains("<|user|>") && source.contains("<|assistant|>") {
            self = .zephyr
        } else {
            throw TokenizationError.unknownChatTemplate(builtIn: Self.builtInNames)
        }
    }

    /// The name `init(named:)` accepts for this template.
    public var name: String {
        switch self {
        case .chatML: return "chatml"
        case .llama3: return "llama3"
        case .llama31: return "llama3.1"
        case .zephyr: return "zephyr"
        }
    }

    /// The token that ends a turn, or nil when it is the tokenizer's end-of-sequence token.
    public var endOfTurnToken: String? {
        switch self {
        case .chatML: return "<|im_end|>"
        case .llama3, .llama31: return "<|eot_id|>"
        case .zephyr: return nil
        }
    }

    /// The literal system turn a ChatML template writes when the conversation has none:
    /// the text between `<|im_start|>system` + newline and `<|im_end|>` inside a string literal.
    static func defaultSystemPrompt(inChatML source: String) -> String? {
        for newline in ["\n", "\\n"] {
            let opening = "<|im_start|>system" + newline
            guard let start = source.range(of: opening) else { continue }
            let rest = source[start.upperBound...]
            guard let end = rest.range(of: "<|im_end|>") else { continue }
            let prompt = String(rest[..<end.lowerBound])
            // `'<|im_start|>system\n' + message['content']` is the ordinary system turn, not a default.
            if prompt.contains("'") || prompt.contains("\"") || prompt.contains("{") { continue }
            return prompt.replacingEscapes()
        }
        return nil
    }
}

extension String {
    /// Jinja string-literal escapes (`\n`, `\t`, `\'`, `\"`, `\\`) resolved.
    fileprivate func replacingEscapes() -> String {
        var result = "", escaping = false
        for character in self {
            if escaping {
                switch character {
                case "n": result.append("\n")
                case "t": result.append("\t")
                default: result.append(character)
                }
                escaping = false
            } else if character == "\\" {
                escaping = true
            } else {
                result.append(character)
            }
        }
        return result
    }
}
