import Dispatch
import Foundation
import Models
import Synchronization
import Tokenization

/// The one place the model runs: every generation and every adapter load or unload goes through
/// one serial queue. Generations are decoded together (continuous batching): up to `maxBatch`
/// sequences are active, and each scheduler step (`InferenceEngine+Batching`) prefills the
/// requests that found a free place, then feeds one token of every active sequence through the
/// model in one pass over the weights; a sequence that finishes frees its place for the next
/// queued request. Other work (adapter loads and unloads, perplexity) runs between steps, in
/// arrival order. Admission (`admit`) bounds how many generation requests may wait or run at
/// once; the rest get 429 at once.
///
/// The queue is a dedicated dispatch thread, not the Swift concurrency pool, so a long generation
/// never holds a pool thread that the HTTP side needs to stream.
final class InferenceEngine: Sendable {
    let queue = DispatchQueue(label: "attune.serve.engine", qos: .userInitiated)
    /// Touched only on `queue`.
    nonisolated(unsafe) let served: ServedModel
    /// The sequences being decoded; touched only on `queue`.
    nonisolated(unsafe) var active: [DecodingSequence] = []
    let renderer: PromptRenderer
    /// The base model's name (also accepted for `base` in `model`).
    let modelName: String
    /// Most sequences decoded together (1: one request at a time).
    let maxBatch: Int
    let state = Mutex(State())
    let hooks: EngineHooks

    struct State {
        /// Admitted generation requests (queued or running).
        var admitted = 0
        /// Work items waiting for the queue.
        var waiting = 0
        /// Adapters by name, for handlers.
        var adapters: [String: AdapterInfo] = [:]
        /// Generation requests waiting for a place in the batch, oldest first.
        var pending: [PendingGeneration] = []
        /// Whether a scheduler step is queued or running (it queues the next one while there is work).
        var scheduling = false
        /// Batch occupancy for /metrics.
        var batch = BatchStatistics()
    }

    init(model: LoadedModel, hooks: EngineHooks = EngineHooks(), maxBatch: Int = 4) {
        precondition(maxBatch >= 1, "maxBatch must be at least 1, got \(maxBatch)")
        served = ServedModel(base: model)
        renderer = PromptRenderer(model)
        modelName = model.name
        self.hooks = hooks
        self.maxBatch = maxBatch
    }

    // MARK: Admission

    /// Counts one generation request in, or throws 429 when `limit` are in already. The slot is
    /// freed when the returned ticket is released or dropped.
    func admit(limit: Int) throws -> AdmissionTicket {
        let admitted = state.withLock { s -> Bool in
            guard s.admitted < limit else { return false }
            s.admitted += 1
            return true
        }
        guard admitted else { throw APIError.busy(limit: limit) }
        return AdmissionTicket { [self] in state.withLock { $0.admitted -= 1 } }
    }

    /// Admitted requests (queued or running) and work items waiting for the queue (generation
    /// requests waiting for a place in the batch included).
    var load: (admitted: Int, waiting: Int) { state.withLock { ($0.admitted, $0.waiting + $0.pending.count) } }

    /// Batch occupancy so far.
    var batchStatistics: BatchStatistics { state.withLock { $0.batch } }

    // MARK: Names

    /// Loaded adapters by name.
    var adapters: [String: AdapterInfo] { state.withLock { $0.adapters } }

    /// The adapter a request's `model` names: nil for the base model (`base` or the model's own
    /// name), or a 404 listing what is served.
    func resolve(_ model: String) throws -> String? {
        if model == AdapterName.base || model == modelName { return nil }
        let names = adapters
        guard names[model] != nil else { throw APIError.modelNotFound(model, available: [AdapterName.base] + names.keys.sorted()) }
        return model
    }

    // MARK: Work

    /// Runs `work` on the engine queue after everything queued before it.
    private func perform<T: Sendable>(_ work: @escaping @Sendable (ServedModel) throws -> T) async throws -> T {
        state.withLock { $0.waiting += 1 }
        return try await withCheckedThrowingContinuation { continuation in
            queue.async { [self] in
                state.withLock { $0.waiting -= 1 }
                continuation.resume(with: Result { try work(served) })
            }
        }
    }

