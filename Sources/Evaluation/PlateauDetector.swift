import Essentials

/// Loss had been falling and has flattened: converged, or underfitting.
///
/// Over the last `window` finite losses, compares the mean of its first `edge` values `a` with the
/// mean of its last `edge` values `b`: relative improvement `(a − b) / a`. Fires when that is below
/// `minimumImprovement` (default 1% over 50 steps) and the loss has already come down — `b` is at
/// least `minimumTotalDrop` (5%) below the mean of the run's first `edge` losses (otherwise it is
/// the not-decreasing sign, not a plateau). The episode ends when the improvement over the window
/// exceeds `3 · minimumImprovement` (hysteresis against noise).
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

    public init(window: Int = 50, edge: Int = 10, minimumImprovement: Double = 0.01, minimumTotalDrop: Double = 0.05) {
        precondition(2 * edge <= window, "plateau edge \(edge) too large for window \(window)")
        self.window = window
        self.edge = edge
        self.minimumImprovement = minimumImprovement
        self.minimumTotalDrop = minimumTotalDrop
    }

    public mutating func reset() {
        start = []
        recent = []
        inEpisode = false
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
        let from = recent.first!.step
        return TrainingWarning(
            kind: .plateau, step: record.step,
            message: "Loss has plateaued around \(NumberText.significant(b)) over steps \(from)-\(record.step) (\(NumberText.percent(max(0, improvement))) lower in \(window) steps): the model has converged or is underfitting — stop if the outputs are good, otherwise add capacity (rank, targets) or data.",
            evidence: [Evidence(step: from, label: "mean_loss_window_start", value: a),
                       Evidence(step: record.step, label: "mean_loss_window_end", value: b)],
            fix: "Stop here if evaluations look good; otherwise raise the LoRA rank or add target modules, or add data.")
    }
}
