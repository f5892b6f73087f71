import Foundation
import Models
import Tokenization

/// Turns a request's input into prompt token ids, as `generate` does: chat messages through the
/// model's chat template with the assistant header appended, plain text encoded as is. Reads
/// only the tokenizer and template (both thread-safe), so handlers check prompts before they
/// queue for the engine.
struct PromptRenderer: Sendable {
    let tokenizer: any Tokenizer
    let template: ChatTemplate?
    /// The model's context length (prompt and reply together).
    let contextLength: Int
    /// Token ids that end a reply (eos, the template's end of turn).
    let stopTokens: Set<Int>

    init(_ loaded: LoadedModel) {
        tokenizer = loaded.tokenizer
        template = loaded.chatTemplate
        contextLength = loaded.model.config.maxPositionEmbeddings
        stopTokens = loaded.stopTokens
    }

    /// The prompt's token ids.
    func ids(for input: GenerationRequest.Input) throws -> [Int] {
        let ids: [Int]
        switch input {
        case .chat(let messages):
            guard let template else {
                throw APIError.invalid("The model has no chat template the server knows (\(ChatTemplate.builtInNames.joined(separator: ", "))); "
                                       + "use POST /v1/completions with a plain prompt", param: "messages", code: "no_chat_template")
            }
            do { ids = try template.render(messages, tokenizer: tokenizer, addGenerationPrompt: true).ids } catch {
                throw APIError.invalid("The messages do not fit the chat template: \(error)", param: "messages")
            }
        case .text(let text):
            ids = tokenizer.encode(text)
        }
        guard !ids.isEmpty else { throw APIError.invalid("The prompt is empty after tokenization", param: "prompt") }
        return ids
    }

    /// The number of new tokens to generate: the request's `max_tokens` (checked against the
    /// server's limit and the room left in the context) or the server's default, cut to the room.
    func maxNewTokens(requested: Int?, promptTokens: Int, limits: ServerLimits) throws -> Int {
        let promptLimit = min(limits.maxPromptTokens ?? contextLength - 1, contextLength - 1)
        guard promptTokens <= promptLimit else {
            throw APIError.invalid("The prompt has \(promptTokens) tokens; this server takes at most \(promptLimit) "
                                   + "(the model's context is \(contextLength) tokens). Shorten the messages.",
                                   param: "messages", code: "context_length_exceeded")
        }
        let room = contextLength - promptTokens
        guard let requested else { return min(limits.defaultMaxTokens, room) }
        guard requested <= limits.maxTokens else {
            throw APIError.invalid("'max_tokens' is \(requested); this server allows at most \(limits.maxTokens) (--max-tokens)", param: "max_tokens")
        }
        guard requested <= room else {
            throw APIError.invalid("The model's context is \(contextLength) tokens: the prompt has \(promptTokens) and 'max_tokens' asks for "
                                   + "\(requested) more; ask for at most \(room)", param: "max_tokens", code: "context_length_exceeded")
        }
        return requested
    }
}
