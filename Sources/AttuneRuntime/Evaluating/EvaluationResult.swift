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

    /// Replies that passed every check.
    var passed: Int { report?.passed ?? 0 }
    var checkedCount: Int { report?.total ?? 0 }
    /// The pass rate's 95% Wilson interval.
    var interval: WilsonInterval? { WilsonInterval(successes: Double(passed), trials: checkedCount) }

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
        var line = "\(what) \(EvaluationText.rate(report.passed, report.total))"
        if let interval { line += " (95% CI \(EvaluationText.percent(interval.lower).dropLast())–\(EvaluationText.percent(interval.upper)))" }
        return line
    }

    /// The `eval` report: header, metrics, checks, samples, failures.
    var text: String {
        var lines = ["eval on \(setName) · \(modelLabel)"]
        if let line = metricsLine { lines.append(line) }
        if let report, let rate = rateLine {
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
}
