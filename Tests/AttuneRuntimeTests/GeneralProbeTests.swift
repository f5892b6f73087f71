import Datasets
import Evaluation
import Foundation
import XCTest
@testable import AttuneRuntime

/// The general-capability probe: the shipped items, `check=item`, `eval general` on the tiny
/// model, and `compare`'s forgetting row.
final class GeneralProbeTests: XCTestCase {
    static let shippedProbe = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Notebooks/data/general-probe.jsonl")

    func testTheBuiltInProbeIsTheShippedFileWithAPassableCheckOnEveryItem() throws {
        let shipped = try String(contentsOf: Self.shippedProbe, encoding: .utf8)
        XCTAssertEqual(GeneralProbe.builtinText, shipped, "regenerate with python3 Notebooks/data/make_general.py")
        let set = try GeneralProbe.builtinSet()
        XCTAssertGreaterThanOrEqual(set.count, 100)
        XCTAssertEqual(set.ids.first, "general-probe.jsonl:1")
        let categories = set.values(of: "category")
        XCTAssertTrue(categories.allSatisfy { $0 != nil })
        var perCategory = [String: Int]()
        for category in categories { perCategory[category!, default: 0] += 1 }
        XCTAssertEqual(perCategory, ["arithmetic": 25, "facts": 25, "format": 20, "refusal": 15, "instructions": 20])
        let checks = try ReplyChecks.itemChecks(EvalCommand.itemChecks(of: set), targets: set.examples.map(ModelEvaluator.expected), ids: set.ids)
        XCTAssertEqual(checks.itemChecks.count, set.count)
        XCTAssertEqual(checks.names, ["contains", "regex"])
        // Short items: one-line prompts, answers of a few words.
        for (index, example) in set.examples.enumerated() {
            let id = set.ids[index]
            let expected = ModelEvaluator.expected(example)
            let prompt = ModelEvaluator.shortPrompt(example, limit: 1000)
            XCTAssertLessThanOrEqual(prompt.count, 90, id)
            XCTAssertLessThanOrEqual(expected.count, 40, id)
            // The expected answer passes the item's own check, so the check can be passed.
            let outcome = checks.checks(id: id, expected: expected).map { $0.evaluate(expected) }
            XCTAssertEqual(outcome.count, 1, id)
            XCTAssertTrue(outcome.allSatisfy(\.passed), "\(id): \(outcome)")
        }
    }

    func testItemChecksFollowEachRecordAndRefuseBadOnes() throws {
        let ids = ["p:1", "p:2", "p:3"]
        let items: [ReplyChecks.ItemCheck?] = [.init(check: "exact", pattern: nil), .init(check: "contains", pattern: nil),
                                               .init(check: "regex", pattern: "^\\d+$")]
        let checks = try ReplyChecks.itemChecks(items, targets: ["Paris", "blue", "anything"], ids: ids)
        XCTAssertEqual(checks.summary, "each example's own check (exact 1, contains 1, regex 1)")
        XCTAssertEqual(checks.names, ["exact", "contains", "regex"])
        XCTAssertTrue(checks.checks(id: "p:1", expected: "Paris")[0].evaluate(" Paris ").passed)
        XCTAssertFalse(checks.checks(id: "p:1", expected: "Paris")[0].evaluate("It is Paris.").passed)
        XCTAssertTrue(checks.checks(id: "p:2", expected: "blue")[0].evaluate("The sky is Blue.").passed)
        XCTAssertTrue(checks.checks(id: "p:3", expected: "anything")[0].evaluate("42").passed)
        XCTAssertFalse(checks.checks(id: "p:3", expected: "anything")[0].evaluate("42 apples").passed)
        // auto picks the records' checks when every record has one.
        let auto = try ReplyChecks.make(modes: ["auto"], targets: ["Paris", "blue", "x"], ids: ids, schema: nil, schemaName: nil,
                                        pattern: nil, labelField: nil, items: items)
        XCTAssertTrue(auto.perItem)
        let partial = try ReplyChecks.make(modes: ["auto"], targets: ["Paris", "blue", "x"], ids: ids, schema: nil, schemaName: nil,
                                           pattern: nil, labelField: nil, items: [items[0], nil, items[2]])
        XCTAssertFalse(partial.perItem, "a record without a check: not item checks")
        func problem(_ items: [ReplyChecks.ItemCheck?], modes: [String] = ["item"]) -> String {
            do {
                _ = try ReplyChecks.make(modes: modes, targets: ["a", "b", "c"], ids: ids, schema: nil, schemaName: nil,
                                         pattern: nil, labelField: nil, items: items)
                return "no error"
            } catch { return error.message }
        }
        XCTAssertEqual(problem([items[0], nil, items[2]]),
                       "check=item needs a check on every record: p:2 has no \"check\" field (give it \"check\": \"exact\", \"contains\" or \"regex\" with a \"pattern\")")
        XCTAssertEqual(problem([items[0], .init(check: "contain", pattern: nil), items[2]]),
                       "p:2: unknown \"check\": \"contain\" — did you mean 'contains'?; a record's check is exact, contains or regex")
        XCTAssertEqual(problem([items[0], items[1], .init(check: "regex", pattern: nil)]),
                       "p:3 has \"check\": \"regex\" but no \"pattern\" field: give the pattern its reply must match")
        XCTAssertTrue(problem([items[0], items[1], .init(check: "regex", pattern: "([a-z")]).hasPrefix("p:3: \"pattern\" \"([a-z\" is not a valid regular expression"))
        XCTAssertEqual(problem(items, modes: ["item", "json"]), "check=item uses each record's own check, so it cannot be listed with others")
    }

