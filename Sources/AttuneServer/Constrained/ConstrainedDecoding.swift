import Foundation
import Models

/// Generation under `response_format`: before each token, every token whose bytes would not keep
/// the reply a prefix of a JSON document matching the schema gets logit −∞, and so does every
/// token after which the document could no longer be closed within the tokens left
/// (`JSONPrefixMatcher.closingDistance`, one byte per token at worst: byte-level vocabularies
/// spell every byte). The end-of-turn token is allowed only once the document may end; once it
/// is closed, generation stops. The reply is therefore always matching JSON, unless a client
/// disconnects or the request times out.
///
/// Cost: one pass over the vocabulary per token, pruned by first byte (`TokenByteTable`); sampling
/// then runs over the allowed tokens only.
enum ConstrainedDecoding {
    struct Outcome {
        var tokens: [Int] = []
        var stopReason = StopReason.maxTokens
        /// Seconds spent building masks (the cost beside the model's forward passes).
        var maskSeconds = 0.0
    }

    /// Generates up to `maxTokens` tokens after `prompt` under `schema`. `onToken` sees each token
    /// (false stops, as in `LlamaModel.generate`).
    static func generate(model: LlamaModel, prompt: [Int], maxTokens: Int, sampling: SamplingOptions, stopTokens: Set<Int>,
                         schema: SchemaNode, table: TokenByteTable, onToken: (Int) -> Bool) throws -> Outcome {
        let limit = model.config.maxPositionEmbeddings
        guard !prompt.isEmpty, prompt.count < limit else {
            throw APIError.invalid("the prompt has \(prompt.count) tokens, the context holds \(limit)", code: "context_length_exceeded")
        }
        let budget = min(maxTokens, limit - prompt.count)
        var matcher = JSONPrefixMatcher(schema)
        guard matcher.closingDistance <= budget else {
            throw APIError.invalid("max_tokens leaves \(budget) tokens, but the shortest JSON matching the response_format schema takes "
                                   + "\(matcher.closingDistance); raise max_tokens", param: "max_tokens")
        }
        let cache = KVCache(config: model.config, capacity: min(limit, prompt.count + max(budget, 1)))
        var sampler = Sampler(options: sampling)
        var result = Outcome()
        var logits = model.nextTokenLogits(prompt.map(Int32.init), cache: cache)
        while result.tokens.count < budget {
            if matcher.isClosed { result.stopReason = .stopToken; break }
            let maskStart = Date()
            let allowed = self.allowed(matcher: matcher, remaining: budget - result.tokens.count, stopTokens: stopTokens,
                                       table: table, vocabularySize: logits.count)
            result.maskSeconds += Date().timeIntervalSince(maskStart)
            // Nothing allowed cannot happen with a vocabulary that spells every byte; stop rather than break the rules.
            guard !allowed.isEmpty else { result.stopReason = .cancelled; break }
            // Sampling over the allowed tokens only (in id order, as over the whole vocabulary with −∞
            // elsewhere, without the sampler's last-candidate fallback ever landing on a masked token).
            let token = allowed[sampler.next(logits: allowed.map { logits[$0] }, context: [])]
            if let bytes = table.bytes[token] { for byte in bytes { _ = matcher.feed(byte) } }
            result.tokens.append(token)
            if !onToken(token) { result.stopReason = .cancelled; break }
            if stopTokens.contains(token) { result.stopReason = .stopToken; break }
            if result.tokens.count >= budget { break }
            if cache.remaining == 0 { result.stopReason = .contextFull; break }
            logits = model.nextTokenLogits([Int32(token)], cache: cache)
        }
        if matcher.isClosed, result.stopReason == .maxTokens { result.stopReason = .stopToken }  // closed by its last token
        return result
    }

    /// The tokens that may come next, in id order: those whose bytes the matcher accepts and after
    /// which the document needs at most `remaining − 1` more bytes to close; stop tokens only when
    /// the document may end here.
    static func allowed(matcher: JSONPrefixMatcher, remaining: Int, stopTokens: Set<Int>, table: TokenByteTable,
                        vocabularySize: Int) -> [Int] {
        var allowed = [Int]()
        let room = remaining - 1
        for first in 0..<256 where !table.byFirstByte[first].isEmpty {
            var probe = matcher
            guard probe.feed(UInt8(first)) else { continue }
            let probeFits = probe.closingDistance <= room
            for id in table.byFirstByte[first] where id < vocabularySize {
                let bytes = table.bytes[id]!
                if bytes.count == 1 {
                    if probeFits { allowed.append(id) }
                    continue
                }
                var state = probe
                var fits = true
                for byte in bytes.dropFirst() where !state.feed(byte) { fits = false; break }
                if fits, state.closingDistance <= room { allowed.append(id) }
            }
        }
        if matcher.closingDistance == 0 { allowed += stopTokens.filter { $0 < vocabularySize } }
        return allowed.sorted()
    }
}
