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
    /// (false stops, as in `LlamaModel.generate`). The server's scheduler runs the same
    /// `ConstrainedSequence` per row of a batch.
    static func generate(model: LlamaModel, prompt: [Int], maxTokens: Int, sampling: SamplingOptions, stopTokens: Set<Int>,
                         schema: SchemaNode, table: TokenByteTable, onToken: (Int) -> Bool) throws -> Outcome {
        var constraint = try ConstrainedSequence(schema: schema, promptTokens: prompt.count, maxTokens: maxTokens,
                                                 contextLimit: model.config.maxPositionEmbeddings, stopTokens: stopTokens, table: table)
        let budget = constraint.budget
        let cache = KVCache(config: model.config, capacity: min(model.config.maxPositionEmbeddings, prompt.count + max(budget, 1)))
        var sampler = Sampler(options: sampling)
        var result = Outcome()
        var logits = model.nextTokenLogits(prompt.map(Int32.init), cache: cache)
        while result.tokens.count < budget {
            if constraint.isClosed { result.stopReason = .stopToken; break }
            // Nothing allowed cannot happen with a vocabulary that spells every byte; stop rather than break the rules.
            guard let token = constraint.next(logits: logits, produced: result.tokens.count, sampler: &sampler) else {
                result.stopReason = .cancelled; break
            }
            result.tokens.append(token)
            if !onToken(token) { result.stopReason = .cancelled; break }
            if stopTokens.contains(token) { result.stopReason = .stopToken; break }
            if result.tokens.count >= budget { break }
            if cache.remaining == 0 { result.stopReason = .contextFull; break }
            logits = model.nextTokenLogits([Int32(token)], cache: cache)
        }
        result.maskSeconds = constraint.maskSeconds
        if constraint.isClosed, result.stopReason == .maxTokens { result.stopReason = .stopToken }  // closed by its last token
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

/// One reply's `response_format` state while it decodes: the JSON prefix so far, the token budget,
/// and the time its masks took. `next` masks and samples one token (per row of a batch, too).
struct ConstrainedSequence {
    private(set) var matcher: JSONPrefixMatcher
    /// Tokens the reply may take: `max_tokens`, cut to what the context still holds.
    let budget: Int
    let stopTokens: Set<Int>
    let table: TokenByteTable
    /// Seconds spent building masks.
    private(set) var maskSeconds = 0.0

    /// Checks the prompt fits the context and the schema's shortest document fits the budget.
    init(schema: SchemaNode, promptTokens: Int, maxTokens: Int, contextLimit: Int, stopTokens: Set<Int>, table: TokenByteTable) throws {
        guard promptTokens > 0, promptTokens < contextLimit else {
            throw APIError.invalid("the prompt has \(promptTokens) tokens, the context holds \(contextLimit)", code: "context_length_exceeded")
        }
        budget = min(maxTokens, contextLimit - promptTokens)
        matcher = JSONPrefixMatcher(schema)
        guard matcher.closingDistance <= budget else {
            throw APIError.invalid("max_tokens leaves \(budget) tokens, but the shortest JSON matching the response_format schema takes "
                                   + "\(matcher.closingDistance); raise max_tokens", param: "max_tokens")
        }
        self.stopTokens = stopTokens
        self.table = table
    }

    /// Whether the document is complete (generation stops).
    var isClosed: Bool { matcher.isClosed }

    /// The next token from `logits` among those the schema allows after `produced` tokens (nil:
    /// none allowed), fed to the matcher.
    mutating func next(logits: [Float], produced: Int, sampler: inout Sampler) -> Int? {
        let maskStart = Date()
        let allowed = ConstrainedDecoding.allowed(matcher: matcher, remaining: budget - produced, stopTokens: stopTokens,
                                                  table: table, vocabularySize: logits.count)
        maskSeconds += Date().timeIntervalSince(maskStart)
        guard !allowed.isEmpty else { return nil }
        // Sampling over the allowed tokens only (in id order, as over the whole vocabulary with −∞
        // elsewhere, without the sampler's last-candidate fallback ever landing on a masked token).
        let token = allowed[sampler.next(logits: allowed.map { logits[$0] }, context: [])]
        if let bytes = table.bytes[token] { for byte in bytes { _ = matcher.feed(byte) } }
        return token
    }
}
