import Essentials
import Foundation
import HTTPTypes
import Hummingbird
import Models
import NIOCore

extension InferenceServer {
    enum GenerationRoute: String, Sendable {
        case chat = "/v1/chat/completions", completion = "/v1/completions"

        var idPrefix: String { self == .chat ? "chatcmpl-" : "cmpl-" }
        var object: String { self == .chat ? "chat.completion" : "text_completion" }
        var chunkObject: String { self == .chat ? "chat.completion.chunk" : "text_completion" }
    }

    /// `POST /v1/chat/completions` and `POST /v1/completions`: check, tokenize, admit, then
    /// generate on the engine (the whole reply, or streamed as server-sent events).
    func generation(_ request: Request, context: ServerRequestContext, route: GenerationRoute) async throws -> Response {
        let arrival = Date()
        let limits = configuration.limits
        let body = try await RequestBodyReader.json(request, limit: limits.maxBodyBytes)
        let parsed = route == .chat ? try GenerationRequest.chat(body) : try GenerationRequest.completion(body)
        let requested = try engine.resolve(parsed.model)
        let ids = try engine.renderer.ids(for: parsed.input)
        let maxTokens = try engine.renderer.maxNewTokens(requested: parsed.maxTokens, promptTokens: ids.count, limits: limits)
        let seed = parsed.seed ?? nextSeed()
        let schema = try Self.compiledSchema(parsed.responseFormat, maxTokens: maxTokens)
        let ticket = try engine.admit(limit: limits.maxConcurrentRequests)
        let id = route.idPrefix + Self.randomID()
        // A rollout with `fallback ood` scores the request's novelty (the base model's perplexity of
        // its text, on the engine, and the distance to the training data) before routing it.
        var novelty: Double?
        if let fallback = rollout.fallback(for: requested) {
            let text = OutOfDistributionFallback.text(of: parsed.input)
            let perplexity = try await engine.perplexity(of: text)
            novelty = fallback.score(text: text, perplexity: perplexity)
        }
        // A rollout may send the request to the candidate (canary), shadow it after the reply, or
        // (out of distribution) send it to the base model.
        var adapter = requested, role: ReplyContext.Role?, shadow: String?
        let decision = rollout.decide(model: requested, key: parsed.user ?? id, novelty: novelty, loaded: { self.engine.adapters[$0] != nil })
        switch decision.route {
        case .asked: break
        case .primary(let candidate): role = .primary; shadow = candidate
        case .canary(let candidate): role = .canary; adapter = candidate
        case .fallback: role = .fallback; adapter = nil
        }
        if let fired = decision.fired {
            logger.warning("rollout: rollback — \(fired.text); every request goes to the primary again")
            if let log {
                let line: JSONValue = ["time": .string(RequestLogEntry.timeText(Date())), "id": .string(id), "event": "rollback",
                                      "rollback": RequestLogEntry.rollbackJSON(fired)]
                try? log.append(line)
            }
        }
        // Stop sequences would cut a JSON reply short: under response_format the document's end stops it.
        let job = GenerationJob(promptIDs: ids, adapter: adapter, maxTokens: maxTokens,
                                sampling: SamplingOptions(temperature: Float(parsed.temperature), topP: Float(parsed.topP), seed: seed),
                                stop: schema == nil ? parsed.stop : [], deadline: arrival.addingTimeInterval(limits.requestTimeout),
                                schema: schema)
        // A client that closes its connection frees its slot at the next token.
        let cancellation = job.cancellation, counters = self.metrics
        context.channel.closeFuture.whenComplete { _ in
            if !cancellation.isFinished { counters.recordDisconnect(); cancellation.cancel() }
        }
        let reply = ReplyContext(id: id, created: Int(arrival.timeIntervalSince1970), route: route,
                                 request: parsed, seed: seed, arrival: arrival, role: role, served: adapter ?? AdapterName.base,
                                 novelty: novelty)
        if parsed.stream {
            let shadow = shadow
            return Response(status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-cache", .attuneServedBy: reply.served],
                            body: ResponseBody { writer in
                                defer { ticket.release() }
                                try await self.stream(job, reply: reply, to: &writer)
                                if let shadow { self.runShadow(shadow, of: job, reply: reply) }
                            })
        }
        defer { ticket.release(); job.cancellation.finish() }
        let outcome: GenerationOutcome
        do { outcome = try await engine.generate(job) } catch {
            failed(reply)
            throw error
        }
        finish(reply, outcome: outcome)
        if let shadow { runShadow(shadow, of: job, reply: reply) }
        if outcome.finishReason == .timeout { throw APIError.timedOut(seconds: limits.requestTimeout) }
        let usage = Self.usage(outcome)
        let choice: JSONValue = route == .chat
            ? ["index": 0, "message": ["role": "assistant", "content": .string(outcome.text)], "logprobs": .null,
               "finish_reason": .string(outcome.finishReason.rawValue)]
            : ["text": .string(outcome.text), "index": 0, "logprobs": .null, "finish_reason": .string(outcome.finishReason.rawValue)]
        var response = Self.json(["id": .string(reply.id), "object": .string(route.object), "created": .int(reply.created),
                                  "model": .string(parsed.model), "choices": [choice], "usage": usage])
        response.headers[.attuneServedBy] = reply.served
        return response
    }

