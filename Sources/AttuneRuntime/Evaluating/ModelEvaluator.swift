import Datasets
import Foundation
import Models
import TensorCore
import Tokenization

/// Teacher-forced loss and token accuracy over a set, and greedy replies to its prompts, for the
/// model as it stands (with whatever adapter is on it).
struct ModelEvaluator {
    let engine: Models.LoadedModel
    let renderer: ExampleRenderer

    init(engine: Models.LoadedModel, sequenceLength: Int?) {
        self.engine = engine
        renderer = ExampleRenderer(tokenizer: engine.tokenizer, template: engine.chatTemplate,
                                   options: RenderOptions(loss: .targets, sequenceLength: sequenceLength))
    }

    /// Sums over the target tokens of a set: loss, count, tokens predicted right (argmax).
    struct TokenMetrics: Equatable {
        var lossSum = 0.0
        var tokens = 0
        var correct = 0
        var loss: Double { tokens > 0 ? lossSum / Double(tokens) : .nan }
        var perplexity: Double { Foundation.exp(loss) }
        var accuracy: Double { tokens > 0 ? Double(correct) / Double(tokens) : .nan }
    }

    /// The loss the model gives each target token (as in training: assistant turns, `output`,
    /// `completion`), one example per forward pass, and how often its most likely next token is
    /// the target. Only the positions that predict a target go through the output layer (the
    /// 49152-wide product is most of the cost at the prompt's positions otherwise). `progress`
    /// sees the index of each finished example.
    func tokenMetrics(_ examples: [Example], file: String, progress: (Int) -> Void = { _ in }) throws -> TokenMetrics {
        var metrics = TokenMetrics()
        let model = engine.model
        let width = model.config.hiddenSize
        for (index, example) in examples.enumerated() {
            defer { progress(index) }
            let rendered = try renderer.render(example, file: file)
            // Position t predicts token t + 1; keep the positions whose next token is trained.
            let positions = (0..<max(rendered.ids.count - 1, 0)).filter { rendered.trainable[$0 + 1] }
            guard !positions.isEmpty else { continue }
            let tape = Tape(recording: false)
            let hidden = model.hiddenStates(tokens: rendered.ids.map(Int32.init), batch: 1, tape: tape)   // [T, C]
            let picked = Tensor(zeros: [positions.count, width])                                          // [M, C]
            withExtendedLifetime(hidden) {
                for (row, t) in positions.enumerated() {
                    picked.pointer.advanced(by: row * width).update(from: hidden.pointer + t * width, count: width)
                }
            }
            let logits = model.outputHead.forward(picked, tape: tape)                                     // [M, V]
            let vocab = logits.columns
            withExtendedLifetime(logits) {
                let p = logits.pointer
                for (row, t) in positions.enumerated() {
                    let values = UnsafeBufferPointer(start: p + row * vocab, count: vocab)
                    var best = 0
                    var peak = values[0]
                    for v in 1..<vocab where values[v] > peak { best = v; peak = values[v] }
                    var total = 0.0
                    for v in values { total += Foundation.exp(Double(v - peak)) }
                    let target = rendered.ids[t + 1]
                    metrics.lossSum += Double(peak) + Foundation.log(total) - Double(values[target])
                    metrics.tokens += 1
                    if best == target { metrics.correct += 1 }
                }
            }
        }
        return metrics
    }

    /// A generated reply: its text, and whether generation stopped early because the reply could
    /// no longer pass (`stopWhen`).
    struct Reply: Equatable {
        var text: String
        var tokens: Int
        var stoppedEarly: Bool
    }

    /// True when the example has a prompt to answer (every format but plain text).
    static func hasPrompt(_ example: Example) -> Bool {
        if case .text = example.content { return false }
        if case .chat(let messages) = example.content { return messages.contains { $0.role == "assistant" } }
        return true
    }

    /// The greedy reply to the example's prompt, rendered as training renders it: a conversation
    /// up to its last assistant turn and instruction data through the chat template; completion
    /// prompts (and instruction data without a template) as plain text. Generation stops at the
    /// end-of-turn token, after `maxTokens`, or once `stopWhen(textSoFar)` is true.
    func reply(to example: Example, maxTokens: Int, stopWhen: (String) -> Bool = { _ in false }) throws -> Reply {
        let sampling = SamplingOptions(temperature: 0, topK: 0, topP: 1, seed: 0)
        var soFar = ""
        var stopped = false
        let onText: (String) -> Bool = { piece in
            soFar += piece
            if stopWhen(soFar) { stopped = true; return false }
            return true
        }
        let text: String, result: GenerationResult
        switch example.content {
        case .chat(let messages):
            let last = messages.lastIndex { $0.role == "assistant" } ?? messages.count
            (text, result) = try engine.reply(to: Array(messages[..<last]), maxTokens: maxTokens, sampling: sampling, onText: onText)
        case .instruction(let instruction, let input, _):
            if renderer.options.instructionThroughTemplate, engine.chatTemplate != nil {
                let prompt = input.isEmpty ? instruction : instruction + "\n\n" + input
                (text, result) = try engine.reply(to: [ChatMessage(role: "user", content: prompt)], maxTokens: maxTokens,
                                                  sampling: sampling, onText: onText)
            } else {
                var prompt = ExampleRenderer.instructionHeader + instruction + "\n\n"
                if !input.isEmpty { prompt += ExampleRenderer.inputHeader + input + "\n\n" }
                prompt += ExampleRenderer.responseHeader
                (text, result) = try engine.complete(prompt, maxTokens: maxTokens, sampling: sampling, onText: onText)
            }
        case .completion(let prompt, _):
            (text, result) = try engine.complete(prompt, maxTokens: maxTokens, sampling: sampling, onText: onText)
        case .text:
            return Reply(text: "", tokens: 0, stoppedEarly: false)
        }
        return Reply(text: text, tokens: result.tokens.count, stoppedEarly: stopped)
    }

    /// The expected reply of an example: the last assistant turn, `output` or `completion`.
    static func expected(_ example: Example) -> String {
        if case .chat(let messages) = example.content { return messages.last { $0.role == "assistant" }?.content ?? "" }
        return example.content.target
    }

    /// The prompt in one short line for tables: the last user turn, `input` (else `instruction`)
    /// or `prompt`, first line, at most `limit` characters.
    static func shortPrompt(_ example: Example, limit: Int = 60) -> String {
        let text: String
        switch example.content {
        case .chat(let messages): text = messages.last { $0.role == "user" }?.content ?? ""
        case .instruction(let instruction, let input, _): text = input.isEmpty ? instruction : input
        case .completion(let prompt, _): text = prompt
        case .text(let t): text = t
        }
        return EvaluationText.clip(text.split(separator: "\n", omittingEmptySubsequences: true).first.map(String.init) ?? "", limit)
    }

    /// Tokens of the longest expected reply (with its end-of-turn token), for the default `max`.
    func longestExpectedTokens(_ examples: [Example]) -> Int {
        examples.map { engine.tokenizer.encode(Self.expected($0), options: EncodingOptions(parseSpecialTokens: false, addBOS: false)).ids.count + 1 }
            .max() ?? 0
    }
}
