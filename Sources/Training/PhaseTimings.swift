import TensorCore

/// Where training time goes, phase by phase, in wall and CPU seconds summed over the steps
/// measured: forward (the loss), backward (the tape), optimizer (zeroing, norm, clipping and the
/// update). `cores = cpu / wall` says whether a phase kept both cores busy.
public struct PhaseTimings: Sendable, Codable, Equatable {
    public struct Phase: Sendable, Codable, Equatable {
        public var wallSeconds = 0.0
        public var cpuSeconds = 0.0
        /// Mean number of busy cores, `cpu / wall` (0 before anything was measured).
        public var cores: Double { wallSeconds > 0 ? cpuSeconds / wallSeconds : 0 }

        public init() {}
    }

    public var forward = Phase()
    public var backward = Phase()
    public var optimizer = Phase()

    public init() {}

    /// The phases in step order, by name.
    static var phases: [(name: String, key: WritableKeyPath<PhaseTimings, Phase>)] {
        [("forward", \.forward), ("backward", \.backward), ("optimizer", \.optimizer)]
    }

    /// The phases in step order, named.
    public var named: [(name: String, phase: Phase)] { Self.phases.map { ($0.name, self[keyPath: $0.key]) } }

    /// Runs `body` and adds its wall and CPU time to `phase`.
    @discardableResult
    public mutating func measure<R>(_ phase: WritableKeyPath<PhaseTimings, Phase>, _ body: () throws -> R) rethrows -> R {
        let start = ProcessClock.now
        defer {
            let end = ProcessClock.now
            self[keyPath: phase].wallSeconds += end.wallSeconds - start.wallSeconds
            self[keyPath: phase].cpuSeconds += end.cpuSeconds - start.cpuSeconds
        }
        return try body()
    }

    /// Every phase's times divided by `count` (per-step means from totals).
    public func divided(by count: Int) -> PhaseTimings {
        var result = self
        let n = Double(max(count, 1))
        for (_, key) in Self.phases {
            result[keyPath: key].wallSeconds /= n
            result[keyPath: key].cpuSeconds /= n
        }
        return result
    }
}
