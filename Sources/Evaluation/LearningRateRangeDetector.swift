import Essentials

/// Learning rate outside the guide's range for the method (full 1e-5…5e-5, LoRA 1e-4…3e-4,
/// QLoRA 2e-4…5e-4).
///
/// Judges the peak learning rate, since warmup starts low and decay ends low. When the run's
/// configured peak (`peakLearningRate`, the `lr` hyperparameter) is known — the normal case in a
/// training run — that number alone is judged, once, at the first record: a warmup step's small
/// rate never counts as "too low" and the warning names the configured rate, not the rate of the
/// step it fired at. Without a configured peak (a replayed metrics block) it falls back to the
/// logged rates: fires at once when a step's rate exceeds the range's top (by more than
/// `tolerance`, relative); fires for a rate below the range once the peak has passed (the rate
/// starts to fall) or after `settleSteps` records, whichever comes first. Each side fires at most
/// once per run.
public struct LearningRateRangeDetector: WarningDetector {
    public var method: FineTuningMethod
    /// The schedule's peak rate as configured; nil to judge the logged rates instead.
    public var peakLearningRate: Double?
    /// Steps after which a never-reached range counts as too low even without decay (default 20).
    public var settleSteps: Int
    /// Relative slack at the range ends (default 0.001, so 3.0001e-4 is still 3e-4).
    public var tolerance: Double

    private var peak: (step: Int, lr: Double)?
    private var seen = 0
    private var firedHigh = false
    private var firedLow = false

    public init(method: FineTuningMethod, peakLearningRate: Double? = nil, settleSteps: Int = 20, tolerance: Double = 0.001) {
        self.method = method
        self.peakLearningRate = peakLearningRate
        self.settleSteps = settleSteps
        self.tolerance = tolerance
    }

    public mutating func reset() {
        peak = nil
        seen = 0
        firedHigh = false
        firedLow = false
    }

    /// Checks one configured learning rate (e.g. at `set lr=`) against the method's range.
    public static func check(learningRate lr: Double, method: FineTuningMethod, step: Int = 0,
                             tolerance: Double = 0.001) -> TrainingWarning? {
        let range = method.learningRateRange
        let rangeText = "\(NumberText.significant(range.lowerBound)) to \(NumberText.significant(range.upperBound))"
        let suggestion = NumberText.significant(method.suggestedLearningRate)
        let evidence = [Evidence(step: step, label: "lr", value: lr)]
        if lr > range.upperBound * (1 + tolerance) || !lr.isFinite {
            return TrainingWarning(
                kind: .learningRateOutOfRange, step: step,
                message: "Learning rate \(NumberText.significant(lr)) is above the guide's \(method.displayName) range (\(rangeText)): expect unstable or exploding loss — try \(suggestion).",
                evidence: evidence, fix: "Set lr=\(suggestion).")
        }
        if lr < range.lowerBound * (1 - tolerance) {
            return TrainingWarning(
                kind: .learningRateOutOfRange, step: step,
                message: "Learning rate \(NumberText.significant(lr)) is below the guide's \(method.displayName) range (\(rangeText)): training will be slow or stall — try \(suggestion).",
                evidence: evidence, fix: "Set lr=\(suggestion).")
        }
        return nil
    }

    public mutating func observe(_ record: MetricRecord) -> TrainingWarning? {
        if let configured = peakLearningRate {
            guard !firedHigh, !firedLow else { return nil }
            firedHigh = true
            firedLow = true
            var warning = Self.check(learningRate: configured, method: method, step: record.step, tolerance: tolerance)
            warning?.evidence = [Evidence(step: record.step, label: "peak_lr", value: configured)]
            return warning
        }
        guard let lr = record.lr else { return nil }
        seen += 1
        let range = method.learningRateRange
        let falling = peak.map { lr < $0.lr } ?? false
        if peak == nil || lr > peak!.lr { peak = (record.step, lr) }
        if !firedHigh, lr > range.upperBound * (1 + tolerance) || !lr.isFinite {
            firedHigh = true
            return Self.check(learningRate: lr, method: method, step: record.step, tolerance: tolerance)
        }
        if !firedLow, let peak, falling || seen >= settleSteps, peak.lr < range.lowerBound * (1 - tolerance) {
            firedLow = true
            var warning = Self.check(learningRate: peak.lr, method: method, step: record.step, tolerance: tolerance)
            warning?.evidence = [Evidence(step: peak.step, label: "peak_lr", value: peak.lr)]
            return warning
        }
        return nil
    }
}
