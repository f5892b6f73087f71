import ArgumentParser
import AttuneServer
import Dispatch
import Foundation
import Models

/// `attune serve --model NAME|PATH [--adapter NAME=PATH …] [--host H] [--port N] [--log FILE]
/// [--api-key KEY] [--rollout FILE]`: the model and its adapters behind an OpenAI-compatible API until Ctrl-C.
struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve a model and its adapters over an OpenAI-compatible HTTP API.",
        discussion: """
        Routes: POST /v1/chat/completions and /v1/completions (stream: true sends server-sent events \
        ending with data: [DONE]), GET /v1/models, POST /v1/adapters {"name", "path"}, DELETE \
        /v1/adapters/NAME, GET /health, GET /metrics (Prometheus). A request's "model" is "base" or \
        an adapter name. Up to --max-batch generations are decoded together (a finished one frees its \
        place for the next queued request); the others queue. Every request is appended \
        to --log as a JSON line that `data load` reads as a chat example. response_format json_object \
        and json_schema are enforced while decoding (the reply is always matching JSON). --rollout FILE \
        shadows or canaries a candidate adapter with rollback rules. Ctrl-C (or SIGTERM) stops \
        after the requests in flight.
        """)

    @Option(help: ArgumentHelp("The model: smollm2, tiny (random, --seed), a .gguf file or a Hugging Face folder.", valueName: "name|path"),
            completion: .file())
    var model: String

    @Option(name: .customLong("adapter"),
            help: ArgumentHelp("A PEFT adapter folder served under NAME (repeatable).", valueName: "name=path"),
            completion: .directory)
    var adapters: [String] = []

    @Option(help: ArgumentHelp("Address to listen on (other than loopback needs --api-key).", valueName: "host"))
    var host = "127.0.0.1"

    @Option(help: ArgumentHelp("Port to listen on (0: any free port, printed at start).", valueName: "n"))
    var port = 8080

    @Option(help: ArgumentHelp("Append every request to this JSON-lines file.", valueName: "file"), completion: .file(extensions: ["jsonl"]))
    var log: String?

    @Option(name: .customLong("api-key"),
            help: ArgumentHelp("Clients must send 'Authorization: Bearer KEY' (default $ATTUNE_API_KEY).", valueName: "key"))
    var apiKey: String?

    @Option(name: .customLong("max-tokens"), help: ArgumentHelp("Largest max_tokens a request may ask for.", valueName: "n"))
    var maxTokens = 4096

    @Option(name: .customLong("max-concurrent"), help: ArgumentHelp("Requests queued or running at once (429 beyond).", valueName: "n"))
    var maxConcurrent = 16

    @Option(name: .customLong("max-batch"),
            help: ArgumentHelp("Requests decoded together, one pass over the weights per token (1: one at a time).", valueName: "n"))
    var maxBatch = 4

    @Option(name: .customLong("request-timeout"), help: ArgumentHelp("Seconds a request may take, queueing included (504 after).", valueName: "s"))
    var requestTimeout = 300.0

    @Option(help: ArgumentHelp("A rollout JSON file: {\"mode\": \"shadow\"|\"canary\", \"candidate\": NAME, \"share\": \"5%\", \"rollback\": [\"schema_valid < 0.8 over 50\"]}.",
                               valueName: "file"), completion: .file(extensions: ["json"]))
    var rollout: String?

    @OptionGroup var seed: SeedOption

    /// `NAME=PATH` pairs.
    var adapterPairs: [(name: String, path: String)] {
        adapters.compactMap { pair in
            guard let equals = pair.firstIndex(of: "=") else { return nil }
            return (String(pair[..<equals]), String(pair[pair.index(after: equals)...]))
        }
    }

    func serverConfiguration() -> ServerConfiguration {
        var configuration = ServerConfiguration(host: host, port: port,
                                                apiKey: apiKey ?? ProcessInfo.processInfo.environment["ATTUNE_API_KEY"], logPath: log)
        configuration.limits.maxTokens = maxTokens
        configuration.limits.maxConcurrentRequests = maxConcurrent
        configuration.limits.requestTimeout = requestTimeout
        configuration.maxBatch = maxBatch
        configuration.seed = seed.value ?? 42
        return configuration
    }

    func validate() throws {
        for pair in adapters {
            guard let equals = pair.firstIndex(of: "="), equals != pair.startIndex, pair.index(after: equals) != pair.endIndex else {
                throw ValidationError("--adapter takes NAME=PATH (such as triage=out/triage-lora), got '\(pair)'")
            }
        }
        do { try serverConfiguration().validate() } catch { throw ValidationError("\(error)") }
        if let rollout {
            do { _ = try RolloutPlan.read(path: rollout) } catch { throw ValidationError("--rollout \(error)") }
        }
    }

    func run() throws {
        let configuration = serverConfiguration()
        let loaded: LoadedModel
        do {
            loaded = model.lowercased() == "tiny" ? try LoadedModel.tiny(seed: seed.value ?? 42) : try LoadedModel.load(model)
        } catch {
            Terminal.err("attune serve: cannot load the model \(model): \(error)")
            throw ExitCode(1)
        }
        let pairs = adapterPairs
        let plan = try rollout.map { path in
            do { return try RolloutPlan.read(path: path) } catch {
                Terminal.err("attune serve: --rollout \(error)")
                throw ExitCode(1)
            }
        }
        let server: InferenceServer
        do { server = try InferenceServer(model: loaded, configuration: configuration, logLevel: .warning) } catch {
            Terminal.err("attune serve: \(Self.message(error))")
            throw ExitCode(1)
        }
        let status = Self.blocking {
            do {
                for (name, path) in pairs { try await server.loadAdapter(name: name, path: path) }
                try server.setRollout(plan)
            } catch {
                Terminal.err("attune serve: \(Self.message(error))")
                return Int32(1)
            }
            do {
                try await server.runUntilSignalled { port in
                    let shown = configuration.host.contains(":") ? "[\(configuration.host)]" : configuration.host
                    var line = "serving \(server.modelName) as base"
                    if !pairs.isEmpty { line += " + adapters \(pairs.map(\.name).joined(separator: ", "))" }
                    line += " on http://\(shown):\(port)"
                    if let log = configuration.logPath { line += " · log \(log)" }
                    if let plan { line += " · rollout \(plan.summary)" }
                    Terminal.out(line + " · Ctrl-C stops")  // unbuffered: scripts wait for this line
                }
            } catch {
                Terminal.err("attune serve: \(Self.message(error))")
                return 1
            }
            return 0
        }
        try exitIfFailed(status)
    }

    static func message(_ error: any Error) -> String {
        (error as? APIError)?.message ?? "\(error)"
    }

    /// Runs `body` on the concurrency pool and waits for it on this (the main) thread.
    static func blocking(_ body: @escaping @Sendable () async -> Int32) -> Int32 {
        let done = DispatchSemaphore(value: 0)
        let result = ResultBox()
        Task {
            result.value = await body()
            done.signal()
        }
        done.wait()
        return result.value
    }

    final class ResultBox: @unchecked Sendable { var value: Int32 = 0 }
}
