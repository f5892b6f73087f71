import Foundation
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
        let adapter = try engine.resolve(parsed.model)
        let ids = try engine.renderer.ids(for: parsed.input)
        let maxTokens = try engine.renderer.maxNewTokens(requested: parsed.maxTokens, promptTokens: ids.count, limits: limits)
        let seed = parsed.seed ?? nextSeed()
        let ticket = try engine.admit(limit: limits.maxConcurrentRequests)
        let job = GenerationJob(promptIDs: ids, adapter: adapter, maxTokens: maxTokens,
                                sampling: SamplingOptions(temperature: Float(parsed.temperature), topP: Float(parsed.topP), seed: seed),
                                stop: parsed.stop, deadline: arrival.addingTimeInterval(limits.requestTimeout))
        // A client that closes its connection frees its slot at the next token.
        let cancellation = job.cancellation, counters = self.metrics
        context.channel.closeFuture.whenComplete { _ in
            if !cancellation.isFinished { counters.recordDisconnect(); cancellation.cancel() }
        }
        let reply = ReplyContext(id: route.idPrefix + Self.randomID(), created: Int(arrival.timeIntervalSince1970), route: route,
                                 request: parsed, seed: seed, arrival: arrival)
        if parsed.stream {
            return Response(status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"],
                            body: ResponseBody { writer in
                                defer { ticket.release() }
                                try await self.stream(job, reply: reply, to: &writer)
                            })
        }
        defer { ticket.release(); job.cancellation.finish() }
        let outcome = try await engine.generate(job)
        finish(reply, outcome: outcome)
        if outcome.finishReason == .timeout { throw APIError.timedOut(seconds: limits.requestTimeout) }
        let usage = Self.usage(outcome)
        let choice: JSONText = route == .chat
            ? ["index": 0, "message": ["role": "assistant", "content": .string(outcome.text)], "logprobs": nil,
               "finish_reason": .string(outcome.finishReason.rawValue)]
            : ["text": .string(outcome.text), "index": 0, "logprobs": nil, "finish_reason": .string(outcome.finishReason.rawValue)]
        return Self.json(["id": .string(reply.id), "object": .string(route.object), "created": .int(reply.created),
                          "model": .string(parsed.model), "choices": [choice], "usage": usage])
    }

    /// What every chunk and the log line of one request repeat.
    struct ReplyContext: Sendable {
        var id: String
        var created: Int
        var route: GenerationRoute
        var request: GenerationRequest
        var seed: UInt64
        var arrival: Date
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
    func chunk(_ reply: ReplyContext, text: String?, first: Bool, finish: String?) -> JSONText {
        let choice: JSONText
        if reply.route == .chat {
            var delta = [(String, JSONText)]()
            if first { delta.append(("role", "assistant")) }
            if let text { delta.append(("content", .string(text))) }
            choice = ["index": 0, "delta": .object(delta), "logprobs": nil, "finish_reason": .optional(finish)]
        } else {
            choice = ["text": .string(text ?? ""), "index": 0, "logprobs": nil, "finish_reason": .optional(finish)]
        }
        return ["id": .string(reply.id), "object": .string(reply.route.chunkObject), "created": .int(reply.created),
                "model": .string(reply.request.model), "choices": [choice]]
    }

    static func usage(_ outcome: GenerationOutcome) -> JSONText {
        ["prompt_tokens": .int(outcome.promptTokens), "completion_tokens": .int(outcome.completionTokens),
         "total_tokens": .int(outcome.promptTokens + outcome.completionTokens)]
    }

    /// Counts the generation and writes its log line.
    func finish(_ reply: ReplyContext, outcome: GenerationOutcome) {
        let seconds = Date().timeIntervalSince(reply.arrival)
        metrics.recordGeneration(promptTokens: outcome.promptTokens, completionTokens: outcome.completionTokens, seconds: seconds)
        guard let log else { return }
        let messages: [(role: String, content: String)]
        switch reply.request.input {
        case .chat(let turns): messages = turns.map { ($0.role, $0.content) }
        case .text(let prompt): messages = [("user", prompt)]
        }
        let entry = RequestLogEntry(time: reply.arrival, id: reply.id, route: reply.route.rawValue, model: reply.request.model,
                                    messages: messages, reply: outcome.text, finishReason: outcome.finishReason.rawValue,
                                    promptTokens: outcome.promptTokens, completionTokens: outcome.completionTokens,
                                    latencySeconds: seconds, temperature: reply.request.temperature, seed: reply.seed)
        do { try log.append(entry.json) } catch { logger.error("\(error)") }
    }

    /// 24 random hexadecimal digits.
    static func randomID() -> String {
        var rng = SystemRandomNumberGenerator()
        return (0..<3).map { _ in String(rng.next() as UInt32, radix: 16).leftPadded(to: 8) }.joined()
    }
}

/// Server-sent events as OpenAI streams them.
enum ServerSentEvents {
    static func data(_ json: JSONText) -> String { "data: \(json.text)\n\n" }
    static let done = "data: [DONE]\n\n"
}

extension String {
    func leftPadded(to width: Int) -> String { count >= width ? self : String(repeating: "0", count: width - count) + self }
}
