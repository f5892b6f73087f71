import Datasets
import Evaluation
import Foundation
import XCTest
@testable import AttuneRuntime

/// `eval check=label|exact|contains|regex|json|schema`: the checks chosen, bad input, and the
/// figures of a labelled set with a known confusion matrix, through the command's text, its
/// record and `compare`'s regression list.
final class LabelEvalCommandTests: XCTestCase {
    let sentiment = [" positive", " positive", " negative", " negative", " neutral"]

    func make(_ modes: [String], _ targets: [String], pattern: String? = nil, label: String? = nil) throws(ReplyChecks.Problem) -> ReplyChecks {
        try ReplyChecks.make(modes: modes, targets: targets, ids: targets.indices.map { "s.jsonl:\($0 + 1)" }, schema: nil,
                             schemaName: nil, pattern: pattern, labelField: label)
    }

    func problem(_ modes: [String], _ targets: [String], pattern: String? = nil, label: String? = nil) -> ReplyChecks.Problem? {
        do { _ = try make(modes, targets, pattern: pattern, label: label); return nil } catch { return error }
    }

    func testChecksChosenFromCheckRegexAndLabel() throws {
        let plain = try make(["label", "exact", "contains"], sentiment)
        XCTAssertEqual(plain.names, ["label", "exact", "contains"])
        XCTAssertNil(plain.labelField)
        XCTAssertEqual(plain.checks(expected: " positive"), [.label("positive"), .exactMatch("positive"), .contains("positive")])
        XCTAssertFalse(plain.decidedByFirstCharacter, "a plain-text check needs the whole reply")
        let pattern = try make(["regex"], sentiment, pattern: "^(positive|negative|neutral)$")
        XCTAssertEqual(pattern.names, ["regex"])
        let json = ["{\"category\": \"api\", \"severity\": \"low\"}", "{\"category\": \"bug\", \"severity\": \"high\"}"]
        let both = try make(["json", "label"], json)
        XCTAssertEqual(both.names, ["json", "label"])
        XCTAssertEqual(both.labelField, "category", "JSON answers with a category key label by it")
        XCTAssertTrue(both.decidedByFirstCharacter)
        XCTAssertEqual(try make(["schema"], json, label: "severity").names, ["json", "schema", "label"])
        XCTAssertEqual(try make(["auto"], json).names, ["json", "schema"])
        XCTAssertTrue(try make(["auto"], sentiment).isEmpty)
        XCTAssertTrue(try make(["none"], sentiment).isEmpty)
    }

    func testBadChecksGetClearMessages() {
        let unknown = problem(["lable"], sentiment)
        XCTAssertEqual(unknown?.argument, "check")
        XCTAssertTrue(unknown?.message.hasPrefix("unknown check 'lable' — did you mean 'label'?") ?? false, unknown?.message ?? "")
        let regex = problem(["regex"], sentiment, pattern: "([a-z")
        XCTAssertEqual(regex?.argument, "regex")
        XCTAssertTrue(regex?.message.contains("regex=\"([a-z\" is not a valid regular expression") ?? false, regex?.message ?? "")
        XCTAssertTrue(problem(["regex"], sentiment)?.message.contains("check=regex needs the pattern: give regex=") ?? false)
        let missing = problem(["label"], [" positive", "  ", ""])
        XCTAssertEqual(missing?.message, "check=label needs a label on every example: 2 of 3 have an empty expected answer (first: s.jsonl:2); "
                       + "give each example its label as the completion/output")
        let noKey = problem(["label"], ["{\"severity\": \"low\"}"])
        XCTAssertTrue(noKey?.message.contains("needs the key that holds the class: give label=KEY") ?? false, noKey?.message ?? "")
        let wrongKey = problem(["label"], ["{\"category\": \"api\"}", "{\"severity\": \"low\"}"], label: "category")
        XCTAssertEqual(wrongKey?.argument, "label")
        XCTAssertTrue(wrongKey?.message.contains("1 of 2 have no category key (first: s.jsonl:2)") ?? false, wrongKey?.message ?? "")
        XCTAssertTrue(problem(["none", "json"], sentiment)?.message.contains("check=none runs no check") ?? false)
        XCTAssertTrue(problem(["schema"], sentiment)?.message.contains("check=schema needs a schema") ?? false)
    }

