import Essentials
import Evaluation

/// The result table of a finished review: the challenger's win rate over the baseline (ties
/// count half) with its 95% Wilson interval, the same per category, rubric means per model with
/// their intervals, and agreement between raters (Cohen's κ for two, Fleiss' κ for more).
enum ReviewReport {
    static func text(_ result: BlindComparison, review: OpenReview) -> String {
        let (base, tuned) = (result.models[0], result.models[1])
        func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s : s + String(repeating: " ", count: n - s.count) }
        func ci(_ lower: Double, _ upper: Double) -> String { "\(NumberText.percent(lower))–\(NumberText.percent(upper))" }
        var lines = ["review \(review.id): \(tuned) vs \(base) on \(review.setName), \(result.itemsRated) of \(review.items.count) items rated"
                     + ", \(result.ratingCount) rating\(result.ratingCount == 1 ? "" : "s") by \(result.raters.count) rater\(result.raters.count == 1 ? "" : "s")"
                     + (result.raters.isEmpty ? "" : " (\(result.raters.joined(separator: ", ")))")]
        var rows: [(String, String, String, String)] = []
        if let rate = result.winRate, let interval = result.winRateInterval {
            rows.append(("all items", NumberText.percent(rate), ci(interval.lower, interval.upper), "\(result.itemsRated)"))
        }
        for category in result.byCategory {
            rows.append(("  " + category.category, NumberText.percent(category.winRate),
                         category.interval.map { ci($0.lower, $0.upper) } ?? "-", "\(category.items)"))
        }
        if !rows.isEmpty {
            let width = rows.map(\.0.count).max()! + 2
            let rateWidth = "\(tuned) win rate".count + 2
            lines.append("  " + pad("", width) + pad("\(tuned) win rate", rateWidth) + pad("95% CI", 15) + "items")
            for row in rows { lines.append("  " + pad(row.0, width) + pad(row.1, rateWidth) + pad(row.2, 15) + row.3) }
            lines.append("  preferences: \(tuned) \(result.wins), \(base) \(result.losses), tie \(result.ties) (a tie counts half a win)")
        } else {
            lines.append("  no item rated")
        }
        let scored = result.criteria.filter { $0.means.contains { $0 != nil } }
        if !scored.isEmpty {
            let width = max(scored.map(\.criterion.count).max()!, "rubric (1–5)".count) + 2
            lines.append("  " + pad("rubric (1–5)", width) + pad(base + " mean (95% CI)", 24) + tuned + " mean (95% CI)")
            for criterion in scored {
                let cells = (0..<2).map { side -> String in
                    guard let mean = criterion.means[side] else { return "-" }
                    let value = String(format: "%.2f", mean)
                    guard let interval = criterion.intervals.indices.contains(side) ? criterion.intervals[side] : nil else { return value }
                    return value + String(format: " (%.2f–%.2f)", interval.lower, interval.upper)
                }
                lines.append("  " + pad(criterion.criterion, width) + pad(cells[0], 24) + cells[1])
            }
        }
        for figure in [result.preferenceAgreement].compactMap({ $0 }) + result.scoreAgreement {
            let name = figure.statistic == "cohen" ? "Cohen's κ" : "Fleiss' κ"
            let value = figure.kappa.map { String(format: "%.3f", $0) + " (\(Agreement.interpretation($0)))" }
                ?? "undefined (every rating in one category)"
            let raw = figure.observed.map { observed in
                "; agree \(NumberText.percent(observed)), chance \(NumberText.percent(figure.chance ?? 0))" } ?? ""
            lines.append("  agreement on \(figure.on): \(name) = \(value), \(figure.subjects) subject\(figure.subjects == 1 ? "" : "s"), \(figure.raters) raters\(raw)")
        }
        return lines.joined(separator: "\n")
    }
}
