import Foundation
import Models
import Training

/// Continuous batching on the engine queue.
///
/// One scheduler step:
/// 1. requests waiting for a place take the free ones (`maxBatch − active`, oldest first): each is
///    checked, prefilled alone with its adapter on the model (`nextTokenLogits`), and takes its
///    first token — or is answered at once (timed out or abandoned while queued, an error, a
///    reply finished by its first token);
/// 2. every active sequence feeds its last token through `LlamaModel.decodeStep` — one pass over
///    the weights for the whole batch, each row against its own KV cache, each adapter's update
///    on its own rows — and takes its next token from its own row of logits with its own sampler;
/// 3. a finished sequence (stop token or sequence, `max_tokens`, full context, disconnect,
///    timeout) is answered and leaves, freeing its place for step 1 of the next step.
/// While there is work the step queues the next one behind whatever else arrived meanwhile
/// (adapter loads and unloads, perplexity), so those still run between steps, never inside one.
extension InferenceEngine {
    /// Queues a generation request and starts the scheduler if it is idle.
    func enqueue(_ pending: PendingGeneration) {
        let start = state.withLock { s -> Bool in
            s.pending.append(pending)
            if s.scheduling { return false }
            s.scheduling = true
            return true
        }
        if start { queue.async { [self] in step() } }
    }

    /// One scheduler step (on `queue`).
    private func step() {
        let arrivals = state.withLock { s -> [PendingGeneration] in
            let count = min(max(maxBatch - active.count, 0), s.pending.count)
            defer { s.pending.removeFirst(count) }
            return Array(s.pending.prefix(count))
        }
        for pending in arrivals { begin(pending) }
        if !active.isEmpty { decodeActive() }
        let again = state.withLock { s -> Bool in
            s.batch.active = active.count
            if active.isEmpty && s.pending.isEmpty {
                s.scheduling = false
                return false
            }
            return true
        }
        if again { queue.async { [self] in step() } }
    }

    /// Checks, prefills and starts `pending`, or answers it at once.
    private func begin(_ pending: PendingGeneration) {
        let job = pending.job
        if Date() >= job.deadline { pending.answer(.timeout); return }
        if job.cancellation.isCancelled { pending.answer(.disconnected); return }
        do {
            let (sequence, logits) = try prefill(pending)
            if let logits, sequence.accept(logits) { active.append(sequence) } else { sequence.finish() }
        } catch {
            pending.continuation.resume(throwing: error)
        }
    }

    /// The request's sequence and the logits of its first token (nil when it may take none),
    /// after its prompt went through the model with its adapter on.
    private func prefill(_ pending: PendingGeneration) throws -> (DecodingSequence, [Float]?) {
        let job = pending.job
        try served.select(job.adapter)
        hooks.beforeGeneration?()
        var layers: [String: LinearLayer] = [:]
        if let name = job.adapter, let adapter = served.adapters[name] {
            for entry in adapter.adapter.layers { layers[entry.module] = entry.layer }
        }
        let model = served.base.model
        let sequence = try DecodingSequence(pending, model: model, layers: layers, tokenizer: renderer.tokenizer,
                                            stopTokens: renderer.stopTokens, table: job.schema == nil ? nil : tokenTable(), hooks: hooks)
        guard sequence.wantsTokens else { return (sequence, nil) }
        return (sequence, model.nextTokenLogits(job.promptIDs.map(Int32.init), cache: sequence.cache))
    }

    /// Token bytes for `response_format` masks, built by the first request that needs them.
    private func tokenTable() -> TokenByteTable {
        if let table = served.tokenTable { return table }
        let table = TokenByteTable(tokenizer: renderer.tokenizer, vocabularySize: served.base.model.config.vocabSize)
        served.tokenTable = table
        return table
    }

    /// Feeds every active sequence's last token through the model at once and lets each take its
    /// next token; finished sequences are answered and leave the batch.
    private func decodeActive() {
        // The rows carry their adapters' layers; the model itself must be the base for the step.
        try? served.select(nil)
        let rows = active.map { DecodeRow(token: Int32($0.lastToken), cache: $0.cache, layers: $0.layers) }
        let logits = served.base.model.decodeStep(rows)
        state.withLock { $0.batch.record(size: rows.count) }
        var continuing: [DecodingSequence] = []
        for (sequence, row) in zip(active, logits) {
            if sequence.accept(row) { continuing.append(sequence) } else { sequence.finish() }
        }
        active = continuing
    }
}

/// How full the batch has been: active sequences now, and a histogram of the batch size of every
/// decoding step (`GET /metrics`).
struct BatchStatistics: Sendable {
    /// Upper bounds of the batch-size histogram's buckets; `+Inf` follows.
    static let sizeBuckets = [1, 2, 3, 4, 6, 8, 12, 16, 32]

    /// Sequences being decoded at the last step's end.
    var active = 0
    /// Decoding steps and the sequences they fed (their ratio is the mean batch size).
    var steps = 0
    var rows = 0
    var bucketCounts = [Int](repeating: 0, count: BatchStatistics.sizeBuckets.count)

    mutating func record(size: Int) {
        steps += 1
        rows += size
        for (i, bound) in Self.sizeBuckets.enumerated() where size <= bound { bucketCounts[i] += 1 }
    }

    /// The Prometheus text of these counts, with `maxBatch` as a gauge.
    func prometheusText(maxBatch: Int) -> String {
        var out = "# HELP attune_batch_max Most sequences decoded together (--max-batch).\n# TYPE attune_batch_max gauge\n"
        out += "attune_batch_max \(maxBatch)\n"
        out += "# HELP attune_batch_active_sequences Sequences being decoded together now.\n# TYPE attune_batch_active_sequences gauge\n"
        out += "attune_batch_active_sequences \(active)\n"
        out += "# HELP attune_batch_size Sequences fed through the model per decoding step (one pass over the weights).\n"
        out += "# TYPE attune_batch_size histogram\n"
        for (i, bound) in Self.sizeBuckets.enumerated() { out += "attune_batch_size_bucket{le=\"\(bound)\"} \(bucketCounts[i])\n" }
        out += "attune_batch_size_bucket{le=\"+Inf\"} \(steps)\n"
        out += "attune_batch_size_sum \(rows)\n"
        out += "attune_batch_size_count \(steps)\n"
        return out
    }
}