    /// Five reviews (categories billing, api, billing, api, billing; the 1st and 3rd tagged edge)
    /// answered positive, negative, negative, positive, neutral against positive, positive,
    /// negative, negative, neutral:
    ///
    ///     expected \ predicted  negative  neutral  positive  other
    ///     negative                     1        0         1      0
    ///     neutral                      0        1         0      0
    ///     positive                     1        0         1      0
    ///
    /// accuracy 3/5; F1 negative 0.5, neutral 1, positive 0.5; macro-F1 2/3; billing 3/3, api 0/2,
    /// edge 2/2.
    func result(replies: [String], checks modes: [String] = ["label"]) throws -> EvaluationResult {
        let ids = sentiment.indices.map { "s.jsonl:\($0 + 1)" }
        let checks = try make(modes, sentiment)
        let categories: [String?] = ["billing", "api", "billing", "api", "billing"]
        let tags = [["edge"], [], ["edge"], [], []]
        let results = ids.indices.map { i in
            EvalCase(id: ids[i], prompt: "Review \(i + 1)", checks: checks.checks(expected: sentiment[i]), tags: tags[i],
                     category: categories[i]).evaluate(reply: replies[i])
        }
        var result = EvaluationResult(setName: "s.jsonl (5 examples)", modelLabel: "tiny", ids: ids, prompts: ids.map { "Review \($0)" },
                                      expected: sentiment, metrics: nil, checks: checks,
                                      replies: Dictionary(uniqueKeysWithValues: zip(ids, replies)), report: EvalReport(results: results),
                                      cut: [], tooLong: [], maxTokens: 16, samples: 0)
        result.categories = categories
        result.tags = tags
        return result
    }

    let answered = ["positive", "negative\nbecause", " Negative.", "positive", "neutral"]

    func testLabelFiguresInTheTextAndTheRecord() throws {
        let result = try result(replies: answered)
        let text = result.text
        XCTAssertTrue(text.contains("label accuracy 3/5 = 60.0% (95% CI 23.1–88.2%) · macro-F1 0.667"), text)
        XCTAssertTrue(text.contains("""
              class     precision  recall  F1     support
              negative  0.500      0.500   0.500  2
              neutral   1.000      1.000   1.000  1
              positive  0.500      0.500   0.500  2
            confusion matrix (rows expected, columns predicted; other: a reply naming no class):
              expected \\ predicted  negative  neutral  positive  other
              negative                     1        0         1      0
              neutral                      0        1         0      0
              positive                     1        0         1      0
            by category (examples passing every check, 95% CI):
              api      0/2 = 0.0% (95% CI 0.0–65.8%)
              billing  3/3 = 100.0% (95% CI 43.9–100.0%)
            by tag (examples passing every check, 95% CI):
              edge  2/2 = 100.0% (95% CI 34.2–100.0%)
            """), text)
        let record = EvalCommand.value(of: result)
        func number(_ value: ScriptValue?) -> Double? { if case .number(let n)? = value { n } else { nil } }
        func field(_ value: ScriptValue?, _ name: String) -> ScriptValue? { if case .record(let r)? = value { r[name] } else { nil } }
        XCTAssertEqual(number(record["accuracy"]), 0.6)
        XCTAssertEqual(try XCTUnwrap(number(record["macro_f1"])), 2.0 / 3.0, accuracy: 1e-12)
        XCTAssertEqual(number(field(field(record["per_class"], "neutral"), "f1")), 1)
        XCTAssertEqual(number(field(field(record["confusion"], "positive"), "negative")), 1)
        XCTAssertEqual(number(field(field(record["by_category"], "billing"), "rate")), 1)
        XCTAssertEqual(number(field(field(record["by_category"], "api"), "passed")), 0)
        XCTAssertEqual(try XCTUnwrap(number(field(field(record["by_category"], "api"), "upper"))), 0.658, accuracy: 1e-3)
        XCTAssertEqual(number(field(field(record["by_tag"], "edge"), "count")), 2)
        XCTAssertEqual(number(field(record["check_rates"], "label")), 0.6)
        XCTAssertEqual(number(record["passed"]), 3)
        XCTAssertEqual(number(record["count"]), 5)
        if case .none? = record["json_rate"] {} else { XCTFail("no JSON check, no json_rate") }
        let chart = ConfusionChart.chart(try XCTUnwrap(result.classification), title: "t")
        XCTAssertEqual(chart.table?.counts, [[1, 0, 1, 0], [0, 1, 0, 0], [1, 0, 1, 0]])
    }

