import Essentials
import Foundation
import Hummingbird
import Logging
import Models
import NIOCore
import ServiceLifecycle
import Synchronization

/// `attune serve`: a model and its adapters behind the OpenAI HTTP API.
///
/// Routes: `POST /v1/chat/completions` and `POST /v1/completions` (with `stream: true` as
/// server-sent events ending `data: [DONE]`), `GET /v1/models`, `POST /v1/adapters`,
/// `DELETE /v1/adapters/NAME`, `GET /health`, `GET /metrics`. Every error is OpenAI's error JSON
/// with its status. The server owns its model: what a REPL session trains or loads afterwards
/// does not change what it serves.
public final class InferenceServer: Sendable {
    public let configuration: ServerConfiguration
    let engine: InferenceEngine
    let metrics = ServerMetrics()
    /// Shadow, canary and rollback (`setRollout`).
    let rollout = RolloutController()
    let log: RequestLog?
    let logger: Logger
    /// Requests without a `seed` draw seeds from this counter.
    private let seedCounter = Atomic<UInt64>(0)
    let startTime = Date()

    /// A server for `model` (which it then owns: nothing else may use it). Opens the log.
    public convenience init(model: LoadedModel, configuration: ServerConfiguration, logLevel: Logger.Level = .warning) throws {
        try self.init(model: model, configuration: configuration, logLevel: logLevel, hooks: EngineHooks())
    }

    init(model: LoadedModel, configuration: ServerConfiguration, logLevel: Logger.Level = .warning, hooks: EngineHooks) throws {
        try configuration.validate()
        self.configuration = configuration
        engine = InferenceEngine(model: model, hooks: hooks, maxBatch: configuration.maxBatch)
        log = try configuration.logPath.map {
            try RequestLog(path: $0, rotationBytes: configuration.logRotationBytes, keep: configuration.logRotationKeep)
        }
        var logger = Logger(label: "attune.serve")
        logger.logLevel = logLevel
        self.logger = logger
    }

    /// The base model's name (requests may name it instead of `base`).
    public var modelName: String { engine.modelName }

    /// Loaded adapters by name.
    public var adapters: [String: AdapterInfo] { engine.adapters }

    /// Admitted generation requests and engine work waiting.
    public var load: (admitted: Int, waiting: Int) { engine.load }

    /// Loads the PEFT folder at `path` (relative to the working directory) as adapter `name`.
    @discardableResult
    public func loadAdapter(name: String, path: String, force: Bool = false) async throws -> AdapterInfo {
        let url = URL(fileURLWithPath: (path as NSString).expandingTildeInPath,
                      relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath)).standardizedFileURL
        return try await engine.loadAdapter(name: name, folder: url, written: path, force: force)
    }

    public func unloadAdapter(name: String) async throws { try await engine.unloadAdapter(name: name) }

    /// Puts `plan` in force (nil: no rollout); its candidate and primary must be loaded. The
    /// candidate's observations and any rollback start afresh.
    public func setRollout(_ plan: RolloutPlan?) throws {
        if let plan {
            let loaded = adapters
            for (role, name) in [("candidate", plan.candidate), ("primary", plan.primary)] where name != AdapterName.base && loaded[name] == nil {
                throw RolloutError("the rollout's \(role) '\(name)' is not an adapter of this server; loaded: "
                                   + ([AdapterName.base] + loaded.keys.sorted()).joined(separator: ", "))
            }
        }
        rollout.set(plan)
        if let plan { logger.notice("rollout: \(plan.summary)") }
    }

    /// The rollout in force, and the rule that fired (`schema_valid < 0.8 over 50 fired at 0.74`), if one did.
    public var rolloutStatus: (plan: RolloutPlan?, rollback: String?) { (rollout.plan, rollout.rollback?.text) }

    /// Shadow generations still queued or running.
    public var pendingShadows: Int { rollout.pendingShadows }

    /// The seed for the next request that gives none.
    func nextSeed() -> UInt64 {
        SplitMix64.scramble(configuration.seed &+ seedCounter.wrappingAdd(1, ordering: .relaxed).oldValue)
    }

    // MARK: Running

    /// The Hummingbird application; `onRunning` receives the bound port.
    func application(onRunning: @escaping @Sendable (Int) -> Void) -> some ApplicationProtocol {
        Application(router: makeRouter(),
                    server: .http1(additionalChannelHandlers: [PeerCloseWatcher()]),
                    configuration: ApplicationConfiguration(address: .hostname(configuration.host, port: configuration.port),
                                                            serverName: "attune"),
                    onServerRunning: { channel in onRunning(channel.localAddress?.port ?? 0) },
                    logger: logger)
    }

    /// Starts listening in the background; returns once the port is bound (or binding failed).
    public func start() async throws -> RunningServer {
        let (ports, portContinuation) = AsyncStream<Int>.makeStream()
        let app = application { port in portContinuation.yield(port); portContinuation.finish() }
        let group = ServiceGroup(configuration: .init(services: [app], logger: logger))
        let task = Task {
            defer { portContinuation.finish() }
            try await group.run()
        }
        var iterator = ports.makeAsyncIterator()
        if let port = await iterator.next() { return RunningServer(server: self, port: port, group: group, task: task) }
        do { try await task.value } catch {
            throw ServerSetupError("cannot listen on \(configuration.host):\(configuration.port): \(Self.describe(error))")
        }
        throw ServerSetupError("cannot listen on \(configuration.host):\(configuration.port): the server stopped before it was listening")
    }

    /// Serves until SIGINT or SIGTERM, then lets requests in flight finish (the CLI's `attune serve`).
    /// `onRunning` receives the bound port.
    public func runUntilSignalled(onRunning: @escaping @Sendable (Int) -> Void) async throws {
        do { try await application(onRunning: onRunning).runService(gracefulShutdownSignals: [.sigterm, .sigint]) } catch {
            throw ServerSetupError("cannot serve on \(configuration.host):\(configuration.port): \(Self.describe(error))")
        }
        log?.close()
    }

    static func describe(_ error: any Error) -> String {
        if let io = error as? IOError {
            switch io.errnoCode {
            case EADDRINUSE: return "the port is in use by another program; choose another with --port"
            case EADDRNOTAVAIL: return "the address is not one of this machine's; use 127.0.0.1 or 0.0.0.0"
            case EACCES: return "permission denied (ports below 1024 need privileges); choose a port above 1024"
            default: break
            }
        }
        return "\(error)"
    }
}

/// A server listening in the background.
public final class RunningServer: Sendable {
    public let server: InferenceServer
    /// The bound port (the system's choice when the configuration said 0).
    public let port: Int
    private let group: ServiceGroup
    private let task: Task<Void, any Error>

    init(server: InferenceServer, port: Int, group: ServiceGroup, task: Task<Void, any Error>) {
        self.server = server; self.port = port; self.group = group; self.task = task
    }

    /// `http://127.0.0.1:PORT`.
    public var baseURL: String {
        let host = server.configuration.host
        let shown = host == "0.0.0.0" ? "127.0.0.1" : (host.contains(":") ? "[\(host)]" : host)
        return "http://\(shown):\(port)"
    }

    /// Stops listening, lets requests in flight finish, and closes the log.
    public func stop() async {
        await group.triggerGracefulShutdown()
        _ = await task.result
        server.log?.close()
    }

    /// Waits until the server stops (`stop()`); rethrows what stopped it.
    public func wait() async throws { try await task.value }
}
