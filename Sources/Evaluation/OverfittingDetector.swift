import Essentials

/// Validation loss rising while training loss falls: overfitting — stop early.
///
/// Training loss is smoothed with an EMA (β = `trainingBeta`). On each validation record it keeps
/// the best (lowest) validation loss `v*`, its step, and the smoothed training loss `t*` then.
/// Fires when, `patience` or more evaluations after the best, the validation loss is at least
/// `minimumRise` (2%) above `v*` while the smoothed training loss is below `t*`. A new best
/// validation loss ends the episode.
public struct OverfittingDetector: WarningDetector {
    /// Evaluations without a new best before judging (default 2).
    public var patience: Int
    /// Relative rise above the best validation loss that counts (default 0.02).
    public var minimumRise: Double
    /// EMA weight for the training loss (default 0.9).
    public var trainingBeta: Double

    private var trainEMA: ExponentialMovingAverage
    private var best: (step: Int, val: Double, train: Double?)?
    private var evaluationsSinceBest = 0
    private var inEpisode = false

    public init(patience: Int = 2, minimumRise: Double = 0.02, trainingBeta: Double = 0.9) {
        self.patience = patience
        self.minimumRise = minimumRise
        self.trainingBeta = trainingBeta
        trainEMA = ExponentialMovingAverage(beta: trainingBeta)
    }

    public mutating func reset() {
        trainEMA = ExponentialMovingAverage(beta: trainingBeta)
        best = nil
        evaluationsSinceBest = 0
        inEpisode = false
    }

    public mutating func observe(_ record: MetricRecord) -> TrainingWarning? {
        if let loss = record.loss { trainEMA.update(loss) }
        guard let val = record.valLoss, val.isFinite else { return nil }
        let train = trainEMA.value
        guard let current = best, val >= current.val else {
            best = (record.step, val, train)
            evaluationsSinceBest = 0
            inEpisode = false
            return nil
        }
        evaluationsSinceBest += 1
        guard !inEpisode, evaluationsSinceBest >= patience, val >= current.val * (1 + minimumRise),
              let trainThen = current.train, let trainNow = train, trainNow < trainThen else { return nil }
        inEpisode = true
        return TrainingWarning(
            kind: .overfitting, step: record.step,
            message: "Validation loss rose from \(NumberText.significant(current.val)) at step \(current.step) to \(NumberText.significant(val)) at step \(record.step) while training loss fell from \(NumberText.significant(trainThen)) to \(NumberText.significant(trainNow)): the model is overfitting — stop early and keep the step-\(current.step) checkpoint.",
            evidence: [Evidence(step: current.step, label: "val_loss", value: current.val),
                       Evidence(step: record.step, label: "val_loss", value: val),
                       Evidence(step: current.step, label: "smoothed_loss", value: trainThen),
                       Evidence(step: record.step, label: "smoothed_loss", value: trainNow)],
            fix: "Stop early and restore the best checkpoint; train fewer epochs, add data, or raise dropout.")
    }
}
