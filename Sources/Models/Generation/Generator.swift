import Foundation
import TensorCore

/// Why generation ended.
public enum StopReason: String, Sendable {
    case stopToken = "stop token", maxTokens = "max tokens", contextFull = "context full", cancelled
}

/// The outcome of a generation, with timings for prefill and decode.
public struct GenerationResult: Sendable {
    public var tokens: [Int]
    public var stopReason: StopReason
    public var promptTokens: Int
    public var prefillSeconds: Double
    public var decodeSeconds: Double
    public var decodeTokensPerSecond: Double { decodeSeconds > 0 ? Double(max(tokens.count - 1, 0)) / decodeSeconds : 0 }
    public var prefillTokensPerSecond: Double { prefillSeconds > 0 ? Double(promptTokens) / prefillSeconds : 0 }
}

extension LlamaModel {
    /// Logits `[V]` of the last position after feeding `tokens` through `cache` (no gradient). A
    /// prompt of more than `QuantizedLinear.rowwiseLimit` tokens runs its quantized projections in
    /// integers (`Tape.integerPrefill`); a few tokens take decoding's row-by-row dots.
    public func nextTokenLogits(_ tokens: [Int32], cache: KVCache) -> [Float] {
        if tokens.count == 1, let logits = decodeStepWithoutTape(tokens[0], cache: cache) { return logits }
        let tape = Tape(recording: false)
        tape.integerPrefill = true
        let hidden = hiddenStates(tokens: tokens, batch: 1, cache: cache, tape: tape)
        let last = Tensor(zeros: [1, config.hiddenSize])
        last.pointer.update(from: hidden.pointer + (tokens.count - 1) * config.hiddenSize, count: config.hiddenSize)
        return outputHead.forward(last, tape: tape).values
    }

    /// Frees the copies of the quantized projections generation made: prefill's integer panels
    /// (`QuantizedLinear.int16Panels`, 1.25 bytes per weight: SmolLM2's 120 MB) and decoding's
    /// rearranged rows (`QuantizedLinear.decodeRows`, the weights' own size: 97 MB); the next
    /// prompt makes them again. Training calls it first, since its steps never read them.
    public func releaseGenerationCopies() {
        var layers = linears.values.compactMap { ($0 as? LoRALinear)?.base as? QuantizedLinear ?? $0 as? QuantizedLinear }
        if let head = outputHead as? QuantizedLinear { layers.append(head) }
        for layer in layers {
            layer.int16Panels.clear()
            layer.decodeRows.clear()
        }
        decodePlan.clear()  // it holds the decoding copies too
        adapterDecodePlans.clear()
    }

    /// Generates up to `maxTokens` tokens after `prompt` with a KV cache: one prefill pass over
    /// the prompt, then one token per step. Stops at a token in `stopTokens` (included in the
    /// result), when the context is full, or when `onToken` returns false. `onToken` sees each
    /// token as it is chosen (the REPL prints as it goes).
    public func generate(prompt: [Int], maxTokens: Int, sampling: SamplingOptions = SamplingOptions(), stopTokens: Set<Int> = [],
                         contextLimit: Int? = nil, onToken: (Int) -> Bool = { _ in true }) throws -> GenerationResult {
        try sampling.validate()
        guard !prompt.isEmpty else { throw TensorError.invalidArgument("generate: the prompt is empty") }
        if let bad = prompt.first(where: { $0 < 0 || $0 >= config.vocabSize }) {
            throw TensorError.invalidArgument("generate: token id \(bad) is outside the vocabulary 0..<\(config.vocabSize)")
        }
        return try generateChecked(prompt: prompt, maxTokens: maxTokens, sampling: sampling, stopTokens: stopTokens,
                                   contextLimit: contextLimit, onToken: onToken)
    }

    private func generateChecked(prompt: [Int], maxTokens: Int, sampling: SamplingOptions, stopTokens: Set<Int>,
                                 contextLimit: Int?, onToken: (Int) -> Bool) throws -> GenerationResult {
        let limit = min(contextLimit ?? config.maxPositionEmbeddings, config.maxPositionEmbeddings)
        guard prompt.count < limit else {
            throw TensorError.invalidArgument("generate: the prompt has \(prompt.count) tokens, the context holds \(limit)")
        }
        let cache = KVCache(config: config, capacity: min(limit, prompt.count + max(maxTokens, 1)))
        var sampler = Sampler(options: sampling)
        var context = prompt
        var result = GenerationResult(tokens: [], stopReason: .maxTokens, promptTokens: prompt.count, prefillSeconds: 0, decodeSeconds: 0)
        let prefillStart = Date()
        var logits = nextTokenLogits(prompt.map(Int32.init), cache: cache)
        result.prefillSeconds = Date().timeIntervalSince(prefillStart)
        let decodeStart = Date()
        defer { result.decodeSeconds = Date().timeIntervalSince(decodeStart) }
        while result.tokens.count < maxTokens {
            let token = sampler.next(logits: logits, context: context)
            result.tokens.append(token)
            context.append(token)
            if !onToken(token) { result.stopReason = .cancelled; break }
            if stopTokens.contains(token) { result.stopReason = .stopToken; break }
            if result.tokens.count >= maxTokens { break }
            if cache.remaining == 0 { result.stopReason = .contextFull; break }
            logits = nextTokenLogits([Int32(token)], cache: cache)
        }
        result.decodeSeconds = Date().timeIntervalSince(decodeStart)
        return result
    }
}
