import Essentials
import Foundation
import Models
import Tokenization
import XCTest
@testable import AttuneServer

/// Every route through real HTTP on 127.0.0.1 against the tiny model: replies equal what
/// `generate` gives (the same `LoadedModel.reply`), streaming equals the whole reply, adapters
/// are selected by `model` and load and unload while the server runs.
final class ServerRouteTests: XCTestCase {
    func testHealthModelsAndMetrics() async throws {
        let server = try await startServer()
        let health = try await server.get("/health")
        XCTAssertEqual(health.status, 200)
        XCTAssertEqual(try health.json["status"], "ok")
        XCTAssertEqual(try health.json["model"], "tiny")
        XCTAssertEqual(try health.json["active_requests"], 0)
        XCTAssertNotNil(health.headers.first(name: "x-request-id"))

        let models = try await server.get("/v1/models")
        XCTAssertEqual(models.status, 200)
        XCTAssertEqual(try models.json["object"], "list")
        XCTAssertEqual(try models.json["data"]?.arrayValue?.compactMap { $0["id"]?.stringValue }, ["base"])

        _ = try await server.post("/v1/chat/completions", chatBody("Hi", maxTokens: 5))
        _ = try await server.post("/v1/chat/completions", "{nope")
        let metrics = try await server.get("/metrics")
        XCTAssertEqual(metrics.status, 200)
        XCTAssertTrue(metrics.headers.first(name: "content-type")?.hasPrefix("text/plain; version=0.0.4") == true)
        let text = metrics.body
        for line in ["attune_http_requests_total{route=\"/v1/chat/completions\",code=\"200\"} 1",
                     "attune_http_requests_total{route=\"/v1/chat/completions\",code=\"400\"} 1",
                     "attune_http_errors_total{route=\"/v1/chat/completions\",code=\"400\"} 1",
                     "attune_request_duration_seconds_count 1", "attune_request_duration_seconds_bucket{le=\"+Inf\"} 1",
                     "attune_queue_length 0", "attune_active_requests 0", "# TYPE attune_request_duration_seconds histogram"] {
            XCTAssertTrue(text.contains(line + "\n"), "metrics has \(line):\n\(text)")
        }
        let prompt = try XCTUnwrap(text.split(separator: "\n").first { $0.hasPrefix("attune_prompt_tokens_total ") })
        let completion = try XCTUnwrap(text.split(separator: "\n").first { $0.hasPrefix("attune_completion_tokens_total ") })
        let reference = try referenceReply([ChatMessage(role: "user", content: "Hi")], maxTokens: 5)
        XCTAssertEqual(Int(prompt.split(separator: " ")[1]), try PromptRenderer(tinyModel()).ids(for: .chat([ChatMessage(role: "user", content: "Hi")])).count)
        XCTAssertEqual(Int(completion.split(separator: " ")[1]), reference.tokens)
    }

    func testChatReplyAtTemperatureZeroEqualsGenerate() async throws {
        let server = try await startServer()
        for prompt in ["My API calls are returning 429 errors", "Hello there", "ünïcödé ✓"] {
            let reply = try await server.post("/v1/chat/completions", chatBody(prompt, maxTokens: 40))
            XCTAssertEqual(reply.status, 200, reply.body)
            let json = try reply.json
            let expected = try referenceReply([ChatMessage(role: "user", content: prompt)], maxTokens: 40)
            XCTAssertEqual(json["choices"]?[0]?["message"]?["content"]?.stringValue, expected.text, prompt)
            XCTAssertEqual(json["choices"]?[0]?["message"]?["role"], "assistant")
            XCTAssertEqual(json["object"], "chat.completion")
            XCTAssertEqual(json["model"], "base")
            XCTAssertTrue(json["id"]?.stringValue?.hasPrefix("chatcmpl-") == true)
            XCTAssertEqual(json["usage"]?["completion_tokens"]?.numberValue, Double(expected.tokens))
            let finish = json["choices"]?[0]?["finish_reason"]?.stringValue
            XCTAssertEqual(finish, expected.tokens == 40 ? "length" : "stop")
        }
        // The model's own name selects the base model too.
        let named = try await server.post("/v1/chat/completions", chatBody("Hello there", model: "tiny", maxTokens: 40))
        XCTAssertEqual(try named.json["choices"]?[0]?["message"]?["content"]?.stringValue,
                       try referenceReply([ChatMessage(role: "user", content: "Hello there")], maxTokens: 40).text)
    }

