import Essentials
import XCTest
@testable import Evaluation

/// Label metrics, label checks and rates per group against values worked out by hand.
final class LabelEvaluationTests: XCTestCase {
    /// expected a a a b b c, predicted a a b b c (none):
    ///
    ///     expected \ predicted  a  b  c  other
    ///     a                     2  1  0  0
    ///     b                     0  1  1  0
    ///     c                     0  0  0  1
    ///
    /// a: P 2/2, R 2/3, F1 0.8 · b: P 1/2, R 1/2, F1 0.5 · c: P 0/1, R 0/1, F1 0 ·
    /// macro-F1 (0.8 + 0.5 + 0)/3 = 0.4333… · accuracy 3/6.
    func testConfusionMatrixPrecisionRecallF1AndMacroF1() {
        let metrics = ClassificationMetrics(expected: ["a", "a", "a", "b", "b", "c"], predicted: ["a", " A ", "b", "b", "c", nil])
        XCTAssertEqual(metrics.classes, ["a", "b", "c"])
        XCTAssertEqual(metrics.columns, ["a", "b", "c", "other"])
        XCTAssertEqual(metrics.matrix, [[2, 1, 0, 0], [0, 1, 1, 0], [0, 0, 0, 1]])
        XCTAssertEqual(metrics.correct, 3)
        XCTAssertEqual(metrics.accuracy, 0.5, accuracy: 1e-12)
        let scores = metrics.perClass
        XCTAssertEqual(scores.map(\.precision), [1, 0.5, 0])
        XCTAssertEqual(scores[0].recall, 2.0 / 3.0, accuracy: 1e-12)
        XCTAssertEqual(scores[1].recall, 0.5, accuracy: 1e-12)
        XCTAssertEqual(scores[2].recall, 0)
        XCTAssertEqual(scores[0].f1, 0.8, accuracy: 1e-12)
        XCTAssertEqual(scores[1].f1, 0.5, accuracy: 1e-12)
        XCTAssertEqual(scores[2].f1, 0)
        XCTAssertEqual(scores.map(\.support), [3, 2, 1])
        XCTAssertEqual(scores.map(\.predicted), [2, 2, 1])
        XCTAssertEqual(metrics.macroF1, 1.3 / 3, accuracy: 1e-12)
        XCTAssertEqual(metrics.others.map(\.label), ["(none)"])
        XCTAssertEqual(metrics.matrixTable, """
            expected \\ predicted  a  b  c  other
            a                     2  1  0      0
            b                     0  1  1      0
            c                     0  0  0      1
            """)
    }

    /// A prediction outside the classes counts as other and as nobody's true positive; a perfect
    /// run scores 1 everywhere.
    func testUnknownPredictionsAndAPerfectRun() {
        let wrong = ClassificationMetrics(expected: ["yes", "no"], predicted: ["maybe", "no"])
        XCTAssertEqual(wrong.matrix, [[1, 0, 0], [0, 0, 1]])   // classes sorted: no, yes
        XCTAssertEqual(wrong.classes, ["no", "yes"])
        XCTAssertEqual(wrong.perClass.map(\.f1), [1, 0])
        XCTAssertEqual(wrong.others.map(\.label), ["maybe"])
        let perfect = ClassificationMetrics(expected: ["x", "y", "y"], predicted: ["x", "y", "Y"])
        XCTAssertEqual(perfect.accuracy, 1)
        XCTAssertEqual(perfect.macroF1, 1)
    }

    func testReadingTheLabelOfAReply() {
        XCTAssertEqual(ReplyLabel.read(" Positive.\nThe review praises support.", field: nil), "Positive")
        XCTAssertEqual(ReplyLabel.read("\n\n negative", field: nil), "negative")
        XCTAssertNil(ReplyLabel.read("   \n", field: nil))
        XCTAssertEqual(ReplyLabel.read("{\"category\": \"api\", \"urgent\": true}", field: "category"), "api")
        XCTAssertEqual(ReplyLabel.read("{\"category\": \"api\", \"urgent\": true}", field: "urgent"), "true")
        XCTAssertNil(ReplyLabel.read("Sure: {\"category\": \"api\"}", field: "category"), "JSON inside prose is not the reply")
        XCTAssertNil(ReplyLabel.read("{\"severity\": \"low\"}", field: "category"))
        XCTAssertEqual(ReplyLabel.expected("{\"category\": \"billing\"}", field: "category"), "billing")
        XCTAssertEqual(ReplyLabel.expected("  neutral \n", field: nil), "neutral")
    }

