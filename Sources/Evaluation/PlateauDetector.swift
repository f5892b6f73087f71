import Essentials

/// Loss had been falling and has flattened: converged, or underfitting.
///
/// Over the last `window` finite losses, compares the mean of its first `edge` values `a` with the
/// mean of its last `edge` values `b`: relative improvement `(a − b) / a`. Fires when that is below
/// `minimumImprovement` (default 1% over 50 steps) and the loss has already come down — `b` is at
/// least `minimumTotalDrop` (5%) below the mean of the run's first `edge` losses (otherwise it is
/// the not-decreasing sign, not a plateau). The episode ends when the improvement over the window
/// exceeds `3 · minimumImprovement` (hysteresis against noise). A later plateau is reported only
/// when its level `b` is at least `minimumTotalDrop` below the last one reported: a flat stretch
/// whose noise takes it in and out of the hysteresis band is one plateau, not one per wobble.
///
/// For a run of known length, ``init(plannedSteps:)`` scales the window to half the run (see there).
public struct PlateauDetector: WarningDetector {
    /// Steps looked back over (default 50).
    public var window: Int
    /// Losses averaged at each end of the window (default 10).
    public var edge: Int
    /// Relative improvement over the window below which the loss counts as flat (default 0.01).
    public var minimumImprovement: Double
    /// Relative drop since the start required before a flat stretch is a plateau (default 0.05).
    public var minimumTotalDrop: Double

    private var start: [Double] = []
    private var recent: [(step: Int, loss: Double)] = []
    private var inEpisode = false
    private var lastLevel: Double?

    public init(window: Int = 50, edge: Int = 10, minimumImprovement: Double = 0.01, minimumTotalDrop: Double = 0.05) {
        precondition(2 * edge <= window, "plateau edge \(edge) too large for window \(window)")
        self.window = window
        self.edge = edge
        self.minimumImprovement = minimumImprovement
        self.minimumTotalDrop = minimumTotalDrop
    }

    /// The window scaled to a run of `plannedSteps`: `window = clamp(plannedSteps / 2, 10, 50)`,
    /// `edge = window / 5` (the defaults, 50 and 10, from 100 steps on). A 50-step window never
    /// fills in the 20-60-step runs teaching notebooks use; half the run leaves the first half for
    /// the initial drop (`minimumTotalDrop` must have happened) and flags a flat second half while
    /// the run is still going. The edge stays a fifth of the window, so each end's mean averages
    /// `window / 5` losses (2 in a 20-step run, 4 in a 40-step one; batch noise in a mean of `e`
    /// losses shrinks as `1 / √e`).
    public init(plannedSteps: Int) {
        let window = min(50, max(10, plannedSteps / 2))
        self.init(window: window, edge: window / 5)
    }

    public mutating func reset() {
        start = []
        recent = []
        inEpisode = false
        lastLevel = nil
    }

    public mutating func observe(_ record: MetricRecord) -> TrainingWarning? {
        guard let loss = record.loss, loss.isFinite else { return nil }
        if start.count < edge { start.append(loss) }
        recent.append((record.step, loss))
        if recent.count > window { recent.removeFirst() }
        guard recent.count == window else { return nil }
        let a = recent.prefix(edge).map(\.loss).reduce(0, +) / Double(edge)
        let b = recent.suffix(edge).map(\.loss).reduce(0, +) / Double(edge)
        let initial = start.reduce(0, +) / Double(start.count)
        let improvement = (a - b) / a
        if inEpisode {
            if improvement > 3 * minimumImprovement { inEpisode = false }
            return nil
        }
        guard improvement < minimumImprovement, b <= (1 - minimumTotalDrop) * initial else { return nil }
        inEpisode = true
        if let lastLevel, b > (1 - minimumTotalDrop) * lastLevel { return nil }
        lastLevel = b
        let from = recent.first!.step
        return TrainingWarning(
            kind: .plateau, step: record.step,
            message: "Loss has plateaued around \(NumberText.significant(b)) over steps \(from)-\(record.step) (\(NumberText.percent(max(0, improvement))) lower in \(window) steps): the model has converged or is underfitting — stop if the outputs are good, otherwise add capacity (rank, targets) or data.",
            evidence: [Evidence(step: from, label: "mean_loss_window_start", value: a),
                       Evidence(step: record.step, label: "mean_loss_window_end", value: b)],
            fix: "Stop here if evaluations look good; otherwise raise the LoRA rank or add target modules, or add data.")
    }
}