    func testSystemMessagesAndTextPartsReachTheTemplate() async throws {
        let server = try await startServer()
        let body = #"{"messages": [{"role": "developer", "content": "Be brief."}, {"role": "user", "content": [{"type": "text", "text": "Hel"}, {"type": "text", "text": "lo"}]}], "temperature": 0, "max_tokens": 30}"#
        let reply = try await server.post("/v1/chat/completions", body)
        XCTAssertEqual(reply.status, 200, reply.body)
        let expected = try referenceReply([ChatMessage(role: "system", content: "Be brief."), ChatMessage(role: "user", content: "Hello")], maxTokens: 30)
        XCTAssertEqual(try reply.json["choices"]?[0]?["message"]?["content"]?.stringValue, expected.text)
    }

    func testCompletionContinuesPlainText() async throws {
        let server = try await startServer()
        let reply = try await server.post("/v1/completions", #"{"model": "base", "prompt": "Once upon a time", "max_tokens": 30, "temperature": 0}"#)
        XCTAssertEqual(reply.status, 200, reply.body)
        let model = try tinyModel()
        let expected = try model.complete("Once upon a time", maxTokens: 30, sampling: SamplingOptions())
        XCTAssertEqual(try reply.json["choices"]?[0]?["text"]?.stringValue, expected.text)
        XCTAssertEqual(try reply.json["object"], "text_completion")
        XCTAssertEqual(try reply.json["usage"]?["prompt_tokens"]?.numberValue, Double(model.tokenizer.encode("Once upon a time").count))
    }

    func testStreamingSendsTheSameTextAsChunksEndingWithDone() async throws {
        let server = try await startServer()
        let whole = try await server.post("/v1/chat/completions", chatBody("Stream me", maxTokens: 40))
        let reply = try await server.post("/v1/chat/completions",
                                          chatBody("Stream me", maxTokens: 40, extra: #""stream": true, "stream_options": {"include_usage": true}"#))
        XCTAssertEqual(reply.status, 200)
        XCTAssertEqual(reply.headers.first(name: "content-type"), "text/event-stream")
        let events = ServerHarness.events(reply.body)
        XCTAssertEqual(events.last, "[DONE]")
        let chunks = try events.dropLast().map { try JSONValue.parse(Data($0.utf8)) }
        XCTAssertEqual(chunks.first?["choices"]?[0]?["delta"]?["role"], "assistant")
        XCTAssertTrue(chunks.allSatisfy { $0["object"] == "chat.completion.chunk" })
        XCTAssertEqual(Set(chunks.compactMap { $0["id"]?.stringValue }).count, 1, "one id for the whole stream")
        let text = chunks.compactMap { $0["choices"]?[0]?["delta"]?["content"]?.stringValue }.joined()
        XCTAssertEqual(text, try whole.json["choices"]?[0]?["message"]?["content"]?.stringValue)
        let finishChunk = chunks.first { $0["choices"]?[0]?["finish_reason"]?.stringValue != nil }
        XCTAssertEqual(finishChunk?["choices"]?[0]?["finish_reason"], try whole.json["choices"]?[0]?["finish_reason"])
        XCTAssertEqual(chunks.last?["usage"], try whole.json["usage"], "the usage chunk comes last")

        let completion = try await server.post("/v1/completions", #"{"prompt": "abc", "max_tokens": 20, "temperature": 0, "stream": true}"#)
        let completionEvents = ServerHarness.events(completion.body)
        XCTAssertEqual(completionEvents.last, "[DONE]")
        let streamed = try completionEvents.dropLast().compactMap { try JSONValue.parse(Data($0.utf8))["choices"]?[0]?["text"]?.stringValue }.joined()
        XCTAssertEqual(streamed, try tinyModel().complete("abc", maxTokens: 20).text)
    }

    func testStopSequencesCutTheReplyAlsoWhenStreamed() async throws {
        let server = try await startServer()
        let fullReply = try await server.post("/v1/completions", #"{"prompt": "abc", "max_tokens": 40, "temperature": 0}"#)
        let full = try XCTUnwrap(try fullReply.json["choices"]?[0]?["text"]?.stringValue)
        let scalars = Array(full.unicodeScalars)
        XCTAssertGreaterThan(scalars.count, 6, "the tiny model writes enough text to cut: \(full.debugDescription)")
        let stop = String(String.UnicodeScalarView(scalars[4..<6]))
        let cut = full.range(of: stop).map { String(full[..<$0.lowerBound]) }!
        for stream in [false, true] {
            let body = #"{"prompt": "abc", "max_tokens": 40, "temperature": 0, "stop": [\#(JSONValue.string(stop).text), "\u0001never"], "stream": \#(stream)}"#
            let reply = try await server.post("/v1/completions", body)
            XCTAssertEqual(reply.status, 200, reply.body)
            if stream {
                let chunks = try ServerHarness.events(reply.body).dropLast().map { try JSONValue.parse(Data($0.utf8)) }
                XCTAssertEqual(chunks.compactMap { $0["choices"]?[0]?["text"]?.stringValue }.joined(), cut)
                XCTAssertEqual(chunks.last?["choices"]?[0]?["finish_reason"], "stop")
            } else {
                XCTAssertEqual(try reply.json["choices"]?[0]?["text"]?.stringValue, cut)
                XCTAssertEqual(try reply.json["choices"]?[0]?["finish_reason"], "stop")
            }
        }
    }

    func testSeedMakesSamplingRepeatable() async throws {
        let server = try await startServer()
        func sample(_ seed: Int) async throws -> String? {
            try await server.post("/v1/chat/completions", chatBody("Tell me", maxTokens: 30, temperature: 1.0, extra: "\"seed\": \(seed), \"top_p\": 0.9"))
                .json["choices"]?[0]?["message"]?["content"]?.stringValue
        }
        let a = try await sample(7), b = try await sample(7), c = try await sample(8)
        XCTAssertEqual(a, b)
        XCTAssertNotEqual(a, c)
        let expected = try referenceReply([ChatMessage(role: "user", content: "Tell me")], maxTokens: 30,
                                          sampling: SamplingOptions(temperature: 1, topP: 0.9, seed: 7))
        XCTAssertEqual(a, expected.text)
    }

    func testAdapterSelectionAndLoadUnloadWhileRunning() async throws {
        let folder = try temporaryFolder(self)
        let first = try saveTinyAdapter(to: folder.appendingPathComponent("first"), seed: 1)
        let second = try saveTinyAdapter(to: folder.appendingPathComponent("second"), seed: 2)
        let server = try await startServer(adapters: [("first", first)])
        let prompt = "Route this ticket"
        let message = [ChatMessage(role: "user", content: prompt)]
        func reply(_ model: String) async throws -> ServerHarness.Reply {
            try await server.post("/v1/chat/completions", chatBody(prompt, model: model, maxTokens: 30))
        }
        let base = try referenceReply(message, maxTokens: 30).text
        let tuned = try referenceReply(message, adapterFolder: first, maxTokens: 30).text
        XCTAssertNotEqual(base, tuned, "the test adapter changes the reply")
        // Alternating requests swap the adapter on and off the model.
        for _ in 0..<2 {
            do { let value = try await reply("first").json["choices"]?[0]?["message"]?["content"]?.stringValue; XCTAssertEqual(value, tuned) }
            do { let value = try await reply("base").json["choices"]?[0]?["message"]?["content"]?.stringValue; XCTAssertEqual(value, base) }
        }
        do { let value = try await reply("first").json["model"]; XCTAssertEqual(value, "first") }

        // Load a second adapter over HTTP.
        let loaded = try await server.post("/v1/adapters", #"{"name": "second", "path": \#(JSONValue.string(second.path).text)}"#)
        XCTAssertEqual(loaded.status, 200, loaded.body)
        XCTAssertEqual(try loaded.json["id"], "second")
        XCTAssertEqual(try loaded.json["lora"]?["r"], 4)
        let models = try await server.get("/v1/models").json["data"]?.arrayValue?.compactMap { $0["id"]?.stringValue }
        XCTAssertEqual(models, ["base", "first", "second"])
        let secondTuned = try referenceReply(message, adapterFolder: second, maxTokens: 30).text
        do { let value = try await reply("second").json["choices"]?[0]?["message"]?["content"]?.stringValue; XCTAssertEqual(value, secondTuned) }
        do { let value = try await reply("first").json["choices"]?[0]?["message"]?["content"]?.stringValue; XCTAssertEqual(value, tuned) }

        // The same name twice is a conflict; a missing folder is 404; a bad one is 400.
        let again = try await server.post("/v1/adapters", #"{"name": "second", "path": \#(JSONValue.string(second.path).text)}"#)
        XCTAssertEqual(again.status, 409)
        XCTAssertEqual(again.errorCode, "adapter_exists")
        let missing = try await server.post("/v1/adapters", #"{"name": "third", "path": "/no/such/folder"}"#)
        XCTAssertEqual(missing.status, 404)
        XCTAssertEqual(missing.errorCode, "adapter_not_found")
        let notAdapter = try await server.post("/v1/adapters", #"{"name": "third", "path": \#(JSONValue.string(folder.path).text)}"#)
        XCTAssertEqual(notAdapter.status, 400)
        XCTAssertEqual(notAdapter.errorCode, "invalid_adapter")
        XCTAssertTrue(notAdapter.errorMessage.contains("adapter_config.json"), notAdapter.errorMessage)
        let noName = try await server.post("/v1/adapters", #"{"path": "x"}"#)
        XCTAssertEqual(noName.status, 400)
        XCTAssertEqual(noName.errorCode, "missing_required_parameter")

        // Unload: the name is gone, the others still answer.
        let deleted = try await server.request(.DELETE, "/v1/adapters/first")
        XCTAssertEqual(deleted.status, 200, deleted.body)
        XCTAssertEqual(try deleted.json["deleted"], true)
        do { let value = try await reply("first").status; XCTAssertEqual(value, 404) }
        do { let value = try await reply("base").json["choices"]?[0]?["message"]?["content"]?.stringValue; XCTAssertEqual(value, base) }
        do { let value = try await reply("second").json["choices"]?[0]?["message"]?["content"]?.stringValue; XCTAssertEqual(value, secondTuned) }
        let deletedAgain = try await server.request(.DELETE, "/v1/adapters/first")
        XCTAssertEqual(deletedAgain.status, 404)
        do { let value = try await server.request(.DELETE, "/v1/adapters/base").status; XCTAssertEqual(value, 400) }
    }

    func testAdapterTrainedOnAnotherModelNeedsForce() async throws {
        let folder = try temporaryFolder(self)
        let adapter = try saveTinyAdapter(to: folder.appendingPathComponent("a"), seed: 3)
        let config = adapter.appendingPathComponent("adapter_config.json")
        let text = try String(contentsOf: config, encoding: .utf8).replacingOccurrences(of: "\"tiny\"", with: "\"HuggingFaceTB/SmolLM2-135M-Instruct\"")
        try text.write(to: config, atomically: true, encoding: .utf8)
        let server = try await startServer()
        let refused = try await server.post("/v1/adapters", #"{"name": "a", "path": \#(JSONValue.string(adapter.path).text)}"#)
        XCTAssertEqual(refused.status, 400)
        XCTAssertEqual(refused.errorCode, "adapter_mismatch")
        XCTAssertTrue(refused.errorMessage.contains("SmolLM2-135M-Instruct"), refused.errorMessage)
        let forced = try await server.post("/v1/adapters", #"{"name": "a", "path": \#(JSONValue.string(adapter.path).text), "force": true}"#)
        XCTAssertEqual(forced.status, 200, forced.body)
    }
}
