/// The points where long commands may stop, counted per cell: every read of
/// `CommandContext.shouldStop` (once per training step, once per generated token) is one. A cell
/// stopped with Ctrl-C records the safe point it stopped at (`Cell.stopAfter`), and a replay sets
/// `stopAt` so the same command stops at the same point with the same outputs.
public struct SafePoints: Sendable, Equatable {
    /// Safe points reached since the cell began.
    public var reached = 0
    /// The safe point at which a stop was honoured, if one was.
    public var stoppedAt: Int?
    /// Replay: ask for a stop once this safe point is reached.
    public var stopAt: Int?

    public init() {}

    /// Starts counting a new cell (keeps `stopAt`, which the replayer sets per cell).
    mutating func beginCell() {
        reached = 0
        stoppedAt = nil
    }
}
