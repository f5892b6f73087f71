import AttuneLanguage
import AttuneRuntime
import AttuneServer
import Dispatch
import Foundation
import Models
import Synchronization
import Training

/// The REPL's `serve start|stop|status|reload`: the session's model (and its adapter, trained or
/// loaded) served in the background by `AttuneServer` while the session goes on. They live in the
/// executable, which links the server, and join the language through `CommandRegistry`'s public
/// API (`ServeREPLCommands.registry`), so AttuneRuntime and its tests never link the server.
///
/// The server gets its own copy: the model is read again from its file (a model built in memory,
/// such as `model new tiny`, is copied weight by weight) and the adapter is saved to a temporary
/// PEFT folder and loaded from there. Training afterwards changes nothing served until
/// `serve reload`.
enum ServeREPLCommands {
    static let commands: [any RuntimeCommand] = [ServeStartCommand(), ServeStopCommand(), ServeStatusCommand(), ServeReloadCommand(),
                                                 ServeSendCommand(), ServeRolloutCommand(), ServeAdapterCommand()]

    /// The standard commands plus these.
    static var registry: CommandRegistry { CommandRegistry(CommandRegistry.standard.commands + commands) }

    /// The server this process runs for the REPL, and how it was started.
    static let current = Mutex<(running: RunningServer, options: StartOptions)?>(nil)

    struct StartOptions: Sendable {
        var host: String
        var port: Int
        var log: String?
        var apiKey: String?
        var adapterName: String
        /// Requests decoded together (`--max-batch`).
        var maxBatch = 4
    }

    /// The session's model as the server's own copy, and the session's adapter saved to a
    /// temporary folder (nil without one).
    static func snapshot(_ session: Session, command: String) throws -> (model: LoadedModel, adapterFolder: URL?) {
        guard let current = session.model else {
            throw CommandError("NoModel", "`\(command)` serves the session's model: load one first (model load smollm2, or model new tiny)")
        }
        guard let engine = current.engine else {
            throw CommandError("NotAvailable", "`\(command)` needs a model with a tokenizer; \(current.name) has \(current.tokenizerSummary)")
        }
        let model: LoadedModel
        do {
            if let source = engine.source {
                var isDirectory: ObjCBool = false
                _ = FileManager.default.fileExists(atPath: source.path, isDirectory: &isDirectory)
                model = isDirectory.boolValue ? try LoadedModel.load(huggingFace: source) : try LoadedModel.load(gguf: source)
            } else {
                let copy = try LlamaModel(config: engine.model.config)
                let from = engine.model.parameters.storage, to = copy.parameters.storage
                guard from.count == to.count else {
                    throw CommandError("NotAvailable", "cannot copy \(current.name) for the server: its weights are not one dense block")
                }
                to.base.update(from: from.base, count: from.count)
                model = LoadedModel(name: engine.name, model: copy, tokenizer: engine.tokenizer, chatTemplate: engine.chatTemplate, source: nil)
            }
        } catch let error as CommandError { throw error } catch {
            throw CommandError("ModelError", "cannot read the model again for the server: \(error)")
        }
        guard let adapter = session.adapter else { return (model, nil) }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("attune-serve-\(UUID().uuidString)")
        do { try PEFTAdapter.save(adapter, model: engine.model.config, to: folder) } catch {
            throw CommandError("IOError", "cannot copy the adapter for the server: \(error)")
        }
        return (model, folder)
    }