    /// Loads a PEFT adapter folder under `name`.
    func loadAdapter(name: String, folder: URL, written: String, force: Bool) async throws -> AdapterInfo {
        try await perform { [self] served in
            let info = try served.loadAdapter(name: name, folder: folder, written: written, force: force).info
            state.withLock { $0.adapters[name] = info }
            return info
        }
    }

    /// Unloads adapter `name`.
    func unloadAdapter(name: String) async throws {
        try await perform { [self] served in
            try served.unloadAdapter(name: name)
            _ = state.withLock { $0.adapters.removeValue(forKey: name) }
        }
    }

    /// The base model's perplexity of `text` (`LoadedModel.perplexity`, at most 256 tokens), for
    /// a request's novelty score; runs in turn with generations.
    func perplexity(of text: String) async throws -> Double? {
        try await perform { served in
            try served.select(nil)
            return served.base.perplexity(of: text, maxTokens: 256)
        }
    }

    /// Generates the reply for `job` in the batch; `emit` receives the reply's text as it becomes
    /// final (after stop sequences are ruled out), on the engine thread.
    func generate(_ job: GenerationJob, emit: @escaping @Sendable (String) -> Void = { _ in }) async throws -> GenerationOutcome {
        try await withCheckedThrowingContinuation { continuation in
            enqueue(PendingGeneration(job: job, emit: emit, continuation: continuation))
        }
    }
}

/// Test seams on the engine thread (tests hold a generation at a token to exercise limits).
struct EngineHooks: Sendable {
    var beforeGeneration: (@Sendable () -> Void)?
    var afterToken: (@Sendable () -> Void)?
}

/// One admitted request's slot; freed once, by `release()` or when the ticket goes away.
final class AdmissionTicket: Sendable {
    private let released = Atomic<Bool>(false)
    private let onRelease: @Sendable () -> Void

    init(_ onRelease: @escaping @Sendable () -> Void) { self.onRelease = onRelease }

    func release() {
        if !released.exchange(true, ordering: .acquiringAndReleasing) { onRelease() }
    }

    deinit { release() }
}

/// Set when the client went away: the generation stops at its next token. `finish()` marks
/// the request answered, so a connection closed later (keep-alive) is not counted as a disconnect.
final class CancellationFlag: Sendable {
    private let flag = Atomic<Bool>(false)
    private let finished = Atomic<Bool>(false)
    init() {}
    func cancel() { flag.store(true, ordering: .releasing) }
    var isCancelled: Bool { flag.load(ordering: .acquiring) }
    func finish() { finished.store(true, ordering: .releasing) }
    var isFinished: Bool { finished.load(ordering: .acquiring) }
}

/// A checked, tokenized request ready for the engine.
struct GenerationJob: Sendable {
    var promptIDs: [Int]
    /// nil: the base model.
    var adapter: String?
    var maxTokens: Int
    var sampling: SamplingOptions
    var stop: [String]
    /// After this the generation stops with `timeout` (checked before it starts and per token).
    var deadline: Date
    /// `response_format`'s schema: only tokens that keep the reply a prefix of matching JSON (nil: free text).
    var schema: SchemaNode?
    var cancellation = CancellationFlag()
}

/// What came of a generation.
struct GenerationOutcome: Sendable {
    enum FinishReason: String, Sendable {
        /// An end-of-turn token or a stop sequence.
        case stop
        /// `max_tokens` or the context ran out.
        case length
        /// `--request-timeout` passed (queued or generating).
        case timeout
        /// The client closed the connection mid-stream.
        case disconnected
    }

    var text = ""
    var finishReason = FinishReason.stop
    var promptTokens: Int
    var completionTokens = 0
    /// Seconds spent masking tokens under `response_format` (0 without).
    var maskSeconds = 0.0
}