    /// Each check on crafted replies: the one that passes and the one that fails.
    func testEveryCheckPassesAndFailsOnCraftedReplies() {
        let label = GenerationCheck.label("positive")
        XCTAssertTrue(label.evaluate(" Positive\n").passed)
        XCTAssertFalse(label.evaluate("negative").passed)
        XCTAssertEqual(label.evaluate("negative").detail, "expected label \"positive\", got \"negative\"")
        XCTAssertEqual(label.evaluate("").detail, "no label in the reply (it is empty)")
        let field = GenerationCheck.label("billing", field: "category")
        XCTAssertTrue(field.evaluate("{\"category\": \"billing\", \"severity\": \"low\"}").passed)
        XCTAssertFalse(field.evaluate("{\"category\": \"login\"}").passed)
        XCTAssertFalse(field.evaluate("```json\n{\"category\": \"billing\"}\n```").passed)
        let exact = GenerationCheck.exactMatch("Reset it in Settings.")
        XCTAssertTrue(exact.evaluate("  Reset it   in Settings.\n").passed)
        XCTAssertFalse(exact.evaluate("Reset it in Settings").passed)
        let contains = GenerationCheck.contains("Settings → Billing")
        XCTAssertTrue(contains.evaluate("Open settings → billing, then Invoices.").passed)
        XCTAssertFalse(contains.evaluate("Open Billing.").passed)
        let regex = GenerationCheck.regex("^(positive|negative|neutral)$")
        XCTAssertTrue(regex.evaluate("neutral").passed)
        XCTAssertFalse(regex.evaluate("neutral, mostly").passed)
        XCTAssertTrue(GenerationCheck.validJSON().evaluate("{\"a\": 1}").passed)
        XCTAssertFalse(GenerationCheck.validJSON().evaluate("Here: {\"a\": 1}").passed)
        let schema = try! JSONSchema(json: "{\"type\": \"object\", \"required\": [\"a\"]}")
        XCTAssertTrue(GenerationCheck.jsonSchema(schema).evaluate("{\"a\": 1}").passed)
        XCTAssertFalse(GenerationCheck.jsonSchema(schema).evaluate("{\"b\": 1}").passed)
    }

    /// Rates per category and per tag with their Wilson intervals: 8 of 10 is [0.4902, 0.9433]
    /// (centre (0.8 + z²/20)/(1 + z²/10), half-width z/(1 + z²/10)·√(0.016 + z²/400)).
    func testRatesPerCategoryAndTagWithWilsonIntervals() throws {
        var results = [ExampleResult]()
        for i in 0..<10 {
            results.append(EvalCase(id: "a\(i)", prompt: "", checks: [.label("x")], tags: i < 2 ? ["edge", "long"] : ["edge"], category: "billing")
                .evaluate(reply: i < 8 ? "x" : "y"))
        }
        results.append(EvalCase(id: "b", prompt: "", checks: [.label("x")], tags: ["long", "long"], category: "api").evaluate(reply: "y"))
        results.append(EvalCase(id: "c", prompt: "", checks: [.label("x")]).evaluate(reply: "x"))
        let categories = GroupRates.byCategory(results)
        XCTAssertEqual(categories.map(\.name), ["api", "billing"])
        XCTAssertEqual(categories.map(\.all.passed), [0, 8])
        XCTAssertEqual(categories.map(\.count), [1, 10])
        let interval = try XCTUnwrap(categories[1].all.interval)
        XCTAssertEqual(interval.lower, 0.4902, accuracy: 1e-4)
        XCTAssertEqual(interval.upper, 0.9433, accuracy: 1e-4)
        let tags = GroupRates.byTag(results)
        XCTAssertEqual(tags.map(\.name), ["edge", "long"])
        XCTAssertEqual(tags.map(\.all.passed), [8, 2])
        XCTAssertEqual(tags.map(\.count), [10, 3], "a repeated tag counts its example once")
        XCTAssertEqual(tags[0].byCheck.map(\.name), ["label"])
    }
}
