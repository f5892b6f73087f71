import Evaluation
import Foundation

/// `compare`'s forgetting row: the general-capability probe (`eval general`) of each side — the
/// side itself when it is a probe result, else the latest probe of the model state it was
/// measured on — with both pass rates (95% Wilson intervals) and the probe items that regressed
/// (passed on the first side, fail on the second).
struct ForgettingReport {
    let before: EvaluationResult
    let after: EvaluationResult
    let regression: RegressionReport

    init(before: EvaluationResult, after: EvaluationResult) {
        self.before = before
        self.after = after
        regression = RegressionReport(base: before.report?.results ?? [], tuned: after.report?.results ?? [])
    }

    /// The probe result that goes with one side of a comparison: the side's own evaluation when it
    /// is a probe, else the session's latest probe of `modelState` (nil when there is none).
    static func probe(stored: EvaluationResult?, modelState: String, session: Session) -> EvaluationResult? {
        if let stored, stored.isGeneralProbe { return stored }
        return session.generalProbes[modelState]
    }

    /// The table row: `forgetting: general probe` and each side's pass rate with its interval.
    var row: (String, String, String) {
        ("forgetting: general probe", rate(before), rate(after))
    }

    private func rate(_ result: EvaluationResult) -> String {
        EvaluationText.rateWithInterval(result.passed, result.checkedCount)
    }

    /// The lines under the table: the change in points, how many items regressed and improved,
    /// the regressed items per category and the first ones (prompt, the reply that now fails).
    func lines(names: [String], limit: Int = 10) -> [String] {
        let rateBefore = before.checkedCount > 0 ? Double(before.passed) / Double(before.checkedCount) : 0
        let rateAfter = after.checkedCount > 0 ? Double(after.passed) / Double(after.checkedCount) : 0
        let points = (rateAfter - rateBefore) * 100
        var lines = ["forgetting (general probe, \(after.checkedCount) items): \(names[0]) \(EvaluationText.percent(rateBefore)) → \(names[1]) "
                     + "\(EvaluationText.percent(rateAfter)) (\(String(format: "%+.1f", points)) points); \(regression.worsened.count) regressed, "
                     + "\(regression.improved.count) improved" + (regression.worsened.isEmpty ? " (no probe item regressed)" : "")]
        let results = after.report?.results ?? []
        let byID = Dictionary(results.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let regressed = regression.worsened.compactMap { byID[$0.id] }
        let categories = GroupRates.group(regressed) { $0.category.map { [$0] } ?? [] }.sorted { $0.name < $1.name }
        if !categories.isEmpty {
            lines.append("  regressed by category: " + categories.map { "\($0.name) \($0.count)" }.joined(separator: ", "))
        }
        for item in regressed.prefix(limit) {
            lines.append("  regressed \(item.id)" + (item.category.map { " [\($0)]" } ?? "") + " \(EvaluationText.clip(item.prompt, 50)) → "
                         + "\"\(EvaluationText.clip(item.reply, 50))\"")
        }
        if regressed.count > limit { lines.append("  … and \(regressed.count - limit) more") }
        return lines
    }
}
