import Essentials

/// Learning rate outside the guide's range for the method (full 1e-5…5e-5, LoRA 1e-4…3e-4,
/// QLoRA 2e-4…5e-4), judged by the number and then by what the run does.
///
/// The guide gives these ranges for 7B-class models (``GuideModelClass``); a model far from that
/// size often trains well outside them. So the number alone only earns a ``WarningSeverity/note``
/// at the first record ("lr 1e-3 is above the guide's LoRA range 1e-4…3e-4, which the guide gives
/// for 7B-class models; this is a 135M model — watching the loss …"), and the detector then
/// escalates to a warning, once, when the run gives evidence for the side the rate is on:
///
/// **Above the range** — the first of:
/// - a non-finite loss (NaN or ±∞);
/// - a *spike*: a loss `L > spikeRatio · r` (default 2), `r` the mean of the up to 10 finite
///   losses before it (at least 3). Batch noise does not double a loss: the quickstart's real run
///   (batch 4, 40 steps) peaks at 1.6× its 10-step mean, and for a per-step coefficient of
///   variation `c` ≤ 0.33 a doubling is ≥ 3σ. (``LossExplosionDetector`` reports 3× jumps on
///   its own; this one ties the smaller spike to the rate.)
/// - *divergence*: the mean of the last `k` losses reaches `divergenceRatio` (1.5) times the
///   lowest `k`-mean seen so far, `k = clamp(plannedSteps / 5, 5, 10)` (10 when the length is
///   unknown). A `k`-mean's noise is `c / √k` ≈ 0.1 at `c` = 0.3, `k` = 8, so a 50% rise over the
///   best is far outside it; the quickstart's curve peaks at 1.20 (its `k` = 8). At least 5, so
///   one odd batch is at most a fifth of the mean: with 4, two batches of mixed-in general text in
///   the forgetting notebook's 12-step run (losses 2.07 and 1.26 after 0.6-1.0) read as 1.57×.
///
/// - *undone*: the loss had come down (some loss at least `minimumRiseShare`, 10%, below the
///   run's starting level `L₀`, below), and after at least `2k` losses the mean of the last `k` is
///   back at or above `L₀`: the run is no better than the model it started from. Fine-tuning
///   at a workable rate takes tens of percent off the loss within its first steps, so a `k`-mean
///   back at `L₀` is a rate that undoes each step's progress — lr 2e-2 on the quickstart's setup
///   drops to 1.23 at step 2, then wanders between 1.3 and 3.8 (steps 6-10 average 2.27 against
///   `L₀` = 2.04) without a 2× spike or a 1.5× rise over its best 5-step mean.
///
///   Spikes and divergence also need the rise to be at least `minimumRiseShare` (10%) of the run's starting level
///   `L₀` (mean of its first 3 losses): once a model fits its data the loss is near 0 and its
///   ratios are noise (a batch at 0.17 after ten at 0.07 is 2.4×, yet 2% of a start at 5.5); a
///   rate too high undoes a real share of what training achieved.
/// - *validation rising*: a validation loss at least `validationRise` (5%) above the best so far
///   while the smoothed training loss (EMA, β = 0.9) is no more than 1% below what it was then
///   (the 1% absorbs rounding in the average of a flat curve). Validation rising while training
///   falls is overfitting, ``OverfittingDetector``'s sign, not the rate's.
///
/// **Below the range** — the loss not moving over the first part of the run while the rate is at
/// its peak: over the first `N = clamp(plannedSteps / 2, 10, 30)` records whose rate is at least
/// half the peak (warmup over, decay not far along; 30 when the length is unknown), the mean of
/// the last `e = max(2, N / 4)` losses is less than `minimumEarlyDrop` (10%) below the mean of
/// the first `e`: `(a − b) / a < 0.1`. A working rate moves a fine-tuning loss by tens of percent
/// in its first steps; early on the loss falls about in proportion to the rate, so a rate 3× too
/// low shows as a drop well under a third of that. Measured on the quickstart's setup (SmolLM2-135M,
/// LoRA r=16, batch 4, cosine over 40 steps, steps 2-21): lr 1e-3 drops 45% (1.51 → 0.83),
/// lr 2e-5 drops 0.4% (1.75 → 1.74); 10% sits between with room for batch noise either way.
/// Judged once, when `N` records are in or when the rate falls below half its peak after at least
/// `2e`, whichever comes first.
///
/// The peak rate judged is the configured one (`peakLearningRate`, the `lr` hyperparameter) when
/// known, at the first record; without it (a replayed metrics block) the logged rates: above at
/// once when a step's rate exceeds the range's top (by more than `tolerance`, relative), below
/// once the peak has passed (the rate starts to fall) or after `settleSteps` records.
public struct LearningRateRangeDetector: WarningDetector {
    public var method: FineTuningMethod
    /// The schedule's peak rate as configured; nil to judge the logged rates instead.
    public var peakLearningRate: Double?
    /// The model's parameter count, named in the messages beside the guide's 7B class.
    public var parameterCount: Int?
    /// The run's planned optimizer steps, which scale the windows above; nil for the defaults.
    public var plannedSteps: Int?
    /// Steps after which a never-reached range counts as below it, without a configured peak (default 20).
    public var settleSteps: Int
    /// Relative slack at the range ends (default 0.001, so 3.0001e-4 is still 3e-4).
    public var tolerance: Double
    /// A loss this many times its recent mean is a spike (default 2).
    public var spikeRatio: Double
    /// A windowed mean this many times the lowest one so far is divergence (default 1.5).
    public var divergenceRatio: Double
    /// Relative rise of the validation loss over its best that counts (default 0.05).
    public var validationRise: Double
    /// Relative drop over the first part of the run below which the loss is not moving (default 0.1).
    public var minimumEarlyDrop: Double
    /// A spike or divergence must rise by at least this share of the starting level (default 0.1).
    public var minimumRiseShare: Double

