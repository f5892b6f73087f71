import Foundation
import Models
import TensorCore
import Tokenization

/// One request being decoded by the engine's batch: its KV cache, its adapter's layers, its own
/// sampler (seeded per request, so a seeded reply is the same batched or alone), its
/// `response_format` state, and the streaming decoder and stop-sequence matcher its text goes
/// through. The scheduler feeds it the logits of each step (`accept`) until it is complete, then
/// `finish` answers the request.
///
/// Not thread-safe: only the engine's serial queue touches it.
final class DecodingSequence {
    let job: GenerationJob
    let cache: KVCache
    /// The adapter's projections by module name (empty: the base model).
    let layers: [String: LinearLayer]
    /// The token the next step feeds (the one `accept` chose last).
    private(set) var lastToken = 0
    private(set) var tokens: [Int] = []

    private let emit: @Sendable (String) -> Void
    private let continuation: CheckedContinuation<GenerationOutcome, any Error>
    private let hooks: EngineHooks
    private let stopTokens: Set<Int>
    /// Tokens the reply may take.
    private let budget: Int
    private var sampler: Sampler
    /// Prompt and reply so far (the sampler's repetition penalty reads it).
    private var context: [Int]
    private var constraint: ConstrainedSequence?
    private var decoder: StreamingDecoder
    private var matcher: StopSequenceMatcher
    private var stopReason = StopReason.maxTokens
    private var interrupted: GenerationOutcome.FinishReason?

    /// Checks the request as `LlamaModel.generate` (or `ConstrainedDecoding`) would and sets up its
    /// state; the caller prefills `cache` with the prompt. `table` is needed with a schema.
    init(_ pending: PendingGeneration, model: LlamaModel, layers: [String: LinearLayer], tokenizer: any Tokenizer,
         stopTokens: Set<Int>, table: TokenByteTable?, hooks: EngineHooks) throws {
        let job = pending.job
        let prompt = job.promptIDs
        let limit = model.config.maxPositionEmbeddings
        try job.sampling.validate()
        guard !prompt.isEmpty else { throw TensorError.invalidArgument("generate: the prompt is empty") }
        if let bad = prompt.first(where: { $0 < 0 || $0 >= model.config.vocabSize }) {
            throw TensorError.invalidArgument("generate: token id \(bad) is outside the vocabulary 0..<\(model.config.vocabSize)")
        }
        if let schema = job.schema, let table {
            let constraint = try ConstrainedSequence(schema: schema, promptTokens: prompt.count, maxTokens: job.maxTokens,
                                                     contextLimit: limit, stopTokens: stopTokens, table: table)
            budget = constraint.budget
            self.constraint = constraint
        } else {
            guard prompt.count < limit else {
                throw TensorError.invalidArgument("generate: the prompt has \(prompt.count) tokens, the context holds \(limit)")
            }
            budget = job.maxTokens
        }
        self.job = job
        self.layers = layers
        cache = KVCache(config: model.config, capacity: min(limit, prompt.count + max(budget, 1)))
        emit = pending.emit
        continuation = pending.continuation
        self.hooks = hooks
        self.stopTokens = stopTokens
        sampler = Sampler(options: job.sampling)
        context = job.schema == nil ? prompt : []
        decoder = StreamingDecoder(tokenizer: tokenizer, skipSpecialTokens: true)
        matcher = StopSequenceMatcher(stops: job.stop)
    }

    /// Whether the reply may take a first token at all.
    var wantsTokens: Bool { budget > 0 }

    /// Chooses the next token from `logits [V]`, hands its text on, and says whether the reply
    /// goes on (then `lastToken` is fed to the next step). The order of checks is
    /// `LlamaModel.generate`'s.
    func accept(_ logits: [Float]) -> Bool {
        let token: Int
        if constraint != nil {
            if constraint!.isClosed { stopReason = .stopToken; return false }
            // Nothing allowed cannot happen with a vocabulary that spells every byte; stop rather than break the rules.
            guard let allowed = constraint!.next(logits: logits, produced: tokens.count, sampler: &sampler) else {
                stopReason = .cancelled
                return false
            }
            token = allowed
        } else {
            token = sampler.next(logits: logits, context: context)
            context.append(token)
        }
        tokens.append(token)
        if !handOn(token) { stopReason = .cancelled; return false }
        if stopTokens.contains(token) { stopReason = .stopToken; return false }
        if tokens.count >= budget { return false }
        if cache.remaining == 0 { stopReason = .contextFull; return false }
        lastToken = token
        return true
    }

    /// The token's text through the decoder and the stop matcher to the client; false when a stop
    /// sequence ended the reply, the client went away, or the deadline passed.
    private func handOn(_ token: Int) -> Bool {
        hooks.afterToken?()
        let piece = decoder.push(token)
        if !piece.isEmpty {
            let ready = matcher.push(piece)
            if !ready.isEmpty { emit(ready) }
        }
        if matcher.stopped { return false }
        if job.cancellation.isCancelled { interrupted = .disconnected; return false }
        if Date() >= job.deadline { interrupted = .timeout; return false }
        return true
    }

    /// Sends what text is left and answers the request.
    func finish() {
        if !matcher.stopped {
            let tail = decoder.finish()
            var ready = tail.isEmpty ? "" : matcher.push(tail)
            if !matcher.stopped { ready += matcher.finish() }
            if !ready.isEmpty { emit(ready) }
        }
        if let constraint, constraint.isClosed, stopReason == .maxTokens { stopReason = .stopToken }  // closed by its last token
        var outcome = GenerationOutcome(promptTokens: job.promptIDs.count)
        outcome.text = matcher.text
        outcome.completionTokens = tokens.count
        outcome.maskSeconds = constraint?.maskSeconds ?? 0
        if matcher.stopped { outcome.finishReason = .stop }
        else if let interrupted { outcome.finishReason = interrupted }
        else { outcome.finishReason = stopReason == .stopToken ? .stop : .length }
        continuation.resume(returning: outcome)
    }
}

/// A generation request waiting for a place in the batch, with the way to answer it.
struct PendingGeneration: Sendable {
    let job: GenerationJob
    let emit: @Sendable (String) -> Void
    let continuation: CheckedContinuation<GenerationOutcome, any Error>

    /// Answers without decoding (timed out or abandoned while queued).
    func answer(_ reason: GenerationOutcome.FinishReason) {
        var outcome = GenerationOutcome(promptTokens: job.promptIDs.count)
        outcome.finishReason = reason
        continuation.resume(returning: outcome)
    }
}
