import Foundation
import Tokenization

extension LoadedModel {
    /// Token ids that end a reply: eos and the template's end-of-turn token.
    public var stopTokens: Set<Int> {
        var stops = Set<Int>()
        if let eos = tokenizer.specialTokens.eos { stops.insert(eos) }
        if let marker = chatTemplate?.endOfTurnToken, let id = tokenizer.id(for: marker) { stops.insert(id) }
        return stops
    }

    /// Generates the assistant's reply to `messages` (rendered with the chat template and its
    /// generation prompt). `onText` receives decoded text as tokens arrive.
    public func reply(to messages: [ChatMessage], maxTokens: Int = 128, sampling: SamplingOptions = SamplingOptions(),
                      onText: (String) -> Bool = { _ in true }) throws -> (text: String, result: GenerationResult) {
        guard let template = chatTemplate else {
            throw TokenizationError.unknownChatTemplate(builtIn: ChatTemplate.builtInNames)
        }
        let rendered = try template.render(messages, tokenizer: tokenizer, addGenerationPrompt: true)
        return try complete(promptIDs: rendered.ids, maxTokens: maxTokens, sampling: sampling, onText: onText)
    }

    /// Continues raw text (no template).
    public func complete(_ prompt: String, maxTokens: Int = 64, sampling: SamplingOptions = SamplingOptions(),
                         onText: (String) -> Bool = { _ in true }) throws -> (text: String, result: GenerationResult) {
        try complete(promptIDs: tokenizer.encode(prompt), maxTokens: maxTokens, sampling: sampling, onText: onText)
    }

    func complete(promptIDs: [Int], maxTokens: Int, sampling: SamplingOptions,
                  onText: (String) -> Bool) throws -> (text: String, result: GenerationResult) {
        var decoder = StreamingDecoder(tokenizer: tokenizer, skipSpecialTokens: true)
        var text = ""
        let result = try model.generate(prompt: promptIDs, maxTokens: maxTokens, sampling: sampling, stopTokens: stopTokens) { token in
            let piece = decoder.push(token)
            text += piece
            return piece.isEmpty || onText(piece)
        }
        let tail = decoder.finish()
        if !tail.isEmpty { text += tail; _ = onText(tail) }
        return (text, result)
    }
}
