import Synchronization

/// "Stop at the next safe point": set by Ctrl-C (from a signal handler), read by long commands at
/// step boundaries, cleared when a new statement starts. Lock-free, so a signal handler may set it.
public final class StopFlag: Sendable {
    private let flag = Atomic<Bool>(false)

    public init() {}

    /// Asks the running command to stop.
    public func request() { flag.store(true, ordering: .relaxed) }

    /// True once a stop was requested and not yet cleared.
    public var isRequested: Bool { flag.load(ordering: .relaxed) }

    /// Forgets any request (before a new statement runs).
    public func clear() { flag.store(false, ordering: .relaxed) }

    /// The process-wide flag the REPL's SIGINT handler sets.
    public static let shared = StopFlag()
}