    private enum Side { case above, below }
    private var side: Side?
    private var judgedNumber = false
    private var escalated = false
    private var loggedPeak: (step: Int, lr: Double)?
    private var seen = 0
    private var recent: [(step: Int, loss: Double)] = []
    private var window: [(step: Int, loss: Double)] = []
    private var bestWindow: (from: Int, to: Int, mean: Double)?
    private var trainEMA = ExponentialMovingAverage(beta: 0.9)
    private var bestVal: (step: Int, val: Double, train: Double?)?
    private var atPeak: [(step: Int, loss: Double)] = []
    private var judgedEarly = false
    private var firstLosses: [Double] = []
    /// Finite losses seen so far, and the lowest of them.
    private var finiteLosses = 0
    private var lowestLoss: Double?
    /// `L₀`: the mean of the run's first 3 finite losses.
    private var startLevel: Double? { firstLosses.isEmpty ? nil : firstLosses.reduce(0, +) / Double(firstLosses.count) }

    public init(method: FineTuningMethod, peakLearningRate: Double? = nil, parameterCount: Int? = nil, plannedSteps: Int? = nil,
                settleSteps: Int = 20, tolerance: Double = 0.001, spikeRatio: Double = 2, divergenceRatio: Double = 1.5,
                validationRise: Double = 0.05, minimumEarlyDrop: Double = 0.1, minimumRiseShare: Double = 0.1) {
        self.method = method
        self.peakLearningRate = peakLearningRate
        self.parameterCount = parameterCount
        self.plannedSteps = plannedSteps
        self.settleSteps = settleSteps
        self.tolerance = tolerance
        self.spikeRatio = spikeRatio
        self.divergenceRatio = divergenceRatio
        self.validationRise = validationRise
        self.minimumEarlyDrop = minimumEarlyDrop
        self.minimumRiseShare = minimumRiseShare
    }

    public mutating func reset() {
        self = LearningRateRangeDetector(method: method, peakLearningRate: peakLearningRate, parameterCount: parameterCount,
                                         plannedSteps: plannedSteps, settleSteps: settleSteps, tolerance: tolerance,
                                         spikeRatio: spikeRatio, divergenceRatio: divergenceRatio, validationRise: validationRise,
                                         minimumEarlyDrop: minimumEarlyDrop, minimumRiseShare: minimumRiseShare)
    }

