/// A conversation rendered by a chat template and tokenized, with per-token provenance for
/// loss masking.
public struct RenderedConversation: Sendable, Hashable {
    /// The rendered template text.
    public var text: String
    /// Token ids of `text` (special tokens in it recognised).
    public var ids: [Int]
    /// For each token, the message it came from (nil: template-added text).
    public var messageIndices: [Int?]
    /// For each token, the role of its turn (nil: the beginning-of-text token).
    public var roles: [String?]
    /// For each token, whether it is a training target: assistant content and its end-of-turn
    /// token, unless the message has `weight: 0`; never headers or the generation prompt.
    public var trainable: [Bool]

    public init(text: String, ids: [Int], messageIndices: [Int?], roles: [String?], trainable: [Bool]) {
        self.text = text; self.ids = ids; self.messageIndices = messageIndices; self.roles = roles
        self.trainable = trainable
    }
}

extension ChatTemplate {
    /// Renders and tokenizes `messages` as one text (so tokens are what the model sees at
    /// inference), then gives each token the segment where its first byte lies.
    public func render(_ messages: [ChatMessage], tokenizer: any Tokenizer,
                       addGenerationPrompt: Bool = false) throws -> RenderedConversation {
        let bos = tokenizer.specialTokens.bos.flatMap(tokenizer.token(for:))
        let eos = tokenizer.specialTokens.eos.flatMap(tokenizer.token(for:))
        let segments = try self.segments(for: messages, addGenerationPrompt: addGenerationPrompt,
                                         bosToken: bos, eosToken: self == .zephyr ? eos : nil)
        var starts = [Int](), text = ""
        for segment in segments {
            starts.append(text.utf8.count)
            text += segment.text
        }
        let encoding = tokenizer.encode(text, options: EncodingOptions(parseSpecialTokens: true, addBOS: false))
        var result = RenderedConversation(text: text, ids: encoding.ids, messageIndices: [], roles: [], trainable: [])
        var current = 0
        for offset in encoding.offsets {
            while current + 1 < segments.count && (starts[current + 1] <= offset || segments[current].text.isEmpty) {
                current += 1
            }
            let segment = segments[current]
            result.messageIndices.append(segment.messageIndex)
            result.roles.append(segment.role)
            result.trainable.append(segment.isTrainable)
        }
        return result
    }
}
