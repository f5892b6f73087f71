import Foundation
import Tokenization
import XCTest
@testable import AttuneServer

/// `serve send`'s client through real HTTP against the tiny model: replies equal `generate`'s at
/// temperature 0; bad addresses, a server that is not there and HTTP errors give messages that
/// name the problem (and the server's own message).
final class ChatClientTests: XCTestCase {
    func testChatAndCompletionRepliesEqualGenerate() async throws {
        let server = try await startServer()
        let client = try ChatClient(url: server.base + "/v1/")
        XCTAssertEqual(client.baseURL, server.base)
        let messages = [ChatMessage(role: "user", content: "My invoice is wrong")]
        let reply = try await client.chat(model: "base", messages: messages, maxTokens: 20)
        let expected = try referenceReply(messages, maxTokens: 20)
        XCTAssertEqual(reply.text, expected.text)
        XCTAssertEqual(reply.completionTokens, expected.tokens)
        XCTAssertEqual(reply.finishReason, expected.tokens == 20 ? "length" : "stop")
        let completion = try await client.complete(model: "base", prompt: "Once upon", maxTokens: 8)
        XCTAssertEqual(completion.completionTokens, 8)
        let again = try await client.complete(model: "base", prompt: "Once upon", maxTokens: 8)
        XCTAssertEqual(completion, again, "temperature 0 is deterministic")
    }

    func testAnAdapterIsSelectedByModel() async throws {
        let folder = try saveTinyAdapter(to: temporaryFolder(self).appendingPathComponent("a"), seed: 7)
        let server = try await startServer(adapters: [("tuned", folder)])
        let messages = [ChatMessage(role: "user", content: "Hello")]
        let reply = try await ChatClient(url: server.base).chat(model: "tuned", messages: messages, maxTokens: 12)
        XCTAssertEqual(reply.text, try referenceReply(messages, adapterFolder: folder, maxTokens: 12).text)
    }

    func testBadAddressesAreRefusedWithTheForm() {
        for bad in ["127.0.0.1:8080", "ftp://127.0.0.1:8080", "http://", "not a url", "http://127.0.0.1:8080/v1/chat/completions",
                    "http://127.0.0.1:8080?x=1"] {
            XCTAssertThrowsError(try ChatClient(url: bad), bad) { error in
                XCTAssertTrue("\(error)".contains("http://HOST:PORT"), "\(bad): \(error)")
            }
        }
        XCTAssertThrowsError(try ChatClient(url: "http://127.0.0.1:70000")) { XCTAssertTrue("\($0)".contains("70000"), "\($0)") }
    }

    func testAServerThatIsNotThereSaysConnectionRefused() async throws {
        let server = try await startServer()
        let port = server.running.port
        await server.running.stop()  // the port is free again: nothing listens
        do {
            _ = try await ChatClient(url: "http://127.0.0.1:\(port)").chat(model: "base", messages: [ChatMessage(role: "user", content: "x")], maxTokens: 2)
            XCTFail("no server answered")
        } catch {
            XCTAssertTrue("\(error)".contains("cannot reach http://127.0.0.1:\(port): nothing listens there (connection refused)"), "\(error)")
            XCTAssertTrue("\(error)".contains("serve start"), "\(error)")
        }
    }

    func testHTTPErrorsShowTheServersMessage() async throws {
        let server = try await startServer(configure: { $0.apiKey = "k1" })
        let messages = [ChatMessage(role: "user", content: "x")]
        do {
            _ = try await ChatClient(url: server.base, apiKey: "k1").chat(model: "nope", messages: messages, maxTokens: 2)
            XCTFail("unknown model")
        } catch let error as ChatClientError {
            XCTAssertEqual(error.status, 404)
            XCTAssertTrue(error.message.hasPrefix("\(server.base)/v1/chat/completions answered 404 Not Found: The model 'nope' does not exist"),
                          error.message)
        }
        do {
            _ = try await ChatClient(url: server.base).chat(model: "base", messages: messages, maxTokens: 2)
            XCTFail("no key")
        } catch let error as ChatClientError {
            XCTAssertEqual(error.status, 401, error.message)
        }
        let ok = try await ChatClient(url: server.base, apiKey: "k1").chat(model: "base", messages: messages, maxTokens: 2)
        XCTAssertEqual(ok.completionTokens, 2)
    }
}