    /// The `response_format` schema compiled for decoding; 400 when no reply could match it or
    /// `max_tokens` cannot hold the shortest one.
    static func compiledSchema(_ format: GenerationRequest.ResponseFormat?, maxTokens: Int) throws -> SchemaNode? {
        guard let format else { return nil }
        let node: SchemaNode
        do { node = try SchemaNode(format.schema) } catch {
            throw APIError.invalid("'response_format' schema: \(error)", param: "response_format", code: "invalid_schema")
        }
        if node.minLength > maxTokens {
            throw APIError.invalid("max_tokens is \(maxTokens), but the shortest JSON matching the response_format schema takes "
                                   + "\(node.minLength) tokens; raise max_tokens", param: "max_tokens")
        }
        return node
    }

    /// Runs the shadow candidate on the request the primary just answered, after everything queued
    /// before it; its reply goes to the log only (marked `shadow`, with the primary's request id).
    func runShadow(_ candidate: String, of job: GenerationJob, reply: ReplyContext) {
        guard rollout.claimShadow(limit: configuration.limits.maxConcurrentRequests) else { return }
        let start = Date()
        let shadowJob = GenerationJob(promptIDs: job.promptIDs, adapter: candidate, maxTokens: job.maxTokens, sampling: job.sampling,
                                      stop: job.stop, deadline: start.addingTimeInterval(configuration.limits.requestTimeout),
                                      schema: job.schema)
        var shadowReply = reply
        shadowReply.role = .shadow
        shadowReply.served = candidate
        shadowReply.arrival = start
        let engine = engine
        Task {
            defer { self.rollout.shadowDone() }
            do { self.finish(shadowReply, outcome: try await engine.generate(shadowJob)) } catch { self.failed(shadowReply) }
        }
    }

    /// What every chunk and the log line of one request repeat.
    struct ReplyContext: Sendable {
        var id: String
        var created: Int
        var route: GenerationRoute
        var request: GenerationRequest
        var seed: UInt64
        var arrival: Date
        /// The request's part in a rollout (nil without one).
        var role: Role?
        /// What answered: `base` or the adapter's name.
        var served: String
        /// The request's novelty score, when the rollout's fallback scored it.
        var novelty: Double?

        enum Role: String, Sendable { case primary, canary, shadow, fallback }
    }

    /// Streams the reply: a first chunk (the assistant role), one chunk per piece of text, a last
    /// chunk with the finish reason, the usage chunk when asked, `data: [DONE]`. A write that fails
    /// (the client went away) stops the generation at its next token and frees the slot.
    func stream(_ job: GenerationJob, reply: ReplyContext, to writer: inout any ResponseBodyWriter) async throws {
        let (pieces, continuation) = AsyncStream<String>.makeStream()
        let engine = engine
        let generation = Task {
            defer { continuation.finish() }
            return try await engine.generate(job) { continuation.yield($0) }
        }
        var connected = true
        func send(_ event: String) async {
            guard connected else { return }
            do { try await writer.write(ByteBuffer(string: event)) } catch {
                connected = false
                job.cancellation.cancel()
            }
        }
        await send(ServerSentEvents.data(chunk(reply, text: "", first: true, finish: nil)))
        for await piece in pieces {
            await send(ServerSentEvents.data(chunk(reply, text: piece, first: false, finish: nil)))
        }
        if Task.isCancelled { connected = false; job.cancellation.cancel() }
        let outcome: GenerationOutcome
        defer { job.cancellation.finish() }
        do { outcome = try await generation.value } catch {
            failed(reply)
            let api = error as? APIError ?? APIError(.internalServerError, "generation failed: \(error)", type: "server_error")
            metrics.recordStreamFailure("error")
            await send(ServerSentEvents.data(api.json))
            await send(ServerSentEvents.done)
            if connected { try await writer.finish(nil) }
            return
        }
        var finished = outcome
        if !connected { finished.finishReason = .disconnected }
        finish(reply, outcome: finished)
        switch finished.finishReason {
        case .timeout:
            metrics.recordStreamFailure("timeout")
            await send(ServerSentEvents.data(APIError.timedOut(seconds: configuration.limits.requestTimeout).json))
        case .disconnected:
            metrics.recordStreamFailure("disconnected")
        case .stop, .length:
            await send(ServerSentEvents.data(chunk(reply, text: nil, first: false, finish: finished.finishReason.rawValue)))
            if reply.request.streamUsage {
                await send(ServerSentEvents.data(["id": .string(reply.id), "object": .string(reply.route.chunkObject), "created": .int(reply.created),
                                                  "model": .string(reply.request.model), "choices": [], "usage": Self.usage(finished)]))
            }
        }
        await send(ServerSentEvents.done)
        if connected { try? await writer.finish(nil) }
    }