    /// Starts a server on the session's snapshot; returns the status line.
    static func start(_ session: Session, options: StartOptions, command: String,
                      snapshot taken: (model: LoadedModel, adapterFolder: URL?)? = nil) throws -> String {
        let (model, adapterFolder) = try taken ?? snapshot(session, command: command)
        defer { if let adapterFolder { try? FileManager.default.removeItem(at: adapterFolder) } }
        var configuration = ServerConfiguration(host: options.host, port: options.port, apiKey: options.apiKey, logPath: options.log)
        configuration.seed = session.seed
        configuration.maxBatch = options.maxBatch
        do { try configuration.validate() } catch { throw CommandError("InvalidValue", "\(error)") }
        let server: InferenceServer
        do { server = try InferenceServer(model: model, configuration: configuration) } catch {
            throw CommandError("ServeError", "\(error)")
        }
        let running: RunningServer = try blocking {
            if let adapterFolder { try await server.loadAdapter(name: options.adapterName, path: adapterFolder.path, force: true) }
            return try await server.start()
        }
        current.withLock { $0 = (running, options) }
        return statusLine(running, options: options)
    }

    /// Waits (up to `seconds`) until the session's server has no shadow generation queued or
    /// running, so its request log holds every reply the requests sent so far caused.
    static func waitForShadows(seconds: Double = 600) {
        guard let server = current.withLock({ $0?.running.server }) else { return }
        let end = Date().addingTimeInterval(seconds)
        while server.pendingShadows > 0, Date() < end { Thread.sleep(forTimeInterval: 0.02) }
    }

    /// `base` and the adapters the server answers to: "base + bad, triage".
    static func servedList(_ server: InferenceServer) -> String {
        let adapters = server.adapters.keys.sorted()
        return "base" + (adapters.isEmpty ? "" : " + \(adapters.joined(separator: ", "))")
    }

    static func statusLine(_ running: RunningServer, options: StartOptions) -> String {
        let load = running.server.load
        let shadows = running.server.pendingShadows
        let rollout = running.server.rolloutStatus
        return "serving \(running.server.modelName) as \(servedList(running.server))"
            + " on \(running.baseURL) · \(load.admitted) active, \(load.waiting) queued" + (shadows > 0 ? ", \(shadows) shadow" : "")
            + (options.log.map { " · log \($0)" } ?? "")
            + (rollout.plan.map { " · rollout \($0.summary)" } ?? "") + (rollout.rollback.map { " · ROLLED BACK: \($0)" } ?? "")
    }

    /// Runs async work from a synchronous command and waits for it.
    static func blocking<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
        let done = DispatchSemaphore(value: 0)
        let box = Mutex<Result<T, any Error>?>(nil)
        Task {
            let result: Result<T, any Error>
            do { result = .success(try await body()) } catch { result = .failure(error) }
            box.withLock { $0 = result }
            done.signal()
        }
        done.wait()
        switch box.withLock({ $0 })! {
        case .success(let value): return value
        case .failure(let error as CommandError): throw error
        case .failure(let error as APIError): throw CommandError("ServeError", error.message)
        case .failure(let error): throw CommandError("ServeError", "\(error)")
        }
    }

    static func stop() -> (RunningServer, StartOptions)? {
        guard let entry = current.withLock({ state -> (running: RunningServer, options: StartOptions)? in
            defer { state = nil }
            return state
        }) else { return nil }
        let running = entry.running
        _ = try? blocking { await running.stop() }
        return (entry.running, entry.options)
    }
}

/// `serve start [port=8080] [host="127.0.0.1"] [log="FILE"] [api_key="KEY"] [adapter=NAME]`.
struct ServeStartCommand: RuntimeCommand {
    let spec = CommandSpec(["serve", "start"], usage: "serve start [port=N host=\"H\" log=\"FILE\" api_key=\"KEY\" adapter=NAME max_batch=N]",
                           summary: "serve the session's model (and adapter) over the OpenAI API in the background")
    let schema = ArgumentSchema([
        .keyed("port", .integer(.closed(0, 65535)), default: "8080", "port (0: any free one)"),
        .keyed("host", .text, "address to listen on (not loopback: api_key needed)"),
        .keyed("log", .path, "append every request to this JSON-lines file"),
        .keyed("api_key", .text, "clients send 'Authorization: Bearer KEY'"),
        .keyed("adapter", .text, "the name requests use for the session's adapter"),
        .keyed("max_batch", .integer(.closed(1, Double(ServerConfiguration.maxBatchLimit))), default: "4",
               "requests decoded together, one pass over the weights per token (1: one at a time)"),
    ])
    let help = CommandHelp("""
        Starts `attune serve` inside the session: the current model (read again from its file, or copied) \
        as `base` and the session's adapter (trained or loaded) under `adapter=` (default tuned), on \
        http://HOST:PORT with the routes of `attune serve --help`. The server keeps this snapshot: later \
        training or loading changes nothing it serves until `serve reload`. `serve stop` ends it.
        """, examples: ["serve start port=8080 log=\"requests.jsonl\"", "serve start port=0 adapter=triage"])

