import AsyncHTTPClient
import Essentials
import Foundation
import NIOCore
import XCTest
@testable import AttuneServer

/// Continuous batching over HTTP on the tiny model: requests decoded together get exactly the
/// replies they get one at a time (greedy, seeded sampling, an adapter, a stop sequence,
/// response_format, streaming); a request queued behind a full batch is served once a place
/// frees; a client that disconnects frees its place.
final class BatchingTests: XCTestCase {
    let schema = #"{"type": "object", "required": ["category", "urgent"], "additionalProperties": false, "properties": {"category": {"enum": ["billing", "bug"]}, "urgent": {"type": "boolean"}}}"#

    /// Request bodies that exercise every per-request part of a sequence's state.
    func bodies(stopFrom greedyReply: String?) -> [(name: String, body: String, stream: Bool)] {
        var list: [(String, String, Bool)] = [
            ("greedy", chatBody("My invoice is wrong", maxTokens: 30), false),
            ("greedy-long", chatBody("The app crashes when I open settings and then press back twice", maxTokens: 40), false),
            ("seeded", chatBody("Where is my parcel?", maxTokens: 30, temperature: 1, extra: "\"seed\": 7"), false),
            ("adapter", chatBody("My invoice is wrong", model: "tuned", maxTokens: 30), false),
            ("streamed", chatBody("Reset my password", maxTokens: 25, extra: "\"stream\": true"), true),
            ("schema", chatBody("Classify: my card was charged twice", maxTokens: 60,
                                extra: #""response_format": {"type": "json_schema", "json_schema": {"name": "t", "schema": \#(schema)}}"#), false),
        ]
        if let greedyReply, greedyReply.unicodeScalars.count > 8 {
            let stop = String(String.UnicodeScalarView(Array(greedyReply.unicodeScalars)[5..<7]))
            list.append(("stop", chatBody("My invoice is wrong", maxTokens: 30, extra: "\"stop\": [\(JSONValue.string(stop).text)]"), false))
        }
        return list
    }

    /// The reply's text and finish reason (the streamed chunks joined).
    func outcome(_ reply: ServerHarness.Reply, stream: Bool) throws -> String {
        XCTAssertEqual(reply.status, 200, reply.body)
        guard stream else {
            let json = try reply.json
            guard case .string(let text)? = json["choices"]?[0]?["message"]?["content"],
                  case .string(let finish)? = json["choices"]?[0]?["finish_reason"] else { return "unreadable: \(reply.body)" }
            return "\(finish) · \(json["usage"]?["completion_tokens"]?.numberValue ?? -1) · \(text)"
        }
        var text = "", finish = ""
        for event in ServerHarness.events(reply.body) where event != "[DONE]" {
            let chunk = try JSONValue.parse(Data(event.utf8))
            if case .string(let piece)? = chunk["choices"]?[0]?["delta"]?["content"] { text += piece }
            if case .string(let reason)? = chunk["choices"]?[0]?["finish_reason"] { finish = reason }
        }
        return "\(finish) · stream · \(text)"
    }

    func testConcurrentRequestsGetTheirOneAtATimeReplies() async throws {
        let adapter = try saveTinyAdapter(to: temporaryFolder(self).appendingPathComponent("a"), seed: 7)
        // One at a time: --max-batch 1, each request sent after the previous reply.
        let alone = try await startServer(adapters: [("tuned", adapter)]) { $0.maxBatch = 1 }
        let greedy = try outcome(try await alone.post("/v1/chat/completions", chatBody("My invoice is wrong", maxTokens: 30)), stream: false)
        let requests = bodies(stopFrom: String(greedy.split(separator: "·", maxSplits: 2).last ?? "").trimmingCharacters(in: .whitespaces))
        var expected: [String: String] = [:]
        for request in requests {
            expected[request.name] = try outcome(try await alone.post("/v1/chat/completions", request.body), stream: request.stream)
        }
        let aloneSingles = try await alone.metric("attune_batch_size_bucket{le=\"1\"}"), aloneSteps = try await alone.metric("attune_batch_size_count")
        XCTAssertEqual(aloneSingles, aloneSteps, "--max-batch 1 decodes one sequence per step")

        // Together: the engine is held after the first request's first token until every other
        // request waits, so they all join the batch (4 places: the last ones wait for a free one).
        let gate = TokenGate(passFirst: 1)
        let batched = try await startServer(adapters: [("tuned", adapter)], hooks: EngineHooks(afterToken: { gate.afterToken() })) { $0.maxBatch = 4 }
        defer { gate.release() }
        let first = Task { try await batched.post("/v1/chat/completions", requests[0].body) }
        try await batched.eventually("the first request holds the engine") { gate.isHolding }
        var others: [Task<ServerHarness.Reply, any Error>] = []
        for request in requests.dropFirst() { others.append(Task { try await batched.post("/v1/chat/completions", request.body) }) }
        try await batched.eventually("every other request is queued") {
            try await batched.metric("attune_queue_length") == Double(requests.count - 1)
        }
        gate.release()
        var got: [String: String] = [requests[0].name: try outcome(try await first.value, stream: requests[0].stream)]
        for (request, task) in zip(requests.dropFirst(), others) { got[request.name] = try outcome(try await task.value, stream: request.stream) }
        for request in requests { XCTAssertEqual(got[request.name], expected[request.name], "\(request.name): batched reply differs from its reply alone") }
        XCTAssertTrue(expected["stop"]?.hasPrefix("stop") ?? true, expected["stop"] ?? "")

        // The batch really held 4 sequences at some step, and never more.
        let steps = try await batched.metric("attune_batch_size_count") ?? 0
        let upToThree = try await batched.metric("attune_batch_size_bucket{le=\"3\"}") ?? 0
        let upToFour = try await batched.metric("attune_batch_size_bucket{le=\"4\"}") ?? 0
        let maxBatch = try await batched.metric("attune_batch_max")
        XCTAssertLessThan(upToThree, steps, "some step decoded 4 sequences")
        XCTAssertEqual(upToFour, steps, "no step decoded more than 4")
        XCTAssertEqual(maxBatch, 4)
        try await batched.eventually("the batch is empty") { try await batched.metric("attune_batch_active_sequences") == 0 }
    }

    /// Two places, three requests: the third waits while both are taken and is answered (with its
    /// reply alone) once one frees; the batch never holds more than two.
    func testARequestQueuedBehindAFullBatchIsServedWhenAPlaceFrees() async throws {
        let alone = try await startServer { $0.maxBatch = 1 }
        let bodies = [chatBody("first, long", maxTokens: 60), chatBody("second, short", maxTokens: 4), chatBody("third waits", maxTokens: 20)]
        var expected: [String] = []
        for body in bodies { expected.append(try outcome(try await alone.post("/v1/chat/completions", body), stream: false)) }

        let gate = TokenGate(passFirst: 1)
        let server = try await startServer(hooks: EngineHooks(afterToken: { gate.afterToken() })) { $0.maxBatch = 2 }
        defer { gate.release() }
        let first = Task { try await server.post("/v1/chat/completions", bodies[0]) }
        try await server.eventually("the first request holds the engine") { gate.isHolding }
        let second = Task { try await server.post("/v1/chat/completions", bodies[1]) }
        try await server.eventually("the second is queued") { try await server.metric("attune_queue_length") == 1 }
        let third = Task { try await server.post("/v1/chat/completions", bodies[2]) }
        try await server.eventually("the third is queued") { try await server.metric("attune_queue_length") == 2 }
        gate.release()
        let replies = [try await first.value, try await second.value, try await third.value]
        XCTAssertEqual(try replies.map { try outcome($0, stream: false) }, expected)
        let steps = try await server.metric("attune_batch_size_count") ?? 0
        let upToTwo = try await server.metric("attune_batch_size_bucket{le=\"2\"}") ?? 0
        let single = try await server.metric("attune_batch_size_bucket{le=\"1\"}") ?? 0
        XCTAssertEqual(upToTwo, steps, "never more than --max-batch 2 together")
        XCTAssertLessThan(single, steps, "the first two shared steps")
    }

    /// One place: a streaming client holds it and disconnects; its sequence leaves the batch at
    /// the next token and the queued request takes the place.
    func testADisconnectFreesThePlaceForTheQueuedRequest() async throws {
        let folder = try temporaryFolder(self)
        let logPath = folder.appendingPathComponent("requests.jsonl").path
        let gate = TokenGate(passFirst: 2)
        let server = try await startServer(hooks: EngineHooks(afterToken: { gate.afterToken() })) {
            $0.maxBatch = 1
            $0.logPath = logPath
        }
        defer { gate.release() }
        var request = HTTPClientRequest(url: server.base + "/v1/chat/completions")
        request.method = .POST
        request.body = .bytes(ByteBuffer(string: chatBody("hold the place", maxTokens: 200, extra: "\"stream\": true")))
        let client = server.client
        let streaming = Task {
            let response = try await client.execute(request, timeout: .seconds(60))
            for try await _ in response.body {}
        }
        try await server.eventually("the engine holds the stream") { gate.isHolding }
        let queued = Task { try await server.post("/v1/chat/completions", chatBody("next in line", maxTokens: 5)) }
        try await server.eventually("the second request waits for the place") { try await server.metric("attune_queue_length") == 1 }
        streaming.cancel()
        _ = await streaming.result
        try await server.eventually("the server sees the client go") { try await server.metric("attune_client_disconnects_total") == 1 }
        gate.release()
        let reply = try await queued.value
        XCTAssertEqual(reply.status, 200, reply.body)
        // The held stream's handler writes its log line once its generation returns, which may be
        // after the queued reply went out: wait for the line rather than race it.
        func heldEntry() throws -> JSONValue? {
            try RequestLog.read(path: logPath).entries.first { $0["messages"]?[0]?["content"] == "hold the place" }
        }
        try await server.eventually("the held stream's log line is written") { try heldEntry() != nil }
        let held = try XCTUnwrap(try heldEntry())
        XCTAssertEqual(held["finish_reason"], "disconnected")
        XCTAssertLessThanOrEqual(held["completion_tokens"]?.numberValue ?? 999, 4, "the sequence left at the gate, not after 200 tokens")
        try await server.eventually("the batch is empty") { try await server.metric("attune_batch_active_sequences") == 0 }
    }

    func testMaxBatchIsValidated() {
        var configuration = ServerConfiguration(host: "127.0.0.1", port: 0)
        configuration.maxBatch = 0
        XCTAssertThrowsError(try configuration.validate()) { XCTAssertTrue("\($0)".contains("--max-batch must be 1…64 (got 0)"), "\($0)") }
        configuration.maxBatch = 64
        XCTAssertNoThrow(try configuration.validate())
    }
}
