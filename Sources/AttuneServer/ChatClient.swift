import AsyncHTTPClient
import Essentials
import Foundation
import NIOCore
import NIOHTTP1
import Tokenization

/// The client `serve send` uses: posts chat (or completion) requests to an OpenAI-compatible
/// server — `attune serve` or any other — and reads the reply. Errors say what went wrong in the
/// user's terms: a URL that is not one, a server that does not answer, an HTTP error with the
/// server's own message.
public struct ChatClient: Sendable {
    /// `http://127.0.0.1:8080` (no trailing slash, no `/v1`).
    public let baseURL: String
    public var apiKey: String?
    /// Seconds one request may take, from connecting to the last byte of the reply.
    public var timeoutSeconds: Int64 = 600

    /// One reply.
    public struct Reply: Sendable, Equatable {
        public var text: String
        /// `stop`, `length`, …
        public var finishReason: String
        public var promptTokens: Int
        public var completionTokens: Int
        /// What answered (`x-attune-served-by`, sent by `attune serve`): `base` or an adapter's
        /// name; nil from servers that do not say.
        public var servedBy: String? = nil
    }

    /// Checks `url`: `http://` or `https://`, a host, an optional port, and nothing after the
    /// path `/` or `/v1` (which the routes add).
    public init(url: String, apiKey: String? = nil) throws {
        var text = url.trimmingCharacters(in: .whitespaces)
        while text.hasSuffix("/") { text.removeLast() }
        if text.hasSuffix("/v1") { text.removeLast(3) }
        guard let parsed = URLComponents(string: text), let scheme = parsed.scheme?.lowercased(), ["http", "https"].contains(scheme),
              let host = parsed.host, !host.isEmpty else {
            throw ChatClientError("'\(url)' is not a server address: write it as http://HOST:PORT, such as http://127.0.0.1:8080")
        }
        guard parsed.query == nil, parsed.fragment == nil, parsed.path.isEmpty else {
            throw ChatClientError("'\(url)' has a path, query or fragment: give the server's address only (http://HOST:PORT); "
                                  + "the routes /v1/chat/completions and /v1/completions are added")
        }
        if let port = parsed.port, !(1...65535).contains(port) {
            throw ChatClientError("'\(url)': port \(port) is not 1…65535")
        }
        baseURL = text
        self.apiKey = apiKey
    }

    /// The model's reply to `messages` (`POST /v1/chat/completions`).
    public func chat(model: String, messages: [ChatMessage], maxTokens: Int?, temperature: Double = 0, seed: UInt64? = nil,
                     user: String? = nil, responseFormat: JSONValue? = nil) async throws -> Reply {
        var fields: [(String, JSONValue)] = [("model", .string(model)),
                                            ("messages", .array(messages.map { ["role": .string($0.role), "content": .string($0.content)] }))]
        fields += Self.sampling(maxTokens: maxTokens, temperature: temperature, seed: seed)
        if let user { fields.append(("user", .string(user))) }
        if let responseFormat { fields.append(("response_format", responseFormat)) }
        let (body, servedBy) = try await post("/v1/chat/completions", .object(fields))
        guard case .string(let text)? = body["choices"]?.first?["message"]?["content"] else {
            throw ChatClientError("\(baseURL)/v1/chat/completions answered without choices[0].message.content: \(Self.clip(body.text))")
        }
        var reply = Self.reply(text, body)
        reply.servedBy = servedBy
        return reply
    }

    /// The model's continuation of `prompt` (`POST /v1/completions`).
    public func complete(model: String, prompt: String, maxTokens: Int?, temperature: Double = 0, seed: UInt64? = nil,
                         user: String? = nil) async throws -> Reply {
        var fields: [(String, JSONValue)] = [("model", .string(model)), ("prompt", .string(prompt))]
            + Self.sampling(maxTokens: maxTokens, temperature: temperature, seed: seed)
        if let user { fields.append(("user", .string(user))) }
        let (body, servedBy) = try await post("/v1/completions", .object(fields))
        guard case .string(let text)? = body["choices"]?.first?["text"] else {
            throw ChatClientError("\(baseURL)/v1/completions answered without choices[0].text: \(Self.clip(body.text))")
        }
        var reply = Self.reply(text, body)
        reply.servedBy = servedBy
        return reply
    }