    func run(_ context: CommandContext) throws {
        try context.session.paths.requireNetwork(for: "serve start")
        if let running = ServeREPLCommands.current.withLock({ $0?.running }) {
            throw CommandError("AlreadyServing", "a server is already running on \(running.baseURL): `serve stop` first, or `serve reload` to serve the current model")
        }
        let a = context.arguments
        let log = try a.word("log").map { try context.resolvePath($0, argument: "log").path }
        let options = ServeREPLCommands.StartOptions(host: a.word("host") ?? "127.0.0.1", port: a.integer("port") ?? 8080, log: log,
                                                     apiKey: a.word("api_key"), adapterName: a.word("adapter") ?? "tuned",
                                                     maxBatch: a.integer("max_batch") ?? 4)
        context.result(try ServeREPLCommands.start(context.session, options: options, command: "serve start"))
    }
}

/// `serve stop`.
struct ServeStopCommand: RuntimeCommand {
    let spec = CommandSpec(["serve", "stop"], usage: "serve stop", summary: "stop the server `serve start` began")
    let schema = ArgumentSchema.none
    let help = CommandHelp("Stops the background server after the requests in flight.", examples: ["serve stop"])

    func run(_ context: CommandContext) throws {
        guard let stopped = ServeREPLCommands.stop() else { throw CommandError("NotServing", "no server is running; start one with `serve start`") }
        context.result("stopped the server on \(stopped.0.baseURL)")
    }
}

/// `serve status`.
struct ServeStatusCommand: RuntimeCommand {
    let spec = CommandSpec(["serve", "status"], usage: "serve status", summary: "where the server listens and what it serves")
    let schema = ArgumentSchema.none
    let help = CommandHelp("Says where the background server listens, what it serves and how busy it is.", examples: ["serve status"])

    func run(_ context: CommandContext) throws {
        guard let entry = ServeREPLCommands.current.withLock({ $0 }) else { context.result("not serving (serve start begins)"); return }
        context.result(ServeREPLCommands.statusLine(entry.running, options: entry.options))
    }
}

/// `serve reload`: the session's current model and adapter replace what the server serves.
struct ServeReloadCommand: RuntimeCommand {
    let spec = CommandSpec(["serve", "reload"], usage: "serve reload", summary: "serve the session's current model and adapter instead")
    let schema = ArgumentSchema.none
    let help = CommandHelp("""
        Restarts the background server on the same address with a new snapshot of the session's model and \
        adapter (what training or `adapter load` changed since `serve start`). Requests in flight finish first.
        """, examples: ["serve reload"])

    func run(_ context: CommandContext) throws {
        guard let options = ServeREPLCommands.current.withLock({ $0?.options }) else {
            throw CommandError("NotServing", "no server is running; start one with `serve start`")
        }
        let snapshot = try ServeREPLCommands.snapshot(context.session, command: "serve reload")  // before stopping: a failure changes nothing
        guard let stopped = ServeREPLCommands.stop() else { throw CommandError("NotServing", "the server stopped meanwhile") }
        var again = options
        again.port = stopped.0.port
        context.result("reloaded: " + (try ServeREPLCommands.start(context.session, options: again, command: "serve reload", snapshot: snapshot)))
    }
}
