import Evaluation
import Foundation

/// What one `eval` measured, kept under its name (`base = eval`) for `compare`: the set, which
/// model answered, teacher-forced metrics, every generated reply with its checks, and the schema
/// adherence rate with its Wilson interval.
public struct EvaluationResult {
    /// `data/triage_heldout.jsonl (80 examples)`.
    var setName: String
    /// `SmolLM2-135M-Instruct.Q4_1 with adapter run1 (lora r=16 …)`.
    var modelLabel: String
    /// Example ids (`triage_heldout.jsonl:12`), in order.
    var ids: [String]
    /// Short prompts and expected replies, by example.
    var prompts: [String]
    var expected: [String]
    /// Each example's whole prompt as a person reads it (instruction and input, or the last user
    /// message): what `review` shows raters. Empty for results built without their examples.
    var fullPrompts: [String] = []
    /// Loss, perplexity and token accuracy (nil with loss=false).
    var metrics: ModelEvaluator.TokenMetrics?
    var checks: ReplyChecks
    /// Replies by example id (every example when checks ran, else the samples).
    var replies: [String: String]
    /// The checked replies (nil without checks).
    var report: EvalReport?
    /// Ids of replies cut once their first character ruled out JSON.
    var cut: Set<String>
    var stoppedEarly: Int { cut.count }
    /// Ids whose prompt does not fit the model's context (not answered; their reply is empty).
    var tooLong: [String]
    /// Most new tokens per reply.
    var maxTokens: Int
    /// Examples shown in full.
    var samples: Int
    /// Each example's category (its `category` field, or the field `by=` names) and tags.
    var categories: [String?] = []
    var tags: [[String]] = []
    /// The field the categories come from (`category`).
    var groupField = "category"
    /// True for a run of the general-capability probe (`eval general`): `compare` reads it for its
    /// forgetting row.
    var isGeneralProbe = false
    /// The model state it was measured on (`EvaluationRunner.probeKey`): which probe result
    /// `compare` sets beside it.
    var modelState = ""

    /// Replies that passed every check.
    var passed: Int { report?.passed ?? 0 }
    var checkedCount: Int { report?.total ?? 0 }
    /// Replies that passed the JSON checks (`json`, `schema`): the schema-valid count.
    var jsonPassed: Int {
        report?.results.filter { $0.outcomes.filter { $0.check == "json" || $0.check == "schema" }.allSatisfy(\.passed) }.count ?? 0
    }
    /// The JSON rate's 95% Wilson interval.
    var interval: WilsonInterval? { WilsonInterval(successes: Double(jsonPassed), trials: checkedCount) }

    /// Accuracy, per-class scores and the confusion matrix of the labels (nil without a label check).
    var classification: ClassificationMetrics? {
        guard checks.checksLabel, report != nil else { return nil }
        return ClassificationMetrics(expected: expected.map { ReplyLabel.expected($0, field: checks.labelField) ?? "" },
                                     predicted: ids.map { ReplyLabel.read(replies[$0] ?? "", field: checks.labelField) })
    }

    /// Pass rates per check kind other than the JSON ones (`label`, `exact`, `contains`, `regex`).
    var otherChecks: [PassCount] {
        report?.byCheck.filter { $0.name != "json" && $0.name != "schema" } ?? []
    }

    /// `loss 0.4123 · perplexity 1.51 · token accuracy 88.2% (3,456 target tokens)`.
    var metricsLine: String? {
        guard let m = metrics, m.tokens > 0 else { return nil }
        return String(format: "loss %.4f · perplexity %.2f · token accuracy %@ (%@ target tokens)", m.loss, m.perplexity,
                      EvaluationText.percent(m.accuracy), NumberText.grouped(m.tokens))
    }

    /// `schema-valid JSON 61/80 = 76.2% (95% CI 65.9–84.3%)`.
    var rateLine: String? {
        guard let report, report.total > 0 else { return nil }
        let what = checks.schema != nil ? "schema-valid JSON" : "valid JSON"
        var line = "\(what) \(EvaluationText.rate(jsonPassed, report.total))"
        if let interval { line += " (95% CI \(EvaluationText.percent(interval.lower).dropLast())–\(EvaluationText.percent(interval.upper)))" }
        return line
    }