    /// Records of the early window `N` judged for "below" (see the type's documentation).
    public var earlyWindow: Int { plannedSteps.map { min(30, max(10, $0 / 2)) } ?? 30 }
    /// Losses averaged for divergence, `k`.
    public var divergenceWindow: Int { plannedSteps.map { min(10, max(5, $0 / 5)) } ?? 10 }

    /// "1e-4…3e-4".
    static func rangeText(_ method: FineTuningMethod) -> String {
        let range = method.learningRateRange
        return "\(NumberText.significant(range.lowerBound))…\(NumberText.significant(range.upperBound))"
    }

    /// "this is a 135M model", "this 7.2B model is one", or nil when the size is unknown.
    static func modelClause(_ parameterCount: Int?) -> String? {
        guard let parameterCount else { return nil }
        let size = GuideModelClass.sizeText(parameterCount)
        return GuideModelClass.contains(parameterCount) ? "this \(size) model is one" : "this is a \(size) model"
    }

    /// The note for a configured rate outside the method's range (nil inside it): the range, the
    /// model class it is given for, this model's size, and that the loss is being watched.
    public static func note(learningRate lr: Double, method: FineTuningMethod, parameterCount: Int? = nil, step: Int = 0,
                            tolerance: Double = 0.001) -> TrainingWarning? {
        guard let above = side(of: lr, method: method, tolerance: tolerance) else { return nil }
        let model = modelClause(parameterCount).map { "; \($0)" } ?? ""
        let watching = above == .above ? "watching the loss for spikes or divergence" : "watching whether the loss moves"
        return TrainingWarning(
            kind: .learningRateOutOfRange, severity: .note, step: step,
            message: "lr \(NumberText.significant(lr)) is \(above == .above ? "above" : "below") the guide's \(method.displayName) range \(rangeText(method)), which the guide gives for 7B-class models\(model) — \(watching).",
            evidence: [Evidence(step: step, label: "peak_lr", value: lr)],
            fix: "None yet; if the loss spikes or stalls, try lr=\(NumberText.significant(method.suggestedLearningRate)).")
    }

    private static func side(of lr: Double, method: FineTuningMethod, tolerance: Double) -> Side? {
        let range = method.learningRateRange
        if lr > range.upperBound * (1 + tolerance) || !lr.isFinite { return .above }
        if lr < range.lowerBound * (1 - tolerance) { return .below }
        return nil
    }

    public mutating func observe(_ record: MetricRecord) -> TrainingWarning? {
        var noted: TrainingWarning?
        if !judgedNumber { noted = judgeNumber(record) }
        // Judging logged rates, a slow warmup can be noted as below the range and reach it later:
        // the rate was not too low after all, so its evidence is not watched for.
        if peakLearningRate == nil, side == .below, let lr = record.lr,
           lr >= method.learningRateRange.lowerBound * (1 - tolerance) { side = nil }
        guard let side, !escalated else { track(record); return noted }
        let warning = side == .above ? evidenceTooHigh(record) : evidenceTooLow(record)
        track(record)
        if let warning {
            escalated = true
            return warning
        }
        return noted
    }

    /// The note, once the peak rate is known to be outside the range.
    private mutating func judgeNumber(_ record: MetricRecord) -> TrainingWarning? {
        if let configured = peakLearningRate {
            judgedNumber = true
            side = Self.side(of: configured, method: method, tolerance: tolerance)
            return Self.note(learningRate: configured, method: method, parameterCount: parameterCount, step: record.step, tolerance: tolerance)
        }
        guard let lr = record.lr else { return nil }
        seen += 1
        let falling = loggedPeak.map { lr < $0.lr } ?? false
        if loggedPeak == nil || lr > loggedPeak!.lr { loggedPeak = (record.step, lr) }
        if Self.side(of: lr, method: method, tolerance: tolerance) == .above {
            judgedNumber = true
            side = .above
            return Self.note(learningRate: lr, method: method, parameterCount: parameterCount, step: record.step, tolerance: tolerance)
        }
        if let peak = loggedPeak, falling || seen >= settleSteps {
            judgedNumber = true
            side = Self.side(of: peak.lr, method: method, tolerance: tolerance)
            return Self.note(learningRate: peak.lr, method: method, parameterCount: parameterCount, step: record.step, tolerance: tolerance)
        }
        return nil
    }