    /// One streamed chunk: chat chunks carry a `delta`, completion chunks the `text`.
    func chunk(_ reply: ReplyContext, text: String?, first: Bool, finish: String?) -> JSONValue {
        let choice: JSONValue
        if reply.route == .chat {
            var delta = [(String, JSONValue)]()
            if first { delta.append(("role", "assistant")) }
            if let text { delta.append(("content", .string(text))) }
            choice = ["index": 0, "delta": .object(delta), "logprobs": .null, "finish_reason": .optional(finish)]
        } else {
            choice = ["text": .string(text ?? ""), "index": 0, "logprobs": .null, "finish_reason": .optional(finish)]
        }
        return ["id": .string(reply.id), "object": .string(reply.route.chunkObject), "created": .int(reply.created),
                "model": .string(reply.request.model), "choices": [choice]]
    }

    static func usage(_ outcome: GenerationOutcome) -> JSONValue {
        ["prompt_tokens": .int(outcome.promptTokens), "completion_tokens": .int(outcome.completionTokens),
         "total_tokens": .int(outcome.promptTokens + outcome.completionTokens)]
    }

    /// Counts the generation (a shadow's only in the rollout's counts), feeds a candidate's reply to
    /// the rollback rules, and writes its log line (with the rule, when this reply made one fire).
    func finish(_ reply: ReplyContext, outcome: GenerationOutcome) {
        let seconds = Date().timeIntervalSince(reply.arrival)
        if reply.role != .shadow {
            metrics.recordGeneration(promptTokens: outcome.promptTokens, completionTokens: outcome.completionTokens, seconds: seconds)
            if reply.request.responseFormat != nil {
                metrics.recordConstrained(tokens: outcome.completionTokens, maskSeconds: outcome.maskSeconds)
            }
        }
        var fired: RolloutController.Rollback?
        if reply.role == .canary || reply.role == .shadow, outcome.finishReason != .disconnected {
            let schema = rollout.plan?.schema ?? reply.request.responseFormat?.schema
            fired = observe(reply, RolloutObservation(schemaValid: RolloutController.isSchemaValid(outcome.text, schema: schema),
                                                      failed: outcome.finishReason == .timeout,
                                                      refusal: RefusalDetector.isRefusal(outcome.text), latencySeconds: seconds))
        }
        guard let log else { return }
        let messages: [(role: String, content: String)]
        switch reply.request.input {
        case .chat(let turns): messages = turns.map { ($0.role, $0.content) }
        case .text(let prompt): messages = [("user", prompt)]
        }
        var entry = RequestLogEntry(time: reply.arrival, id: reply.id, route: reply.route.rawValue,
                                    model: reply.role == nil ? reply.request.model : reply.served,
                                    messages: messages, reply: outcome.text, finishReason: outcome.finishReason.rawValue,
                                    promptTokens: outcome.promptTokens, completionTokens: outcome.completionTokens,
                                    latencySeconds: seconds, temperature: reply.request.temperature, seed: reply.seed)
        entry.role = reply.role?.rawValue
        entry.rollback = fired
        if reply.role != .shadow { entry.novelty = reply.novelty }
        do { try log.append(entry.json) } catch { logger.error("\(error)") }
    }

    /// A candidate's request that failed (an error instead of a reply) counts against it.
    func failed(_ reply: ReplyContext) {
        guard reply.role == .canary || reply.role == .shadow else { return }
        if let fired = observe(reply, RolloutObservation(schemaValid: false, failed: true, refusal: false,
                                                          latencySeconds: Date().timeIntervalSince(reply.arrival))),
           let log {
            let line: JSONValue = ["time": .string(RequestLogEntry.timeText(Date())), "id": .string(reply.id), "event": "rollback",
                                  "role": .string(reply.role!.rawValue), "rollback": RequestLogEntry.rollbackJSON(fired)]
            try? log.append(line)
        }
    }

    /// Feeds one observation to the rollback rules; says so in the server's log when a rule fires.
    private func observe(_ reply: ReplyContext, _ observation: RolloutObservation) -> RolloutController.Rollback? {
        guard let fired = rollout.observe(observation) else { return nil }
        logger.warning("rollout: rollback — \(fired.text); every request goes to the primary again")
        return fired
    }

    /// 24 random hexadecimal digits.
    static func randomID() -> String {
        var rng = SystemRandomNumberGenerator()
        return (0..<3).map { _ in String(rng.next() as UInt32, radix: 16).leftPadded(to: 8) }.joined()
    }
}

/// Server-sent events as OpenAI streams them.
enum ServerSentEvents {
    static func data(_ json: JSONValue) -> String { "data: \(json.text)\n\n" }
    static let done = "data: [DONE]\n\n"
}

extension String {
    func leftPadded(to width: Int) -> String { count >= width ? self : String(repeating: "0", count: width - count) + self }
}

extension HTTPField.Name {
    /// `x-attune-served-by`: what answered a generation request — `base` or an adapter's name. It
    /// differs from the request's `model` when a rollout routed it (a canary, a fallback); the
    /// body's `model` stays what the client asked for, as OpenAI-compatible servers answer.
    static let attuneServedBy = HTTPField.Name("x-attune-served-by")!
}