    /// The `eval` report: header, metrics, checks, samples, failures.
    var text: String {
        var lines = ["eval on \(setName) · \(modelLabel)"]
        if let line = metricsLine { lines.append(line) }
        if let report, checks.checksJSON, let rate = rateLine {
            lines.append(rate)
            var detail = "  "
            if checks.schema != nil, let json = report.byCheck.first(where: { $0.name == "json" }) {
                detail += "valid JSON \(json.passed)/\(json.total) · "
            }
            lines.append(detail + checks.summary)
            if !checks.fields.isEmpty {
                let replyList = ids.map { replies[$0] ?? "" }
                let matches = checks.fieldMatches(replies: replyList, targets: expected)
                lines.append("  same value as expected: " + matches.map { "\($0.key) \($0.matches)/\(ids.count)" }.joined(separator: " · "))
            }
        }
        if let report, report.total > 0 { lines += checkLines(report) }
        let shown = min(samples, ids.count)
        if shown > 0 {
            lines.append("samples (greedy, up to \(maxTokens) tokens):")
            for i in 0..<shown {
                let id = ids[i]
                lines.append("  \(id)  \(prompts[i])")
                lines.append("    expected  \(EvaluationText.clip(expected[i], 110))")
                var reply = "    reply     \(EvaluationText.clip(replies[id] ?? "", 110))"
                if let result = report?.results.first(where: { $0.id == id }) {
                    reply += result.passed ? "  ✓" : "  ✗ " + EvaluationText.clip(result.failures.map(\.detail).joined(separator: "; "), 80)
                }
                lines.append(reply)
            }
        }
        if let report, report.failed > 0 {
            let limit = 5
            lines.append("failing \(report.failed) of \(report.total)\(report.failed > limit ? ", first \(limit)" : ""):")
            for result in report.failures.prefix(limit) {
                let reasons = result.failures.map { "\($0.check): \($0.detail)" }.joined(separator: "; ")
                lines.append("  \(result.id): \(EvaluationText.clip(reasons, 110))")
            }
        }
        if !tooLong.isEmpty {
            lines.append("\(tooLong.count) prompt\(tooLong.count == 1 ? "" : "s") longer than the model's context, not answered: "
                         + tooLong.prefix(5).joined(separator: ", ") + (tooLong.count > 5 ? ", …" : ""))
        }
        if stoppedEarly > 0 {
            lines.append("\(stoppedEarly) repl\(stoppedEarly == 1 ? "y" : "ies") stopped at a first character that cannot begin JSON")
        }
        return lines.joined(separator: "\n")
    }

    /// The lines of the checks other than JSON: label accuracy with per-class scores and the
    /// confusion matrix, exact / contains / regex rates, the all-checks rate when several kinds
    /// ran, and the rates per category and per tag.
    func checkLines(_ report: EvalReport) -> [String] {
        var lines = [String]()
        if checks.perItem {
            // Each example has one check of its own: the pass rate over all, then per kind.
            lines.append("passed \(EvaluationText.rateWithInterval(report.passed, report.total)) · \(checks.summary)")
            lines.append("  " + otherChecks.map { "\($0.name) \($0.passed)/\($0.total)" }.joined(separator: " · "))
            lines += EvaluationText.groupLines("by \(groupField)", report.byCategory, checkNames: [])
            lines += EvaluationText.groupLines("by tag", GroupRates.byTag(report.results), checkNames: [])
            return lines
        }
        for count in otherChecks {
            switch count.name {
            case "label":
                guard let metrics = classification else { continue }
                let field = checks.labelField.map { " (\($0))" } ?? ""
                lines.append("label accuracy\(field) \(EvaluationText.rateWithInterval(count.passed, count.total)) · macro-F1 "
                             + String(format: "%.3f", metrics.macroF1))
                lines += EvaluationText.classTable(metrics).map { "  " + $0 }
                lines.append("confusion matrix (rows expected, columns predicted; other: a reply naming no class):")
                lines += metrics.matrixTable.split(separator: "\n").map { "  " + $0 }
                if !metrics.others.isEmpty {
                    lines.append("  other: " + metrics.others.prefix(6).map { "\(EvaluationText.clip($0.label, 24)) \($0.count)" }.joined(separator: ", ")
                                 + (metrics.others.count > 6 ? ", …" : ""))
                }
            case "exact": lines.append("exact match \(EvaluationText.rateWithInterval(count.passed, count.total))")
            case "contains": lines.append("contains the expected answer \(EvaluationText.rateWithInterval(count.passed, count.total))")
            case "regex":
                let pattern = checks.checks.compactMap { if case .regex(let p) = $0 { p } else { nil } }.first ?? ""
                lines.append("matches /\(EvaluationText.clip(pattern, 40))/ \(EvaluationText.rateWithInterval(count.passed, count.total))")
            default: break
            }
        }
        let kinds = (checks.checksJSON ? 1 : 0) + otherChecks.count
        if kinds > 1 { lines.append("every check (\(checks.names.joined(separator: ", "))) \(EvaluationText.rateWithInterval(report.passed, report.total))") }
        lines += EvaluationText.groupLines("by \(groupField)", report.byCategory, checkNames: checks.names)
        lines += EvaluationText.groupLines("by tag", GroupRates.byTag(report.results), checkNames: checks.names)
        return lines
    }
}
