import Essentials

/// Loss exploding or becoming non-finite: the learning rate is too high.
///
/// Reference level `r` = mean of the last `window` finite losses before the current step.
/// Fires when `loss > ratio · r` (with at least `minimumHistory` losses seen), or at once when the
/// loss is NaN or infinite. Before `minimumHistory` losses, from the second step, it fires at
/// `loss > earlyRatio · r` (default 5): a fine-tuning run's first losses are its highest, so a
/// five-fold rise over them is the rate, not batch noise — lr 5e-2 on SmolLM2 goes 1.84, 3.13,
/// 14.4 in three steps, which a three-loss history would only judge from step 4 on, against a
/// reference the explosion itself has already raised. While the episode lasts, exploded values do not enter the window, so
/// `r` stays the pre-explosion level; the episode ends when a finite loss is back at or below
/// `recoveryRatio · r`. A loss of exactly 0 is a step whose batch had no target tokens (the mean
/// over zero tokens; a real cross-entropy is never exactly 0): it says nothing about the level and
/// is skipped, so a later real loss is not reported as an explosion "from 0".
public struct LossExplosionDetector: WarningDetector {
    /// Number of recent losses averaged into the reference level (default 10).
    public var window: Int
    /// How many times the reference level counts as an explosion (default 3).
    public var ratio: Double
    /// Loss at or below `recoveryRatio · reference` ends the episode (default 1.5).
    public var recoveryRatio: Double
    /// Finite losses needed before a jump is judged at `ratio` (default 3).
    public var minimumHistory: Int
    /// The ratio that counts with fewer losses seen (default 5).
    public var earlyRatio: Double

    private var recent: [(step: Int, loss: Double)] = []
    private var inEpisode = false

    public init(window: Int = 10, ratio: Double = 3, recoveryRatio: Double = 1.5, minimumHistory: Int = 3, earlyRatio: Double = 5) {
        self.window = window
        self.ratio = ratio
        self.recoveryRatio = recoveryRatio
        self.minimumHistory = minimumHistory
        self.earlyRatio = earlyRatio
    }

    public mutating func reset() {
        recent = []
        inEpisode = false
    }

    private var reference: Double? {
        recent.isEmpty ? nil : recent.map(\.loss).reduce(0, +) / Double(recent.count)
    }

    public mutating func observe(_ record: MetricRecord) -> TrainingWarning? {
        guard let loss = record.loss, loss != 0 else { return nil }
        let fix = "Lower the learning rate about 3× (keep warmup and gradient clipping on)."
        if !loss.isFinite {
            defer { inEpisode = true }
            guard !inEpisode else { return nil }
            let word = loss.isNaN ? "NaN" : "infinite"
            var evidence = [Evidence(step: record.step, label: "loss", value: loss)]
            var since = ""
            if let last = recent.last {
                evidence.insert(Evidence(step: last.step, label: "loss", value: last.loss), at: 0)
                since = " (last finite value \(NumberText.significant(last.loss)) at step \(last.step))"
            }
            return TrainingWarning(
                kind: .lossExploding, step: record.step,
                message: "Loss became \(word) at step \(record.step)\(since): the learning rate is probably too high — try 3× lower.",
                evidence: evidence, fix: fix)
        }
        if inEpisode {
            if let reference, loss <= recoveryRatio * reference { inEpisode = false } else { return nil }
        }
        if let reference, loss > (recent.count >= minimumHistory ? ratio : earlyRatio) * reference {
            inEpisode = true
            return TrainingWarning(
                kind: .lossExploding, step: record.step,
                message: "Loss exploded at step \(record.step) (from \(NumberText.significant(reference)) to \(NumberText.significant(loss))): the learning rate is probably too high — try 3× lower.",
                evidence: [Evidence(step: recent.last!.step, label: "mean_recent_loss", value: reference),
                           Evidence(step: record.step, label: "loss", value: loss)],
                fix: fix)
        }
        recent.append((record.step, loss))
        if recent.count > window { recent.removeFirst(recent.count - window) }
        return nil
    }
}
