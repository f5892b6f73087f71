import AsyncHTTPClient
import Essentials
import Foundation
import Models
import NIOCore
import NIOHTTP1
import Tokenization
import Training
import XCTest
@testable import AttuneServer

/// The tiny model every server test serves (the REPL's `model new tiny` with seed 42).
func tinyModel() throws -> LoadedModel { try LoadedModel.tiny(seed: 42) }

/// A fresh temporary folder, removed when the test ends.
func temporaryFolder(_ test: XCTestCase) throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("attune-serve-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    test.addTeardownBlock { try? FileManager.default.removeItem(at: url) }
    return url
}

/// Saves a LoRA adapter for the tiny model into `folder`: q_proj and v_proj of both layers,
/// rank 4, with A and B drawn from a seeded generator (B not zero, so the adapter changes the
/// replies). Returns the folder.
@discardableResult
func saveTinyAdapter(to folder: URL, seed: UInt64, scale: Float = 0.5) throws -> URL {
    let model = try tinyModel()
    let adapter = try LoRAApplier.apply(LoRAConfiguration(rank: 4, alpha: 8), to: model.model)
    var rng = SplitMixForTests(seed: seed)
    for i in 0..<adapter.parameters.count { adapter.parameters.values[i] = scale * Float(rng.nextSigned()) }
    adapter.baseModelName = "tiny"
    try PEFTAdapter.save(adapter, model: model.model.config, to: folder)
    return folder
}

/// The reply `generate` gives: the tiny model (with the adapter in `adapterFolder`, when given)
/// answering `messages` through `LoadedModel.reply`, the function `generate` calls.
func referenceReply(_ messages: [ChatMessage], adapterFolder: URL? = nil, maxTokens: Int,
                    sampling: SamplingOptions = SamplingOptions()) throws -> (text: String, tokens: Int) {
    let model = try tinyModel()
    if let adapterFolder { _ = try PEFTAdapter.load(folder: adapterFolder, into: model.model).setTraining(false) }
    let (text, result) = try model.reply(to: messages, maxTokens: maxTokens, sampling: sampling)
    return (text, result.tokens.count)
}

/// A small deterministic generator for test data.
struct SplitMixForTests {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// Uniform in [-1, 1).
    mutating func nextSigned() -> Double { Double(next() >> 11) / Double(1 << 52) - 1 }
}

/// Holds the engine after a number of tokens until opened (tests use it to keep a request in
/// flight while they probe the limits).
final class TokenGate: @unchecked Sendable {
    private let condition = NSCondition()
    private var open = false
    private var passed = 0
    private let passFirst: Int
    /// Tokens that reached the gate while it was closed.
    private(set) var waiting = false

    init(passFirst: Int) { self.passFirst = passFirst }

    func afterToken() {
        condition.lock()
        passed += 1
        while !open && passed > passFirst {
            waiting = true
            condition.wait()
        }
        waiting = false
        condition.unlock()
    }

    func release() {
        condition.lock()
        open = true
        condition.broadcast()
        condition.unlock()
    }

    var isHolding: Bool { condition.lock(); defer { condition.unlock() }; return waiting }
}

/// A running server on 127.0.0.1 (port chosen by the system) and an HTTP client for it.
final class ServerHarness: @unchecked Sendable {
    let running: RunningServer
    let client: HTTPClient
    var server: InferenceServer { running.server }
    var base: String { "http://127.0.0.1:\(running.port)" }

