import Datasets
import Evaluation
import Foundation

/// The novelty of every example of a set: what `novelty score on=SET` prints and what `eval`
/// adds (a column of scores and a flagged count) once the session has a calibration.
struct NoveltyColumn {
    var setName: String
    var scores: [Double]
    var threshold: Double
    var calibration: NoveltyCalibration
    /// One short prompt per example, for the most novel ones.
    var prompts: [String]

    init(_ set: EvaluationSet, calibration: NoveltyCalibration, index: MinHashIndex, threshold: Double? = nil, context: CommandContext) throws {
        let measured = try NoveltyMeasurement.measure(set.examples.map(NoveltyText.of), index: index, context: context)
        setName = set.name
        scores = measured.scores(calibration)
        self.threshold = threshold ?? calibration.threshold
        self.calibration = calibration
        prompts = set.examples.map { ModelEvaluator.shortPrompt($0, limit: 50) }
    }

    /// Indices of the examples scoring above the threshold.
    var flagged: [Int] { scores.indices.filter { calibration.isNovel(scores[$0], threshold: threshold) } }

    /// `novelty on test: 3 of 40 flagged (7.5%, 95% CI 2.6%–19.9%) · score > 0.95 (calibrated on val, 5.0% target)`
    /// and the (up to five) most novel examples.
    var text: String {
        let count = scores.count, k = flagged.count
        var line = "novelty on \(setName): \(k) of \(count) flagged as out of distribution"
        if count > 0 {
            line += " (\(NumberText.percent(Double(k) / Double(count)))"
            if let interval = WilsonInterval(successes: Double(k), trials: count) {
                line += ", 95% CI \(NumberText.percent(interval.lower))–\(NumberText.percent(interval.upper))"
            }
            line += ")"
        }
        line += " · score > \(NumberText.significant(threshold)) (calibrated on \(calibration.setName), \(NumberText.percent(calibration.falseAlarmTarget)) target)"
        var lines = [line]
        let top = scores.indices.sorted { (scores[$0], -$0) > (scores[$1], -$1) }.prefix(5).filter { calibration.isNovel(scores[$0], threshold: threshold) }
        for i in top { lines.append("  #\(i)  \(NumberText.significant(scores[i]))  \(prompts[i])") }
        return lines.joined(separator: "\n")
    }

    /// `scores` (one per example), `flagged`, `count`, `rate`, `lower`, `upper`, `threshold`.
    var fields: [(String, ScriptValue)] {
        let k = flagged.count
        let interval = WilsonInterval(successes: Double(k), trials: scores.count)
        return [
            ("scores", .list(scores.map { .number($0) })), ("flagged", .number(Double(k))), ("count", .number(Double(scores.count))),
            ("rate", scores.isEmpty ? .none : .number(Double(k) / Double(scores.count))),
            ("lower", interval.map { .number($0.lower) } ?? .none), ("upper", interval.map { .number($0.upper) } ?? .none),
            ("threshold", .number(threshold)),
        ]
    }
}
