import AttuneLanguage
import Foundation
import Models
import Tokenization

/// `generate "PROMPT" [max= temperature= top_p= top_k= chat=]`: text from the current model
/// (with the run's adapter, when one is trained), streamed as it comes.
struct GenerateCommand: RuntimeCommand {
    let spec = StandardSpec.named("generate")
    let schema = ArgumentSchema([
        .positional("prompt", .text, "the prompt, in quotes"),
        .keyed("max", .integer(.closed(1, 100_000)), default: "64", "most new tokens"),
        .keyed("temperature", .number(.nonNegative), default: "0", "0 is greedy; higher is more random"),
        .keyed("top_p", .number(NumericRange(lower: 0, lowerInclusive: false, upper: 1)), default: "1", "nucleus sampling threshold"),
        .keyed("top_k", .integer(.nonNegative), default: "0", "sample among the k most likely (0 = all)"),
        .keyed("chat", .bool, default: "true", "wrap the prompt as a user turn in the chat template"),
    ])
    let help = CommandHelp("""
        Generates a reply (chat=true: the prompt is a user message rendered with the model's chat template) \
        or a continuation (chat=false), token by token with a KV cache, stopping at the end-of-turn token. \
        temperature=0 is greedy and reproducible; sampling draws from the session seed. With a trained \
        adapter the tuned model answers.
        """, examples: ["generate \"My API calls are returning 429 errors\" max=64 temperature=0",
                        "generate \"Once upon a time\" chat=false temperature=0.8 top_p=0.9"])

    func run(_ context: CommandContext) throws {
        let a = context.arguments
        guard let prompt = a.word("prompt") else { return }
        guard let loaded = context.session.model else { throw CommandError.noModel("generate") }
        guard let engine = loaded.engine else {
            throw CommandError("NotAvailable", "`generate` needs a tokenizer; model \(loaded.name) has \(loaded.tokenizerSummary)")
        }
        let sampling = SamplingOptions(temperature: Float(a.number("temperature") ?? 0), topK: a.integer("top_k") ?? 0,
                                       topP: Float(a.number("top_p") ?? 1), seed: context.session.seed)
        let maxTokens = a.integer("max") ?? 64
        let chat = a.bool("chat") ?? true
        context.session.training?.adapter?.setTraining(false)
        defer { context.session.training?.adapter?.setTraining(true) }
        var live = ""
        let onText: (String) -> Bool = { piece in
            live += piece
            if let newline = live.lastIndex(of: "\n") {
                context.progress(String(live[..<newline]))
                live = String(live[live.index(after: newline)...])
            }
            return !context.shouldStop
        }
        let text: String, result: GenerationResult
        do {
            if chat {
                guard engine.chatTemplate != nil else {
                    throw CommandError("NotAvailable", "model \(loaded.name) has no chat template Attune knows; use chat=false for a plain continuation")
                }
                (text, result) = try engine.reply(to: [ChatMessage(role: "user", content: prompt)], maxTokens: maxTokens, sampling: sampling, onText: onText)
            } else {
                (text, result) = try engine.complete(prompt, maxTokens: maxTokens, sampling: sampling, onText: onText)
            }
        } catch let error as CommandError { throw error } catch {
            throw CommandError("InvalidValue", "\(error)")
        }
        context.progress(String(format: "  %d tokens · prefill %.0f tokens/s · decode %.1f tokens/s · %@",
                                result.tokens.count, result.prefillTokensPerSecond, result.decodeTokensPerSecond, result.stopReason.rawValue))
        context.result(text)
    }
}
