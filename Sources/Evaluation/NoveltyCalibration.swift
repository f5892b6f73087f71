import Essentials

/// The novelty score of an input and its calibrated threshold.
///
/// Two measures, each larger for a more unusual input: the base model's perplexity of the input
/// (`p`) and the MinHash distance to the nearest training example (`d`). Each is turned into its
/// empirical percentile on a held-out calibration set from the training distribution
/// (`EmpiricalPercentile`: the share of calibration examples strictly below), and the score is
/// the larger of the two:
///
///     score(x) = max( F_p(p(x)), F_d(d(x)) )        ∈ [0, 1]
///
/// The threshold t is the smallest calibration score that at most ⌊α·n⌋ of the n calibration
/// scores exceed (α: the false-alarm target); an input is novel when score > t. On the
/// calibration set the share flagged is k/n ≤ α (ties can make it lower), and on new data from
/// the same distribution the share flagged estimates the false-alarm rate (its 95% Wilson
/// interval is `interval`). Anything beyond every calibration example on either measure scores 1
/// and is flagged (t < 1 always).
public struct NoveltyCalibration: Sendable, Equatable {
    /// Calibration perplexities and distances, each ascending.
    public let perplexity: EmpiricalPercentile
    public let distance: EmpiricalPercentile
    /// α: the share of in-distribution inputs one accepts to flag.
    public let falseAlarmTarget: Double
    public let threshold: Double
    /// Calibration examples whose score exceeds the threshold, and how many there are.
    public let flagged: Int
    public let count: Int
    /// What was measured: the calibration set, the reference (training) set, the model.
    public var setName: String
    public var referenceName: String
    public var modelName: String
    /// The reference set's MinHash signatures (the distance needs them to score new inputs).
    public var referenceSignatures: [[UInt32]]

    /// Calibrates on paired measures of the same n examples (n ≥ 1, 0 < α < 1).
    public init(perplexities: [Double], distances: [Double], falseAlarmTarget: Double, setName: String = "",
                referenceName: String = "", modelName: String = "", referenceSignatures: [[UInt32]] = []) throws {
        guard !perplexities.isEmpty, perplexities.count == distances.count else {
            throw NoveltyError("calibration needs one perplexity and one distance per example (got \(perplexities.count) and \(distances.count))")
        }
        guard falseAlarmTarget > 0, falseAlarmTarget < 1 else {
            throw NoveltyError("the false-alarm rate must be between 0 and 1, such as 5% or 0.05 (got \(falseAlarmTarget))")
        }
        let p = EmpiricalPercentile(perplexities), d = EmpiricalPercentile(distances)
        let scores = zip(perplexities, distances).map { max(p.share(below: $0), d.share(below: $1)) }.sorted()
        let allowed = Int((falseAlarmTarget * Double(scores.count)).rounded(.down))
        let threshold = scores[scores.count - 1 - min(allowed, scores.count - 1)]
        self.init(perplexity: p, distance: d, falseAlarmTarget: falseAlarmTarget, threshold: threshold,
                  flagged: scores.filter { $0 > threshold }.count, count: scores.count, setName: setName,
                  referenceName: referenceName, modelName: modelName, referenceSignatures: referenceSignatures)
    }

    init(perplexity: EmpiricalPercentile, distance: EmpiricalPercentile, falseAlarmTarget: Double, threshold: Double, flagged: Int,
         count: Int, setName: String, referenceName: String, modelName: String, referenceSignatures: [[UInt32]]) {
        self.perplexity = perplexity; self.distance = distance; self.falseAlarmTarget = falseAlarmTarget
        self.threshold = threshold; self.flagged = flagged; self.count = count; self.setName = setName
        self.referenceName = referenceName; self.modelName = modelName; self.referenceSignatures = referenceSignatures
    }

    /// max(F_p(perplexity), F_d(distance)); a missing perplexity (an empty input) scores 1.
    public func score(perplexity p: Double?, distance d: Double) -> Double {
        guard let p else { return 1 }
        return max(perplexity.share(below: p), distance.share(below: d))
    }

    /// Whether `score` exceeds `threshold` (the calibrated one by default).
    public func isNovel(_ score: Double, threshold: Double? = nil) -> Bool { score > (threshold ?? self.threshold) }

    /// The share of calibration examples flagged, k/n.
    public var calibrationRate: Double { Double(flagged) / Double(count) }

    /// The 95% Wilson interval of the false-alarm rate from the calibration set.
    public var interval: WilsonInterval? { WilsonInterval(successes: Double(flagged), trials: count) }

    /// `threshold 0.95 · 2 of 40 calibration examples flagged (5.0%, 95% CI 1.4%–16.5%) for a 5% target`.
    public var summary: String {
        var text = "threshold \(NumberText.significant(threshold)) · \(flagged) of \(count) calibration examples flagged "
        text += "(\(NumberText.percent(calibrationRate))"
        if let interval { text += ", 95% CI \(NumberText.percent(interval.lower))–\(NumberText.percent(interval.upper))" }
        return text + ") for a \(NumberText.percent(falseAlarmTarget)) target"
    }
}

/// A calibration that cannot be made or read; the message names the problem and the fix.
public struct NoveltyError: Error, CustomStringConvertible, Sendable, Equatable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