    func testEvalGeneralOnTheTinyModel() throws {
        let interpreter = makeInterpreter(tiny: true)
        XCTAssertEqual(failure(makeInterpreter(), "eval general").name, "NoModel")
        let run = interpreter.run(source: "g = eval general max=3 samples=1\nprint g.count, g.passed")
        XCTAssertNil(run.firstError.map { "\($0)" })
        let text = run.outcomes[0].output.resultText ?? ""
        let lines = text.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines[0], "eval on general probe (105 examples) · tiny, no adapter")
        // The pass rate and its Wilson interval agree with the count.
        let passed = interpreter.session.evaluations["g"]!.passed
        XCTAssertTrue(lines[1].hasPrefix("passed " + EvaluationText.rateWithInterval(passed, 105)
                                          + " · each example's own check (contains 33, regex 72)"), lines[1])
        XCTAssertTrue(lines[2].hasPrefix("  ") && lines[2].contains("contains ") && lines[2].contains("regex ") && lines[2].contains("/33") && lines[2].contains("/72"), lines[2])
        XCTAssertEqual(lines[3], "by category (examples passing every check, 95% CI):")
        XCTAssertTrue(lines[4].hasPrefix("  arithmetic    "), lines[4])
        XCTAssertTrue(text.contains("samples (greedy, up to 3 tokens):\n  general-probe.jsonl:1  What is 2 plus 3? Answer with the number only."), text)
        XCTAssertEqual(run.outcomes.last?.output.stream.last, "105 \(passed)")
        XCTAssertEqual(interpreter.session.generalProbes.keys.sorted(), ["tiny, no adapter"])
        XCTAssertTrue(interpreter.session.evaluations["g"]!.isGeneralProbe)
        // Greedy replies: the same probe twice gives the same replies.
        ok(interpreter, "h = eval general max=3")
        XCTAssertEqual(interpreter.session.evaluations["h"]!.replies, interpreter.session.evaluations["g"]!.replies)
        // Bad input: a probe file without checks, a missing one.
        let folder = temporaryFolder()
        try #"{"prompt": "2+2=", "completion": "4"}"#.write(to: folder.appendingPathComponent("plain.jsonl"), atomically: true, encoding: .utf8)
        interpreter.session.paths = .unrestricted(base: folder)
        let plain = failure(interpreter, "eval general probe=\"plain.jsonl\"")
        XCTAssertEqual(plain.message, "line 1, column 14: probe check=item needs a check on every record: plain.jsonl:1 has no \"check\" field "
                       + "(give it \"check\": \"exact\", \"contains\" or \"regex\" with a \"pattern\")")
        XCTAssertEqual(failure(interpreter, "eval general probe=\"nothing.jsonl\"").name, "NotFound")
        XCTAssertTrue(failure(interpreter, "eval general max=0").message.contains("max must be at least 1"))
    }

    /// A probe result whose item i passes when `passes[i]`.
    func probeResult(_ passes: [Bool], categories: [String], label: String) -> EvaluationResult {
        let ids = passes.indices.map { "general-probe.jsonl:\($0 + 1)" }
        let replies = passes.map { $0 ? "yes" : "no" }
        let results = ids.indices.map { i in
            EvalCase(id: ids[i], prompt: "question \(i + 1)", checks: [.contains("yes")], category: categories[i]).evaluate(reply: replies[i])
        }
        var result = EvaluationResult(setName: "general probe (\(ids.count) examples)", modelLabel: label, ids: ids,
                                      prompts: ids.indices.map { "question \($0 + 1)" }, expected: ids.map { _ in "yes" }, metrics: nil,
                                      checks: .none, replies: Dictionary(uniqueKeysWithValues: zip(ids, replies)),
                                      report: EvalReport(results: results), cut: [], tooLong: [], maxTokens: 4, samples: 0)
        result.categories = categories
        result.isGeneralProbe = true
        return result
    }

    func testTheForgettingRowCountsTheRegressedItems() {
        let categories = ["facts", "facts", "format", "format", "refusal"]
        let before = probeResult([true, true, true, true, false], categories: categories, label: "tiny, no adapter")
        let after = probeResult([true, false, false, true, true], categories: categories, label: "tiny with adapter run1")
        let report = ForgettingReport(before: before, after: after)
        // Wilson 95% (z = 1.96), worked by hand: 4/5 → [0.3755, 0.9638]; 3/5 → [0.2307, 0.8824].
        XCTAssertEqual(report.row.0, "forgetting: general probe")
        XCTAssertEqual(report.row.1, "4/5 = 80.0% (95% CI 37.6–96.4%)")
        XCTAssertEqual(report.row.2, "3/5 = 60.0% (95% CI 23.1–88.2%)")
        XCTAssertEqual(report.lines(names: ["base", "tuned"]), [
            "forgetting (general probe, 5 items): base 80.0% → tuned 60.0% (-20.0 points); 2 regressed, 1 improved",
            "  regressed by category: facts 1, format 1",
            "  regressed general-probe.jsonl:2 [facts] question 2 → \"no\"",
            "  regressed general-probe.jsonl:3 [format] question 3 → \"no\"",
        ])
        let clean = ForgettingReport(before: before, after: before)
        XCTAssertEqual(clean.lines(names: ["a", "b"]), ["forgetting (general probe, 5 items): a 80.0% → b 80.0% (+0.0 points); 0 regressed, 0 improved (no probe item regressed)"])
    }

    func testCompareShowsForgettingWhenBothSidesHaveAProbe() throws {
        let interpreter = try interpreterWithData()
        ok(interpreter, "data split train=0.75 val=0.25")
        ok(interpreter, "before = eval general max=2")
        ok(interpreter, "method lora r=4 alpha=8")
        ok(interpreter, "set lr=5e-2 batch=2 seq=768 warmup=0 schedule=constant")
        ok(interpreter, "train steps=2")
        // No probe of the tuned model yet: no forgetting row.
        XCTAssertFalse(ok(interpreter, "compare base tuned on=val[0:1] max=2").contains("forgetting"))
        ok(interpreter, "after = eval general max=2")
        XCTAssertEqual(interpreter.session.generalProbes.count, 2)
        XCTAssertTrue(interpreter.session.generalProbes.keys.contains { $0.hasPrefix("tiny with adapter run1") && $0.hasSuffix(" after step 2") },
                      "\(interpreter.session.generalProbes.keys)")
        let before = interpreter.session.evaluations["before"]!, after = interpreter.session.evaluations["after"]!
        let expectedRow = "forgetting: general probe  " + EvaluationText.rateWithInterval(before.passed, 105)
        // Live sides find the probes of their model states.
        let live = ok(interpreter, "compare base tuned on=val[0:1] max=2")
        XCTAssertTrue(live.contains(expectedRow), live)
        let regressed = RegressionReport(base: before.report!.results, tuned: after.report!.results).worsened.count
        XCTAssertTrue(live.contains("forgetting (general probe, 105 items): base "), live)
        XCTAssertTrue(live.contains("; \(regressed) regressed, "), live)
        // Two probe results compared directly.
        let stored = ok(interpreter, "compare before after samples=0")
        XCTAssertTrue(stored.hasPrefix("compare before vs after on general probe (105 examples)"), stored)
        XCTAssertTrue(stored.contains(expectedRow), stored)
        XCTAssertTrue(stored.contains("after vs before: \(regressed) worse, "), stored)
        // More training: the old probe no longer stands for the tuned model.
        ok(interpreter, "train steps=1")
        XCTAssertFalse(ok(interpreter, "compare base tuned on=val[0:1] max=2").contains("forgetting"))
    }
}
