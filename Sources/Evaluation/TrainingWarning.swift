/// The warning signs of the guide, plus a learning rate outside its range.
public enum WarningKind: String, Sendable, Codable, CaseIterable {
    /// Loss has not gone down since the start: learning rate too low, or a data problem.
    case lossNotDecreasing = "loss_not_decreasing"
    /// Loss jumped far above its recent level, or became NaN/infinite: learning rate too high.
    case lossExploding = "loss_exploding"
    /// Validation loss rising while training loss falls: overfitting, stop early.
    case overfitting
    /// Loss swinging up and down by a large fraction of its level: batch too small.
    case lossOscillating = "loss_oscillating"
    /// Loss had been falling and has flattened: converged, or underfitting.
    case plateau
    /// Learning rate outside the guide's range for the method.
    case learningRateOutOfRange = "lr_out_of_range"
}

/// One number behind a warning: which step, what it is, its value.
public struct Evidence: Sendable, Equatable, Codable {
    public var step: Int
    /// What the number is: "loss", "val_loss", "smoothed_loss", "lr", "swing", …
    public var label: String
    public var value: Double

    public init(step: Int, label: String, value: Double) {
        self.step = step
        self.label = label
        self.value = value
    }
}

/// How strongly a ``TrainingWarning`` speaks.
public enum WarningSeverity: String, Sendable, Codable {
    /// A neutral remark with no evidence of harm yet (a learning rate outside the guide's range,
    /// before the loss has said anything): printed as `note`, not counted as a problem.
    case note
    /// Evidence in the run itself that something is wrong.
    case warning
}

/// A warning sign seen in a training run: the kind, the step it was noticed at, one plain
/// sentence, the numbers behind it and the usual fix.
public struct TrainingWarning: Sendable, Equatable, Codable {
    public var kind: WarningKind
    /// `.note` for a remark without evidence yet; `.warning` otherwise.
    public var severity: WarningSeverity
    /// The step at which the warning fired.
    public var step: Int
    /// One plain sentence naming what happened, where, and the likely cause and fix.
    public var message: String
    public var evidence: [Evidence]
    /// The usual remedy, as an imperative phrase.
    public var fix: String

    public init(kind: WarningKind, severity: WarningSeverity = .warning, step: Int, message: String, evidence: [Evidence], fix: String) {
        self.kind = kind
        self.severity = severity
        self.step = step
        self.message = message
        self.evidence = evidence
        self.fix = fix
    }
}

extension TrainingWarning: CustomStringConvertible {
    public var description: String { "\(severity.rawValue): " + message }

    /// Whether this is a real warning (evidence in the run), not a note.
    public var isWarning: Bool { severity == .warning }
}

/// A detector of one warning sign. It is fed every record of a run in order (training steps and
/// validation records alike) and returns a warning when one starts.
///
/// Detectors work in episodes: a warning fires once when its condition starts to hold and stays
/// silent while it keeps holding; once the condition has cleared (each detector documents when),
/// it may fire again. `reset()` forgets everything (a new run).
public protocol WarningDetector: Sendable {
    /// Observes the next record; returns a warning when a new episode starts.
    mutating func observe(_ record: MetricRecord) -> TrainingWarning?
    /// Forgets all state.
    mutating func reset()
}
