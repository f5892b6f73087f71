import AsyncHTTPClient
import Essentials
import Foundation
import NIOCore
import XCTest
@testable import AttuneServer

/// Each limit and each bad request is answered with OpenAI's error JSON and its status, the
/// server keeps serving afterwards, and a client that disconnects mid-stream frees its slot.
final class ServerLimitTests: XCTestCase {
    /// Checks an OpenAI error body: status, `error.type`, `error.code`, a message naming `mentions`.
    func assertError(_ reply: ServerHarness.Reply, status: Int, type: String = "invalid_request_error", code: String?,
                     mentions: String? = nil, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(reply.status, status, reply.body, file: file, line: line)
        XCTAssertEqual(reply.headers.first(name: "content-type"), "application/json", file: file, line: line)
        guard let json = try? reply.json, let error = json["error"] else { return XCTFail("not an error body: \(reply.body)", file: file, line: line) }
        XCTAssertEqual(error["type"]?.stringValue, type, reply.body, file: file, line: line)
        XCTAssertEqual(error["code"]?.stringValue, code, reply.body, file: file, line: line)
        XCTAssertNotNil(error["message"]?.stringValue, file: file, line: line)
        if let mentions { XCTAssertTrue(reply.errorMessage.contains(mentions), "\(reply.errorMessage) mentions \(mentions)", file: file, line: line) }
    }

