import Essentials

/// Early stopping on validation loss with patience and a minimum improvement.
///
/// A validation loss `v` improves on the best `v*` when `v < v* − minimumDelta`. After `patience`
/// consecutive evaluations without improvement, the decision is `stop`, naming the best step —
/// the trainer restores that step's checkpoint. Non-finite losses never improve. Pure logic: it
/// holds no weights.
public struct EarlyStopping: Sendable, Equatable, Codable {
    /// What to do after an evaluation.
    public enum Decision: Sendable, Equatable, Codable {
        /// New best: save a checkpoint for this step.
        case improved(step: Int, valLoss: Double)
        /// No improvement yet; `remaining` more evaluations without one will stop training.
        case wait(evaluationsWithoutImprovement: Int, remaining: Int)
        /// Stop, and restore the best step's checkpoint.
        case stop(bestStep: Int, bestValLoss: Double)
    }

    /// Evaluations without improvement tolerated before stopping (≥ 1).
    public var patience: Int
    /// Absolute improvement a new validation loss needs over the best to count.
    public var minimumDelta: Double
    public private(set) var bestStep: Int?
    public private(set) var bestValLoss: Double?
    public private(set) var evaluationsWithoutImprovement = 0

    public init(patience: Int = 3, minimumDelta: Double = 0) {
        precondition(patience >= 1, "early stopping patience must be at least 1, got \(patience)")
        precondition(minimumDelta >= 0, "minimum delta must not be negative, got \(minimumDelta)")
        self.patience = patience
        self.minimumDelta = minimumDelta
    }

    /// True once the decision has been `stop`.
    public var shouldStop: Bool { evaluationsWithoutImprovement >= patience }

    /// Records one validation loss and decides.
    public mutating func observe(step: Int, valLoss: Double) -> Decision {
        if valLoss.isFinite, bestValLoss == nil || valLoss < bestValLoss! - minimumDelta {
            bestStep = step
            bestValLoss = valLoss
            evaluationsWithoutImprovement = 0
            return .improved(step: step, valLoss: valLoss)
        }
        evaluationsWithoutImprovement += 1
        if shouldStop, let bestStep, let bestValLoss {
            return .stop(bestStep: bestStep, bestValLoss: bestValLoss)
        }
        if shouldStop {
            // Every validation loss so far was non-finite: nothing to restore but stop anyway.
            return .stop(bestStep: step, bestValLoss: valLoss)
        }
        return .wait(evaluationsWithoutImprovement: evaluationsWithoutImprovement,
                     remaining: patience - evaluationsWithoutImprovement)
    }

    /// One plain sentence for the stop decision.
    public var summary: String {
        guard let bestStep, let bestValLoss else { return "No finite validation loss yet." }
        if shouldStop {
            return "Stopped early: validation loss has not improved for \(evaluationsWithoutImprovement) evaluations; best \(NumberText.significant(bestValLoss)) at step \(bestStep) (restore that checkpoint)."
        }
        return "Best validation loss \(NumberText.significant(bestValLoss)) at step \(bestStep)."
    }
}
