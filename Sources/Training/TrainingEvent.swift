/// What a training run reports, step by step, to its observer (REPL, notebook recorder, monitor).
public enum TrainingEvent: Sendable, Equatable {
    /// An optimizer step was taken: `index` (0-based), the mean loss over its micro-batches, the
    /// learning rate used, the gradient norm before clipping, and throughput.
    case step(index: Int, loss: Double, lr: Double, gradNorm: Double, tokensPerSecond: Double)
    /// The step was not applied (non-finite loss or gradient); parameters and optimizer state
    /// are those of the last good step.
    case skipped(index: Int, reason: String)
    /// The run ended.
    case stopped(StopReason)
}

/// Why a run ended.
public enum StopReason: Sendable, Equatable {
    /// Every requested step ran.
    case finished
    /// The observer asked to stop (Ctrl-C): the run ended at a step boundary.
    case requested
    /// Too many non-finite steps in a row.
    case nonFinite(consecutive: Int)
}

/// The observer's answer after each event.
public enum TrainingControl: Sendable, Equatable {
    case `continue`
    case stop
}