    func testExactContainsAndEveryCheckLines() throws {
        let result = try result(replies: answered, checks: ["exact", "contains"])
        XCTAssertTrue(result.text.contains("exact match 2/5 = 40.0% (95% CI 11.8–76.9%)"), result.text)
        XCTAssertTrue(result.text.contains("contains the expected answer 3/5 = 60.0%"), result.text)
        XCTAssertTrue(result.text.contains("every check (exact, contains) 2/5 = 40.0%"), result.text)
        XCTAssertTrue(result.text.contains("  billing  2/3 = 66.7% (95% CI 20.8–93.9%) · exact 2/3 · contains 3/3"), result.text)
    }

    /// Before: every label right. After: the two api reviews wrong. The regression list names
    /// both, under their category.
    func testCompareListsRegressionsPerCategory() throws {
        let before = try result(replies: sentiment)
        let after = try result(replies: answered)
        let text = CompareCommand().report(sides: [.stored("early", before), .stored("late", after)], labels: ["a", "b"],
                                           setName: "s.jsonl (5 examples)", ids: before.ids, prompts: before.prompts,
                                           expected: sentiment, replies: [sentiment, answered], checks: before.checks,
                                           wholeSets: true, samples: 0, categories: before.categories, tags: before.tags)
        XCTAssertTrue(text.contains("  label accuracy    5/5 = 100.0%   3/5 = 60.0%"), text)
        XCTAssertTrue(text.contains("  macro-F1          1.000          0.667"), text)
        XCTAssertTrue(text.contains("  category api      2/2 = 100.0%   0/2 = 0.0%"), text)
        XCTAssertTrue(text.contains("late vs early: 2 worse, 0 better, 3 unchanged\n  worse by category: api 2\n"
                                    + "  worse s.jsonl:2 [api]: 1/1 → 0/1 checks (label: expected label \"positive\", got \"negative\")\n"
                                    + "  worse s.jsonl:4 [api]: 1/1 → 0/1 checks"), text)
    }

    /// Through the interpreter on the tiny model: bad input fails with the argument named, and a
    /// label evaluation gives a record whose figures agree with each other and a chart.
    func testEvalCommandWithLabelsOnTheTinyModel() throws {
        let folder = temporaryFolder()
        let rows = sentiment.enumerated().map { i, label in
            "{\"prompt\": \"Review \(i)\\nSentiment:\", \"completion\": \"\(label)\", \"category\": \"\(i % 2 == 0 ? "billing" : "api")\"}"
        }
        try (rows.joined(separator: "\n") + "\n").write(to: folder.appendingPathComponent("s.jsonl"), atomically: true, encoding: .utf8)
        let interpreter = makeInterpreter(tiny: true)
        interpreter.session.paths = .unrestricted(base: folder)
        let typo = failure(interpreter, "eval on=\"s.jsonl\" check=lable")
        XCTAssertTrue(typo.message.contains("unknown check 'lable' — did you mean 'label'?"), typo.message)
        let regex = failure(interpreter, "eval on=\"s.jsonl\" check=regex regex=\"(\"")
        XCTAssertTrue(regex.message.contains("is not a valid regular expression"), regex.message)
        let run = interpreter.run(source: """
            e = eval on="s.jsonl" check=[label, exact] samples=0 max=4 loss=false
            print e.count, e.accuracy == e.check_rates.label, e.by_category.api.count + e.by_category.billing.count
            """)
        XCTAssertNil(run.firstError.map { "\($0)" })
        XCTAssertEqual(run.outcomes.flatMap(\.output.stream).last, "5 true 5")
        XCTAssertEqual(run.outcomes.first?.output.plots.count, 1, "the confusion matrix chart")
        XCTAssertTrue(run.outcomes.first?.output.resultText?.contains("confusion matrix (rows expected") ?? false)
    }
}
