import Essentials

/// Loss oscillating wildly: the batch is too small (or the learning rate a bit high).
///
/// Over the last `window` finite losses: swing `s = mean |Lᵢ − Lᵢ₋₁|`, level `m = mean Lᵢ`, and the
/// fraction `f` of consecutive changes whose direction reverses. Fires when `s / m ≥ swingRatio`
/// (default 0.2) and `f ≥ reversalFraction` (default 0.5) — back and forth, not a trend or one
/// spike (a single spike has two large changes but one reversal). The episode ends when `s / m`
/// falls below `swingRatio / 2`.
public struct LossOscillationDetector: WarningDetector {
    /// Steps looked back over (default 20).
    public var window: Int
    /// Mean step-to-step change relative to the loss level that counts as wild (default 0.2).
    public var swingRatio: Double
    /// Fraction of direction reversals required (default 0.5).
    public var reversalFraction: Double

    private var recent: [(step: Int, loss: Double)] = []
    private var inEpisode = false

    public init(window: Int = 20, swingRatio: Double = 0.2, reversalFraction: Double = 0.5) {
        precondition(window >= 4, "oscillation window must be at least 4, got \(window)")
        self.window = window
        self.swingRatio = swingRatio
        self.reversalFraction = reversalFraction
    }

    public mutating func reset() {
        recent = []
        inEpisode = false
    }

    public mutating func observe(_ record: MetricRecord) -> TrainingWarning? {
        guard let loss = record.loss, loss.isFinite else { return nil }
        recent.append((record.step, loss))
        if recent.count > window { recent.removeFirst() }
        guard recent.count == window else { return nil }
        let values = recent.map(\.loss)
        let deltas = zip(values.dropFirst(), values).map { $0 - $1 }
        let swing = deltas.map(abs).reduce(0, +) / Double(deltas.count)
        let level = values.reduce(0, +) / Double(values.count)
        let reversals = zip(deltas.dropFirst(), deltas).filter { $0 * $1 < 0 }.count
        let fraction = Double(reversals) / Double(deltas.count - 1)
        let ratio = level > 0 ? swing / level : .infinity
        if inEpisode {
            if ratio < swingRatio / 2 { inEpisode = false }
            return nil
        }
        guard ratio >= swingRatio, fraction >= reversalFraction else { return nil }
        inEpisode = true
        let from = recent.first!.step
        let lowest = recent.min { $0.loss < $1.loss }!
        let highest = recent.max { $0.loss < $1.loss }!
        return TrainingWarning(
            kind: .lossOscillating, step: record.step,
            message: "Loss is oscillating wildly over steps \(from)-\(record.step) (between \(NumberText.significant(lowest.loss)) and \(NumberText.significant(highest.loss)), an average swing of \(NumberText.significant(swing)) per step): the batch is probably too small — raise the batch or gradient accumulation.",
            evidence: [Evidence(step: lowest.step, label: "min_loss", value: lowest.loss),
                       Evidence(step: highest.step, label: "max_loss", value: highest.loss),
                       Evidence(step: record.step, label: "mean_swing", value: swing)],
            fix: "Raise the batch size or gradient accumulation (effective batch 4-32), or lower the learning rate.")
    }
}