    func testBadRequestsGetOpenAIErrors() async throws {
        let server = try await startServer()
        let chat = "/v1/chat/completions"
        assertError(try await server.post(chat, "{\"messages\": [}"), status: 400, code: "invalid_json", mentions: "not valid JSON")
        assertError(try await server.post(chat, ""), status: 400, code: "invalid_json", mentions: "empty")
        assertError(try await server.post(chat, "[1, 2]"), status: 400, code: "invalid_json", mentions: "not an array")
        assertError(try await server.post(chat, chatBody("x", model: "nope")), status: 404, code: "model_not_found", mentions: "base")
        assertError(try await server.post(chat, chatBody("x", maxTokens: -5)), status: 400, code: "invalid_value", mentions: "at least 1 (got -5)")
        assertError(try await server.post(chat, chatBody("x", maxTokens: 0)), status: 400, code: "invalid_value", mentions: "max_tokens")
        assertError(try await server.post(chat, chatBody("x", maxTokens: 5000)), status: 400, code: "invalid_value", mentions: "at most 4096")
        assertError(try await server.post(chat, chatBody("x", maxTokens: 250)), status: 400, code: "context_length_exceeded", mentions: "256")
        assertError(try await server.post(chat, chatBody("x", maxTokens: nil, extra: "\"max_tokens\": 2.5")), status: 400, code: "invalid_value", mentions: "whole number")
        assertError(try await server.post(chat, chatBody("x", temperature: 3)), status: 400, code: "invalid_value", mentions: "between 0 and 2")
        assertError(try await server.post(chat, chatBody("x", extra: "\"top_p\": 0")), status: 400, code: "invalid_value", mentions: "top_p")
        assertError(try await server.post(chat, chatBody("x", extra: "\"n\": 2")), status: 400, code: "unsupported_parameter", mentions: "'n' must be 1")
        assertError(try await server.post(chat, chatBody("x", extra: "\"stream\": \"yes\"")), status: 400, code: "invalid_value", mentions: "true or false")
        assertError(try await server.post(chat, chatBody("x", extra: "\"stop\": [1]")), status: 400, code: "invalid_value", mentions: "stop")
        assertError(try await server.post(chat, #"{"model": "base"}"#), status: 400, code: "missing_required_parameter", mentions: "messages")
        assertError(try await server.post(chat, #"{"messages": []}"#), status: 400, code: "invalid_value", mentions: "non-empty")
        assertError(try await server.post(chat, #"{"messages": [{"role": "tool", "content": "x"}]}"#), status: 400, code: "invalid_value", mentions: "tool")
        assertError(try await server.post(chat, #"{"messages": [{"role": "user", "content": 5}]}"#), status: 400, code: "invalid_value", mentions: "messages[0].content")
        assertError(try await server.post(chat, #"{"messages": [{"role": "user", "content": "x"}], "model": 3}"#), status: 400, code: "invalid_value", mentions: "'model' must be a string")
        assertError(try await server.post("/v1/completions", #"{"prompt": ""}"#), status: 400, code: "invalid_value", mentions: "empty")
        assertError(try await server.post("/v1/completions", #"{"prompt": ["a", "b"]}"#), status: 400, code: "invalid_value", mentions: "one prompt per request")

        // Unknown routes and wrong methods.
        assertError(try await server.get("/v1/nothing"), status: 404, code: "unknown_route", mentions: "GET /v1/nothing")
        assertError(try await server.get("/v1/chat/completions"), status: 405, code: "method_not_allowed", mentions: "POST")
        assertError(try await server.post("/health", "{}"), status: 405, code: "method_not_allowed", mentions: "GET")

        // Still serving, and every error was counted.
        do { let value = try await server.post(chat, chatBody("x", maxTokens: 3)).status; XCTAssertEqual(value, 200) }
        XCTAssertEqual(server.server.metrics.requests(route: chat, status: 400), 18)
        XCTAssertEqual(server.server.metrics.requests(route: chat, status: 404), 1)
        XCTAssertEqual(server.server.metrics.requests(route: "unknown", status: 404), 1)
    }

    func testBodyOverTheLimitIs413AndTheServerGoesOn() async throws {
        let server = try await startServer()
        let tenMegabytes = "{\"messages\": [{\"role\": \"user\", \"content\": \"" + String(repeating: "a", count: 10 << 20) + "\"}]}"
        assertError(try await server.post("/v1/chat/completions", tenMegabytes), status: 413, code: "request_too_large", mentions: "1048576 bytes")
        do { let value = try await server.post("/v1/chat/completions", chatBody("after", maxTokens: 3)).status; XCTAssertEqual(value, 200) }
    }

    func testPromptTokenLimit() async throws {
        let server = try await startServer { $0.limits.maxPromptTokens = 20 }
        assertError(try await server.post("/v1/chat/completions", chatBody(String(repeating: "long ", count: 10))),
                    status: 400, code: "context_length_exceeded", mentions: "at most 20")
        assertError(try await server.post("/v1/completions", #"{"prompt": "\#(String(repeating: "b", count: 21))"}"#),
                    status: 400, code: "context_length_exceeded", mentions: "21 tokens")
        do { let value = try await server.post("/v1/completions", #"{"prompt": "\#(String(repeating: "b", count: 20))", "max_tokens": 2}"#).status; XCTAssertEqual(value, 200) }
    }

    func testAPIKeyIsRequiredOnV1Routes() async throws {
        let server = try await startServer { $0.apiKey = "sekret" }
        assertError(try await server.get("/v1/models"), status: 401, type: "authentication_error", code: "invalid_api_key")
        let wrong = try await server.request(.GET, "/v1/models", headers: [("authorization", "Bearer sekreT")])
        assertError(wrong, status: 401, type: "authentication_error", code: "invalid_api_key")
        do { let value = try await server.request(.GET, "/v1/models", headers: [("authorization", "Bearer sekret")]).status; XCTAssertEqual(value, 200) }
        do { let value = try await server.get("/health").status; XCTAssertEqual(value, 200, "health stays open for probes") }
    }

    func testNonLoopbackHostNeedsAnAPIKey() throws {
        var configuration = ServerConfiguration(host: "0.0.0.0", port: 0)
        XCTAssertThrowsError(try configuration.validate()) { XCTAssertTrue("\($0)".contains("--api-key"), "\($0)") }
        configuration.apiKey = "k"
        XCTAssertNoThrow(try configuration.validate())
        for host in ["127.0.0.1", "127.1.2.3", "localhost", "::1", "[::1]"] { XCTAssertTrue(ServerConfiguration.isLoopback(host), host) }
        for host in ["0.0.0.0", "192.168.1.2", "::", "example.com", "127.0.0.256"] { XCTAssertFalse(ServerConfiguration.isLoopback(host), host) }
        XCTAssertThrowsError(try ServerConfiguration(host: "127.0.0.1", port: 70000).validate())
    }

    func testTimeoutIs504OrAnErrorEventInAStream() async throws {
        let server = try await startServer { $0.limits.requestTimeout = 0 }
        assertError(try await server.post("/v1/chat/completions", chatBody("slow")), status: 504, type: "timeout_error", code: "request_timeout")
        let stream = try await server.post("/v1/chat/completions", chatBody("slow", extra: "\"stream\": true"))
        XCTAssertEqual(stream.status, 200)
        let events = ServerHarness.events(stream.body)
        XCTAssertEqual(events.last, "[DONE]")
        XCTAssertEqual(try JSONValue.parse(Data(events[events.count - 2].utf8))["error"]?["code"], "request_timeout")
        do { let value = try await server.metric("attune_stream_failures_total{reason=\"timeout\"}"); XCTAssertEqual(value, 1) }
    }

    /// One request holds the only slot (the gate stops the engine after two tokens): the next
    /// gets 429; the client of the first disconnects mid-stream, which stops its generation,
    /// frees the slot and is logged as `disconnected`.
    func testConcurrencyLimitAndDisconnectFreesTheSlot() async throws {
        let folder = try temporaryFolder(self)
        let logPath = folder.appendingPathComponent("requests.jsonl").path
        let gate = TokenGate(passFirst: 2)
        let server = try await startServer(hooks: EngineHooks(afterToken: { gate.afterToken() })) {
            $0.limits.maxConcurrentRequests = 1
            $0.logPath = logPath
        }
        defer { gate.release() }
        var request = HTTPClientRequest(url: server.base + "/v1/chat/completions")
        request.method = .POST
        request.body = .bytes(ByteBuffer(string: chatBody("hold the slot", maxTokens: 200, extra: "\"stream\": true")))
        let (firstBytes, firstBytesContinuation) = AsyncStream<Void>.makeStream()
        let client = server.client
        let streaming = Task {
            let response = try await client.execute(request, timeout: .seconds(60))
            for try await _ in response.body { firstBytesContinuation.yield() }
        }
        var iterator = firstBytes.makeAsyncIterator()
        _ = await iterator.next()
        try await server.eventually("the engine holds the first request at the gate") { gate.isHolding }

        assertError(try await server.post("/v1/chat/completions", chatBody("second")), status: 429, type: "rate_limit_error",
                    code: "too_many_concurrent_requests", mentions: "1 generation requests")
        do { let value = try await server.metric("attune_active_requests"); XCTAssertEqual(value, 1) }

        streaming.cancel()
        _ = await streaming.result
        try await server.eventually("the server sees the client go") { try await server.metric("attune_client_disconnects_total") == 1 }
        gate.release()
        try await server.eventually("the slot is free") { try await server.metric("attune_active_requests") == 0 }
        do { let value = try await server.post("/v1/chat/completions", chatBody("third", maxTokens: 3)).status; XCTAssertEqual(value, 200) }

        let log = try RequestLog.read(path: logPath)
        let held = try XCTUnwrap(log.entries.first { $0["messages"]?[0]?["content"] == "hold the slot" })
        XCTAssertEqual(held["finish_reason"], "disconnected")
        XCTAssertLessThanOrEqual(held["completion_tokens"]?.numberValue ?? 999, 4, "the generation stopped at the gate, not after 200 tokens")
        do { let value = try await server.metric("attune_stream_failures_total{reason=\"disconnected\"}"); XCTAssertEqual(value, 1) }
    }
}