    init(running: RunningServer) {
        self.running = running
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 16
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    /// Starts the tiny model (and the adapters given) with `configure` applied to the defaults.
    static func start(adapters: [(String, URL)] = [], hooks: EngineHooks = EngineHooks(),
                      configure: (inout ServerConfiguration) -> Void = { _ in }) async throws -> ServerHarness {
        var configuration = ServerConfiguration(host: "127.0.0.1", port: 0)
        configure(&configuration)
        let server = try InferenceServer(model: try tinyModel(), configuration: configuration, logLevel: .critical, hooks: hooks)
        for (name, folder) in adapters { try await server.loadAdapter(name: name, path: folder.path) }
        return ServerHarness(running: try await server.start())
    }

    func stop() async {
        try? await client.shutdown()
        await running.stop()
    }

    struct Reply {
        var status: Int
        var body: String
        var headers: HTTPHeaders
        /// The body as JSON (fails the test when it is not).
        var json: JSONValue {
            get throws { try JSONValue.parse(Data(body.utf8)) }
        }
        /// `error.code` of an OpenAI error body.
        var errorCode: String? {
            guard case .string(let code)? = (try? json)?["error"]?["code"] else { return nil }
            return code
        }
        var errorMessage: String {
            guard case .string(let m)? = (try? json)?["error"]?["message"] else { return "" }
            return m
        }
    }

    func request(_ method: HTTPMethod, _ path: String, body: String? = nil, headers: [(String, String)] = []) async throws -> Reply {
        var request = HTTPClientRequest(url: base + path)
        request.method = method
        if let body {
            request.headers.add(name: "content-type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: body))
        }
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        let response = try await client.execute(request, timeout: .seconds(120))
        let bytes = try await response.body.collect(upTo: 64 << 20)
        return Reply(status: Int(response.status.code), body: String(buffer: bytes), headers: response.headers)
    }

    func post(_ path: String, _ body: String, headers: [(String, String)] = []) async throws -> Reply {
        try await request(.POST, path, body: body, headers: headers)
    }

    func get(_ path: String) async throws -> Reply { try await request(.GET, path) }

    /// The `data:` payloads of a server-sent event stream, in order.
    static func events(_ body: String) -> [String] {
        body.components(separatedBy: "\n\n").compactMap { block in
            let line = block.trimmingCharacters(in: .newlines)
            return line.hasPrefix("data: ") ? String(line.dropFirst(6)) : nil
        }
    }

    /// Polls `condition` every 10 ms for up to `seconds` (for effects that land after a reply,
    /// such as a freed slot); fails the test when it never holds.
    func eventually(_ what: String, seconds: Double = 20, _ condition: () async throws -> Bool,
                    file: StaticString = #filePath, line: UInt = #line) async throws {
        let end = Date().addingTimeInterval(seconds)
        while Date() < end {
            if try await condition() { return }
            try await Task.sleep(nanoseconds: 10_000_000)
        }
        XCTFail("never happened: \(what)", file: file, line: line)
    }

    /// A number from `/metrics` (the first line starting with `prefix`).
    func metric(_ prefix: String) async throws -> Double? {
        let text = try await get("/metrics").body
        for line in text.split(separator: "\n") where line.hasPrefix(prefix + " ") || line.hasPrefix(prefix + "{") {
            if line.hasPrefix(prefix + " ") || line.hasPrefix(prefix + "{") { return Double(line.split(separator: " ").last!) }
        }
        return nil
    }
}

extension XCTestCase {
    /// Starts a server for this test; it stops when the test ends.
    func startServer(adapters: [(String, URL)] = [], hooks: EngineHooks = EngineHooks(),
                     configure: (inout ServerConfiguration) -> Void = { _ in }) async throws -> ServerHarness {
        let harness = try await ServerHarness.start(adapters: adapters, hooks: hooks, configure: configure)
        addTeardownBlock { await harness.stop() }
        return harness
    }
}

/// A chat request body.
func chatBody(_ content: String, model: String = "base", maxTokens: Int? = 24, temperature: Double = 0,
              extra: String = "") -> String {
    var fields = ["\"model\": \(JSONValue.string(model).text)",
                  "\"messages\": [{\"role\": \"user\", \"content\": \(JSONValue.string(content).text)}]",
                  "\"temperature\": \(temperature)"]
    if let maxTokens { fields.append("\"max_tokens\": \(maxTokens)") }
    if !extra.isEmpty { fields.append(extra) }
    return "{" + fields.joined(separator: ", ") + "}"
}

extension JSONValue {
    var numberValue: Double? { doubleValue }
    subscript(index: Int) -> JSONValue? {
        guard case .array(let items) = self, items.indices.contains(index) else { return nil }
        return items[index]
    }
}
