import Evaluation
import Foundation

/// Small text helpers for evaluation tables: one line per reply, clipped.
enum EvaluationText {
    /// `40/60 = 66.7% (95% CI 54.1–77.3%)`.
    static func rateWithInterval(_ passed: Int, _ total: Int) -> String {
        var text = rate(passed, total)
        if let interval = WilsonInterval(successes: Double(passed), trials: total) {
            text += " (95% CI \(percent(interval.lower).dropLast())–\(percent(interval.upper)))"
        }
        return text
    }

    /// Per-class precision, recall, F1 and support, one line per class after a heading.
    static func classTable(_ metrics: ClassificationMetrics) -> [String] {
        let width = max(metrics.classes.map(\.count).max() ?? 0, 5)
        func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s : s + String(repeating: " ", count: n - s.count) }
        var lines = [pad("class", width) + "  precision  recall  F1     support"]
        for score in metrics.perClass {
            lines.append(pad(score.label, width) + "  " + pad(String(format: "%.3f", score.precision), 9) + "  "
                         + pad(String(format: "%.3f", score.recall), 6) + "  " + pad(String(format: "%.3f", score.f1), 5) + "  \(score.support)")
        }
        return lines
    }

    /// `by category (pass rate, 95% CI):` and one line per group: its rate with the interval,
    /// then each check's count when several ran. Nothing when there are no groups.
    static func groupLines(_ title: String, _ groups: [GroupRates], checkNames: [String]) -> [String] {
        guard !groups.isEmpty else { return [] }
        let width = groups.map(\.name.count).max()!
        var lines = ["\(title) (examples passing every check, 95% CI):"]
        for group in groups {
            var line = "  " + group.name + String(repeating: " ", count: width - group.name.count) + "  "
                + rateWithInterval(group.all.passed, group.all.total)
            if checkNames.count > 1 {
                line += " · " + group.byCheck.map { "\($0.name) \($0.passed)/\($0.total)" }.joined(separator: " · ")
            }
            lines.append(line)
        }
        return lines
    }

    /// `text` on one line (line breaks shown as ↵), at most `limit` characters (… when cut).
    static func clip(_ text: String, _ limit: Int) -> String {
        let line = text.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false)
            .joined(separator: " ↵ ")
        return line.count > limit ? String(line.prefix(limit - 1)) + "…" : line
    }

    /// `12/80 = 15.0%`.
    static func rate(_ passed: Int, _ total: Int) -> String {
        "\(passed)/\(total) = " + percent(total == 0 ? 0 : Double(passed) / Double(total))
    }

    /// `15.0%`.
    static func percent(_ fraction: Double) -> String {
        fraction.isFinite ? String(format: "%.1f%%", fraction * 100) : "n/a"
    }

    /// True while `text` (a reply so far) may still become strictly valid JSON: empty or
    /// whitespace, or its first visible character can begin a JSON value (`{ [ " - 0-9`, or the
    /// start of `true`, `false`, `null`).
    static func mayBecomeJSON(_ text: String) -> Bool {
        let trimmed = text.drop { $0.isWhitespace }
        guard let first = trimmed.first else { return true }
        if "{[\"-0123456789".contains(first) { return true }
        for literal in ["true", "false", "null"] where literal.hasPrefix(trimmed) || trimmed.hasPrefix(literal) { return true }
        return false
    }
}