    private var peak: Double? { peakLearningRate ?? loggedPeak?.lr }

    /// Keeps the running state every check reads: recent losses, the windowed means, the
    /// training EMA and the best validation loss.
    private mutating func track(_ record: MetricRecord) {
        if let loss = record.loss, loss.isFinite, loss != 0 {
            if firstLosses.count < 3 { firstLosses.append(loss) }
            finiteLosses += 1
            lowestLoss = min(lowestLoss ?? loss, loss)
            trainEMA.update(loss)
            recent.append((record.step, loss))
            if recent.count > 10 { recent.removeFirst(recent.count - 10) }
            window.append((record.step, loss))
            if window.count > divergenceWindow { window.removeFirst(window.count - divergenceWindow) }
            if window.count == divergenceWindow {
                let mean = window.map(\.loss).reduce(0, +) / Double(window.count)
                if bestWindow == nil || mean < bestWindow!.mean { bestWindow = (window.first!.step, window.last!.step, mean) }
            }
        }
        if let val = record.valLoss, val.isFinite, bestVal == nil || val < bestVal!.val {
            bestVal = (record.step, val, trainEMA.value)
        }
    }

    private func highWarning(_ record: MetricRecord, _ what: String, _ evidence: [Evidence]) -> TrainingWarning {
        let lr = peak ?? record.lr ?? .nan
        let lower = NumberText.significant(lr / 3, digits: 1)
        let model = parameterCount.map { "this \(GuideModelClass.sizeText($0)) model" } ?? "this run"
        return TrainingWarning(
            kind: .learningRateOutOfRange, step: record.step,
            message: "lr \(NumberText.significant(lr)) looks too high for \(model): \(what) (the guide's \(method.displayName) range is \(Self.rangeText(method)), for 7B-class models) — try lr=\(lower).",
            evidence: [Evidence(step: record.step, label: "peak_lr", value: lr)] + evidence,
            fix: "Lower the learning rate about 3× (lr=\(lower)); keep warmup and gradient clipping on.")
    }