    static func sampling(maxTokens: Int?, temperature: Double, seed: UInt64?) -> [(String, JSONValue)] {
        var fields: [(String, JSONValue)] = [("temperature", .number(temperature))]
        if let maxTokens { fields.append(("max_tokens", .int(maxTokens))) }
        if let seed { fields.append(("seed", .number(Double(seed & ((1 << 53) - 1))))) }
        return fields
    }

    static func reply(_ text: String, _ body: JSONValue) -> Reply {
        var finish = "stop"
        if case .string(let f)? = body["choices"]?.first?["finish_reason"] { finish = f }
        func count(_ key: String) -> Int {
            if case .number(let x, _)? = body["usage"]?[key] { return Int(x) }
            return 0
        }
        return Reply(text: text, finishReason: finish, promptTokens: count("prompt_tokens"), completionTokens: count("completion_tokens"))
    }

    /// Posts `body` to `route`; returns the JSON answer of a 2xx (and its `x-attune-served-by`
    /// header), or throws with the server's error message.
    func post(_ route: String, _ body: JSONValue) async throws -> (JSONValue, servedBy: String?) {
        var request = HTTPClientRequest(url: baseURL + route)
        request.method = .POST
        request.headers.add(name: "content-type", value: "application/json")
        if let apiKey { request.headers.add(name: "authorization", value: "Bearer \(apiKey)") }
        request.body = .bytes(ByteBuffer(string: body.text))
        let response: HTTPClientResponse
        let bytes: ByteBuffer
        do {
            response = try await Self.client.execute(request, timeout: .seconds(timeoutSeconds))
            bytes = try await response.body.collect(upTo: 64 << 20)
        } catch {
            throw ChatClientError(Self.describe(error, url: baseURL))
        }
        let text = String(buffer: bytes)
        guard (200..<300).contains(Int(response.status.code)) else {
            var message = Self.clip(text)
            if case .string(let m)? = (try? JSONValue.parse(Data(text.utf8)))?["error"]?["message"] { message = m }
            throw ChatClientError("\(baseURL)\(route) answered \(response.status.code) \(response.status.reasonPhrase): \(message)",
                                  status: Int(response.status.code))
        }
        do { return (try JSONValue.parse(Data(text.utf8)), response.headers.first(name: "x-attune-served-by")) } catch {
            throw ChatClientError("\(baseURL)\(route) answered with something that is not JSON: \(Self.clip(text))")
        }
    }

    /// One client for the process; a refused connection fails at once rather than being retried.
    static let client: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.timeout = HTTPClient.Configuration.Timeout(connect: .seconds(5))
        configuration.connectionPool.retryConnectionEstablishment = false
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()

    /// A transport error in the user's terms.
    static func describe(_ error: any Error, url: String) -> String {
        let text = "\(error)"
        let refused = text.localizedCaseInsensitiveContains("refused") || text.contains("ECONNREFUSED")
        if refused {
            return "cannot reach \(url): nothing listens there (connection refused). Start a server first — `serve start port=N` in the "
                + "session, or `attune serve --port N` — or give the address it prints as to=\"http://HOST:PORT\""
        }
        if let client = error as? HTTPClientError {
            switch client {
            case .connectTimeout: return "cannot reach \(url): the connection timed out; check the host and port"
            case .deadlineExceeded, .readTimeout: return "\(url) did not answer in time"
            case .remoteConnectionClosed: return "\(url) closed the connection before answering"
            default: break
            }
        }
        if text.contains("NXDOMAIN") || text.localizedCaseInsensitiveContains("resolve") || text.contains("getaddrinfo") {
            return "cannot reach \(url): the host name does not resolve; check it"
        }
        return "cannot reach \(url): \(text)"
    }

    static func clip(_ text: String, _ limit: Int = 300) -> String {
        text.count <= limit ? text : String(text.prefix(limit)) + "…"
    }
}

/// What went wrong talking to a server; `status` is the HTTP status when it answered with one.
public struct ChatClientError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public var status: Int?
    public init(_ message: String, status: Int? = nil) { self.message = message; self.status = status }
    public var description: String { message }
}

extension JSONValue {
    /// The first element of an array.
    var first: JSONValue? {
        guard case .array(let items) = self else { return nil }
        return items.first
    }
}
