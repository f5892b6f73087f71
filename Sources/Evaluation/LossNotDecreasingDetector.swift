import Essentials

/// Loss not decreasing from the start of training: learning rate too low, or a data problem.
///
/// Initial level `L₀` = mean of the first `startSize` finite losses; current level `Lₜ` = mean of
/// the last `recentSize`. After `patience` finite losses, fires when
/// `(1 − minimumDrop) · L₀ < Lₜ ≤ (1 + maximumRise) · L₀`: the loss has not fallen by
/// `minimumDrop` (default 5%), and has not risen by more than `maximumRise` (default 10%) either —
/// a loss well above where it started is the explosion and learning-rate detectors' sign, and
/// "try a higher rate" would be the wrong advice. The episode ends once `Lₜ` leaves that band; it
/// fires again only if the loss comes back into it.
///
/// For a run of known length, ``init(plannedSteps:)`` judges at mid-run (see there).
public struct LossNotDecreasingDetector: WarningDetector {
    /// Losses averaged for the initial level (default 5).
    public var startSize: Int
    /// Losses averaged for the current level (default 5).
    public var recentSize: Int
    /// Steps (finite losses) before judging (default 30).
    public var patience: Int
    /// Relative drop from the initial level that counts as decreasing (default 0.05).
    public var minimumDrop: Double
    /// Relative rise above the initial level beyond which the loss is not "barely moving" (default 0.1).
    public var maximumRise: Double

    private var first: [(step: Int, loss: Double)] = []
    private var recent: [(step: Int, loss: Double)] = []
    private var seen = 0
    private var inEpisode = false

    public init(startSize: Int = 5, recentSize: Int = 5, patience: Int = 30, minimumDrop: Double = 0.05, maximumRise: Double = 0.1) {
        self.startSize = startSize
        self.recentSize = recentSize
        self.patience = patience
        self.minimumDrop = minimumDrop
        self.maximumRise = maximumRise
    }

    /// Scaled to a run of `plannedSteps`: `patience = clamp(plannedSteps / 2, 10, 30)` and
    /// `minimumDrop = 0.05 · patience / 30` (the defaults from 60 steps on). With patience 30 a
    /// 20-step run is never judged; judging at half the run leaves time to act, and at least 10
    /// steps keeps the initial and current means (5 losses each) from overlapping. The default asks
    /// for 5% in 30 steps; judged earlier, the run is held to that pace rather than that total
    /// (1.7% by step 10), which is lenient since losses fall fastest early: a small random model
    /// learning bytes moves ~2% in its first 10 steps at a good rate and 0.2% at a low one.
    public init(plannedSteps: Int) {
        let patience = min(30, max(10, plannedSteps / 2))
        self.init(patience: patience, minimumDrop: 0.05 * Double(patience) / 30)
    }

    public mutating func reset() {
        first = []
        recent = []
        seen = 0
        inEpisode = false
    }

    public mutating func observe(_ record: MetricRecord) -> TrainingWarning? {
        guard let loss = record.loss, loss.isFinite else { return nil }
        seen += 1
        if first.count < startSize { first.append((record.step, loss)) }
        recent.append((record.step, loss))
        if recent.count > recentSize { recent.removeFirst() }
        guard seen >= patience else { return nil }
        let initial = first.map(\.loss).reduce(0, +) / Double(first.count)
        let current = recent.map(\.loss).reduce(0, +) / Double(recent.count)
        let stuck = current > (1 - minimumDrop) * initial && current <= (1 + maximumRise) * initial
        defer { inEpisode = stuck }
        guard stuck, !inEpisode else { return nil }
        return TrainingWarning(
            kind: .lossNotDecreasing, step: record.step,
            message: "Loss has barely moved in \(seen) steps: \(NumberText.significant(initial)) at the start, \(NumberText.significant(current)) now (\(Self.changeText(from: initial, to: current)), less than the \(NumberText.significant(minimumDrop * 100))% drop expected by now): the learning rate may be too low or the data may have a problem — check the data, then try a 3× higher learning rate.",
            evidence: [Evidence(step: first[0].step, label: "mean_initial_loss", value: initial),
                       Evidence(step: record.step, label: "mean_recent_loss", value: current)],
            fix: "Check the data (formats, loss masks, duplicates), then raise the learning rate about 3×.")
    }

    /// The relative change as a signed percentage with one decimal, truncated toward zero so a
    /// change just short of the threshold never prints as the threshold itself (`−4.9%`, not `−5.0%`).
    static func changeText(from initial: Double, to current: Double) -> String {
        guard initial != 0 else { return "no change" }
        let percent = (current - initial) / abs(initial) * 100
        let tenths = (abs(percent) * 10).rounded(.down) / 10
        return (percent < 0 ? "−" : "+") + String(format: "%.1f", tenths) + "%"
    }
}