    /// Spike, divergence, non-finite loss or validation rising (see the type's documentation).
    private func evidenceTooHigh(_ record: MetricRecord) -> TrainingWarning? {
        if let loss = record.loss, !loss.isFinite {
            return highWarning(record, "the loss became \(loss.isNaN ? "NaN" : "infinite") at step \(record.step)",
                               [Evidence(step: record.step, label: "loss", value: loss)])
        }
        if let loss = record.loss, loss != 0, recent.count >= 3, let start = startLevel {
            let floor = minimumRiseShare * start
            let reference = recent.map(\.loss).reduce(0, +) / Double(recent.count)
            if loss > spikeRatio * reference, loss - reference >= floor {
                return highWarning(record, "the loss spiked to \(NumberText.significant(loss)) at step \(record.step), \(NumberText.significant(loss / reference))× its mean of \(NumberText.significant(reference)) over the \(recent.count) steps before",
                                   [Evidence(step: recent.last!.step, label: "mean_recent_loss", value: reference),
                                    Evidence(step: record.step, label: "loss", value: loss)])
            }
            let k = divergenceWindow
            if let best = bestWindow, window.count >= k - 1 {
                let values = window.suffix(k - 1).map(\.loss) + [loss]
                let mean = values.reduce(0, +) / Double(k)
                if mean >= divergenceRatio * best.mean, mean - best.mean >= floor {
                    let from = window.suffix(k - 1).first?.step ?? record.step
                    return highWarning(record, "the loss is diverging: its mean over steps \(from)-\(record.step) is \(NumberText.significant(mean)), \(NumberText.significant(mean / best.mean))× the lowest \(k)-step mean, \(NumberText.significant(best.mean)) over steps \(best.from)-\(best.to)",
                                       [Evidence(step: best.to, label: "best_mean_loss", value: best.mean),
                                        Evidence(step: record.step, label: "mean_recent_loss", value: mean)])
                }
            }
            if finiteLosses + 1 >= 2 * k, window.count >= k - 1, let lowest = lowestLoss, lowest <= (1 - minimumRiseShare) * start {
                let values = window.suffix(k - 1).map(\.loss) + [loss]
                let mean = values.reduce(0, +) / Double(k)
                if mean >= start {
                    let from = window.suffix(k - 1).first?.step ?? record.step
                    return highWarning(record, "the loss is back where it started: its mean over steps \(from)-\(record.step) is \(NumberText.significant(mean)), at or above \(NumberText.significant(start)), the mean of the run's first 3 steps",
                                       [Evidence(step: firstLosses.count, label: "start_mean_loss", value: start),
                                        Evidence(step: record.step, label: "mean_recent_loss", value: mean)])
                }
            }
        }
        if let val = record.valLoss, val.isFinite, let best = bestVal, val >= (1 + validationRise) * best.val {
            var ema = trainEMA
            if let loss = record.loss, loss.isFinite, loss != 0 { ema.update(loss) }
            if let trainThen = best.train, let trainNow = ema.value, trainNow > 0.99 * trainThen {
                return highWarning(record, "the validation loss rose from \(NumberText.significant(best.val)) at step \(best.step) to \(NumberText.significant(val)) at step \(record.step) while the training loss did not fall (\(NumberText.significant(trainThen)) → \(NumberText.significant(trainNow)), smoothed)",
                                   [Evidence(step: best.step, label: "val_loss", value: best.val),
                                    Evidence(step: record.step, label: "val_loss", value: val)])
            }
        }
        return nil
    }

    /// The loss not moving over the first part of the run at the peak rate.
    private mutating func evidenceTooLow(_ record: MetricRecord) -> TrainingWarning? {
        guard !judgedEarly, let peak else { return nil }
        let n = earlyWindow
        let e = max(2, n / 4)
        let decayed = record.lr.map { $0 < peak / 2 } ?? false
        if !decayed, let loss = record.loss, loss.isFinite, loss != 0 { atPeak.append((record.step, loss)) }
        guard atPeak.count >= n || (decayed && atPeak.count >= 2 * e) else { return nil }
        judgedEarly = true
        let a = atPeak.prefix(e).map(\.loss).reduce(0, +) / Double(e)
        let b = atPeak.suffix(e).map(\.loss).reduce(0, +) / Double(e)
        let drop = (a - b) / a
        guard drop < minimumEarlyDrop else { return nil }
        let higher = NumberText.significant(peak * 3, digits: 1)
        let model = parameterCount.map { "this \(GuideModelClass.sizeText($0)) model" } ?? "this run"
        let moved = drop >= 0 ? "fell only \(NumberText.percent(drop))" : "rose \(NumberText.percent(-drop))"
        return TrainingWarning(
            kind: .learningRateOutOfRange, step: record.step,
            message: "lr \(NumberText.significant(peak)) looks too low for \(model): over steps \(atPeak.first!.step)-\(atPeak.last!.step) at the peak rate the loss \(moved) (mean of \(e) steps \(NumberText.significant(a)) → \(NumberText.significant(b)); a working rate moves it \(NumberText.percent(minimumEarlyDrop)) or more) (the guide's \(method.displayName) range is \(Self.rangeText(method)), for 7B-class models) — try lr=\(higher).",
            evidence: [Evidence(step: record.step, label: "peak_lr", value: peak),
                       Evidence(step: atPeak.first!.step, label: "mean_loss_window_start", value: a),
                       Evidence(step: atPeak.last!.step, label: "mean_loss_window_end", value: b)],
            fix: "Raise the learning rate about 3× (lr=\(higher)), after checking the data.")
    }
}
