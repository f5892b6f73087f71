import Datasets
import Evaluation
import Foundation
import XCTest
@testable import AttuneRuntime

/// A folder with `tickets.jsonl`: six instruction examples whose outputs are triage JSON objects
/// (two categories three times each, two severities), and `tickets.schema.json`.
func ticketFolder() throws -> URL {
    let folder = temporaryFolder()
    let instruction = "Triage this ticket as JSON."
    let rows: [(String, String, String, Bool)] = [
        ("Refund please", "billing", "high", true), ("Cannot log in", "login", "low", false),
        ("Charged twice", "billing", "high", true), ("Password reset fails", "login", "low", false),
        ("Invoice wrong", "billing", "low", true), ("2FA lost", "login", "high", true),
    ]
    var lines = [String]()
    for (input, category, severity, human) in rows {
        let output = "{\"category\": \"\(category)\", \"severity\": \"\(severity)\", \"needs_human\": \(human)}"
        let object: [String: String] = ["instruction": instruction, "input": input, "output": output]
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        lines.append(String(decoding: data, as: UTF8.self))
    }
    try (lines.joined(separator: "\n") + "\n").write(to: folder.appendingPathComponent("tickets.jsonl"), atomically: true, encoding: .utf8)
    let schema = """
        {"type": "object", "required": ["category", "severity", "needs_human"], "additionalProperties": false,
         "properties": {"category": {"enum": ["billing", "login"]}, "severity": {"enum": ["low", "high"]}, "needs_human": {"type": "boolean"}}}
        """
    try schema.write(to: folder.appendingPathComponent("tickets.schema.json"), atomically: true, encoding: .utf8)
    return folder
}

final class EvalCommandTests: XCTestCase {
    func testEvalNeedsAModelAndASet() throws {
        XCTAssertEqual(failure(makeInterpreter(), "eval").name, "NoModel")
        let tiny = makeInterpreter(tiny: true)
        XCTAssertTrue(failure(tiny, "eval").message.contains("needs data: load it with `data load"), failure(tiny, "eval").message)
        let data = try interpreterWithData()
        let noSplit = failure(data, "eval")
        XCTAssertEqual(noSplit.name, "NoSplit")
        XCTAssertTrue(noSplit.message.contains("data split train=0.9 val=0.1"), noSplit.message)
        let typo = failure(data, "eval on=al").message
        XCTAssertTrue(typo.contains("al is neither a part of the split (val, validation, train, test or all) nor a JSONL file — did you mean"), typo)
        XCTAssertTrue(failure(data, "eval on=all[5:5]").message.contains("selects no example: all has 24"))
        XCTAssertTrue(failure(data, "eval on=\"nothing.jsonl\"").message.contains("nor a JSONL file"))
        XCTAssertTrue(failure(data, "eval check=schema on=all").message.contains("check=schema needs a schema"))
        XCTAssertTrue(failure(data, "eval chek=json").message.contains("did you mean 'check'"))
    }

    func testEvalOnAJSONSetReportsTheSchemaRateWithAWilsonInterval() throws {
        let folder = try ticketFolder()
        let interpreter = makeInterpreter(tiny: true)
        interpreter.session.paths = .unrestricted(base: folder)
        let text = ok(interpreter, "base = eval on=\"tickets.jsonl\" samples=2")
        let lines = text.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines[0], "eval on tickets.jsonl (6 examples) · tiny, no adapter")
        XCTAssertTrue(lines[1].hasPrefix("loss ") && lines[1].contains("token accuracy") && lines[1].contains("target tokens)"), lines[1])
        // A random tiny model writes no JSON: 0 of 6, Wilson 95% interval [0, 39.0%].
        XCTAssertEqual(lines[2], "schema-valid JSON 0/6 = 0.0% (95% CI 0.0–39.0%)")
        XCTAssertTrue(lines[3].contains("schema inferred from 6 expected outputs: category one of 2, severity one of 2, needs_human boolean, no other keys"), lines[3])
        XCTAssertEqual(lines[4], "  same value as expected: category 0/6 · severity 0/6 · needs_human 0/6")
        XCTAssertTrue(text.contains("samples (greedy, up to "), text)
        XCTAssertTrue(text.contains("failing 6 of 6, first 5:"), text)
        // Stored under its name, reproducible, and the given schema is used when named.
        let stored = try XCTUnwrap(interpreter.session.evaluations["base"])
        XCTAssertEqual(stored.ids.first, "tickets.jsonl:1")
        XCTAssertEqual(stored.replies.count, 6)
        XCTAssertEqual(ok(interpreter, "eval on=\"tickets.jsonl\" samples=2"), text)
        let withSchema = ok(interpreter, "eval on=\"tickets.jsonl[0:2]\" schema=\"tickets.schema.json\" loss=false samples=0")
        XCTAssertTrue(withSchema.hasPrefix("eval on tickets.jsonl[0:2] (2 examples) · tiny, no adapter\nschema-valid JSON 0/2"), withSchema)
        XCTAssertTrue(withSchema.contains("schema tickets.schema.json"), withSchema)
        XCTAssertTrue(failure(interpreter, "eval on=\"tickets.jsonl\" schema=\"missing.json\"").message.contains("no schema file at missing.json"))
    }

    /// Replies cut at a first character that cannot begin JSON fail exactly as the full replies do.
    func testCuttingRepliesEarlyNeverChangesTheCounts() throws {
        let folder = try ticketFolder()
        let interpreter = makeInterpreter(tiny: true)
        interpreter.session.paths = .unrestricted(base: folder)
        ok(interpreter, "full = eval on=\"tickets.jsonl\" samples=6 loss=false")
        ok(interpreter, "cut = eval on=\"tickets.jsonl\" samples=0 loss=false")
        let full = try XCTUnwrap(interpreter.session.evaluations["full"]?.report)
        let cut = try XCTUnwrap(interpreter.session.evaluations["cut"]?.report)
        XCTAssertEqual(full.results.map(\.passed), cut.results.map(\.passed))
        XCTAssertEqual(full.byCheck, cut.byCheck)
    }

    func testEvalOnTheValidationSplitWithoutJSONReportsLossAndSamples() throws {
        let interpreter = try interpreterWithData()
        ok(interpreter, "data split train=0.75 val=0.25")
        ok(interpreter, "set seq=768")
        let text = ok(interpreter, "eval samples=1 max=8")
        XCTAssertTrue(text.hasPrefix("eval on val (") && text.contains(" examples) · tiny, no adapter\nloss "), text)
        XCTAssertFalse(text.contains("JSON"), text)
        XCTAssertEqual(text.components(separatedBy: "    reply     ").count, 2, text)
        // The loss eval reports on the validation split is the trainer's validation loss.
        ok(interpreter, "method lora r=4")
        ok(interpreter, "set batch=2")
        ok(interpreter, "train steps=1")
        let state = try XCTUnwrap(interpreter.session.training)
        let trainerLoss = try XCTUnwrap(state.validationLoss())
        let evalText = ok(interpreter, "eval samples=0")
        let loss = try XCTUnwrap(evalText.split(separator: "\n")[1].split(separator: " ").dropFirst().first.flatMap { Double($0) })
        XCTAssertEqual(loss, trainerLoss, accuracy: 1e-3)
        XCTAssertTrue(evalText.contains("tiny with adapter run1 (lora r=4 alpha="), evalText)
    }
}

final class CompareCommandTests: XCTestCase {
    func testCompareBaseAndTunedSideBySide() throws {
        let folder = try ticketFolder()
        let interpreter = try interpreterWithData()
        interpreter.session.paths = .unrestricted(base: folder)
        XCTAssertEqual(failure(interpreter, "compare base tuned on=all[0:2]").name, "NoAdapter")
        ok(interpreter, "base = eval on=\"tickets.jsonl\" samples=6 max=20")
        ok(interpreter, "method lora r=4 alpha=8")
        ok(interpreter, "set lr=5e-3 batch=2 seq=768 warmup=0 schedule=constant")
        ok(interpreter, "train steps=2")
        ok(interpreter, "tuned = eval on=\"tickets.jsonl\" samples=6 max=20")
        // Two named evaluations: every shared example, loss rows, rates, regression.
        let stored = ok(interpreter, "compare base tuned samples=2")
        let lines = stored.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines[0], "compare base vs tuned on tickets.jsonl (6 examples)")
        XCTAssertTrue(lines[1].hasPrefix("  base   tiny, no adapter · eval on tickets.jsonl"), lines[1])
        XCTAssertTrue(lines[2].hasPrefix("  tuned  tiny with adapter run1"), lines[2])
        XCTAssertTrue(stored.contains("  loss ") && stored.contains("  schema-valid JSON ") && stored.contains("category as expected"), stored)
        XCTAssertTrue(stored.contains("tuned vs base: "), stored)
        XCTAssertTrue(stored.contains("tickets.jsonl:1  Refund please\n  base   "), stored)
        XCTAssertTrue(stored.contains("(4 more not shown; samples=N shows more)"), stored)

        // Live: the adapter switched off and on gives the stored replies again.
        let live = ok(interpreter, "compare base tuned on=\"tickets.jsonl[0:2]\"")
        XCTAssertEqual(live.components(separatedBy: "\n").first, "compare base vs tuned on tickets.jsonl[0:2] (2 examples)")
        let liveBase = try XCTUnwrap(interpreter.session.evaluations["base"])
        interpreter.session.evaluations = [:]
        // The names are variables too (records that keep their evaluation): forget them as well.
        for name in ["base", "tuned"] { interpreter.session.variables.remove(name) }
        let switched = ok(interpreter, "compare base tuned on=\"tickets.jsonl[0:2]\" max=20")
        XCTAssertTrue(switched.contains("  base   tiny, no adapter · greedy"), switched)
        XCTAssertTrue(switched.contains("  base   " + EvaluationText.clip(liveBase.replies["tickets.jsonl:1"]!, 110)), switched)
        interpreter.session.evaluations["base"] = liveBase
        XCTAssertTrue(ok(interpreter, "compare base base on=\"tickets.jsonl[0:3]\"").contains("identical replies: 3/3"))

        let unknown = failure(interpreter, "compare bsae tuned")
        XCTAssertEqual(unknown.name, "NotFound")
        XCTAssertTrue(unknown.message.contains("no evaluation named 'bsae' — did you mean 'base'?"), unknown.message)
        ok(interpreter, "small = eval on=\"tickets.jsonl[0:1]\" check=none samples=1 loss=false")
        XCTAssertEqual(failure(interpreter, "compare small base on=\"tickets.jsonl[0:2]\"").name, "NoReply")
    }
}

final class EvaluationPartsTests: XCTestCase {
    func testSlicesFollowPython() {
        let items = Array(0..<10)
        XCTAssertEqual(IndexSlice("0:5")?.apply(items), [0, 1, 2, 3, 4])
        XCTAssertEqual(IndexSlice("-3:")?.apply(items), [7, 8, 9])
        XCTAssertEqual(IndexSlice(":2")?.apply(items), [0, 1])
        XCTAssertEqual(IndexSlice("-1")?.apply(items), [9])
        XCTAssertEqual(IndexSlice("20")?.apply(items), [])
        XCTAssertEqual(IndexSlice("5:100")?.apply(items), [5, 6, 7, 8, 9])
        XCTAssertNil(IndexSlice("a:b"))
        XCTAssertNil(IndexSlice("1:2:3"))
    }

    func testWhatMayStillBecomeJSON() {
        for text in ["", "  ", "{", " {\"a\"", "[1", "\"x", "-", "4", "t", "tru", "true", "null"] {
            XCTAssertTrue(EvaluationText.mayBecomeJSON(text), text)
        }
        for text in ["The", "Sure", " Hi", "```json", "tx", "nope"] {
            XCTAssertFalse(EvaluationText.mayBecomeJSON(text), text)
        }
    }

    func testInferredSchemaAcceptsTheTargetsAndRejectsOtherValues() throws {
        let targets = (0..<12).map { i in
            "{\"category\": \"\(["api", "billing", "login"][i % 3])\", \"summary\": \"ticket \(i)\", \"urgent\": \(i % 2 == 0)}"
        }
        let checks = try XCTUnwrap(ReplyChecks.choose(mode: "auto", targets: targets, schema: nil, schemaName: nil))
        XCTAssertEqual(checks.fields, ["category", "urgent"])
        XCTAssertTrue(checks.summary.contains("category one of 3, summary string, urgent boolean, no other keys"), checks.summary)
        for target in targets {
            XCTAssertTrue(checks.checks.allSatisfy { $0.evaluate(target).passed }, target)
        }
        let wrong = "{\"category\": \"service\", \"summary\": \"x\", \"urgent\": true}"
        XCTAssertFalse(checks.checks[1].evaluate(wrong).passed)
        XCTAssertFalse(checks.checks[0].evaluate("Here: " + targets[0]).passed, "prose around the JSON is not strict")
        XCTAssertFalse(checks.checks[1].evaluate("{\"category\": \"api\", \"summary\": \"x\"}").passed, "a missing key")
        XCTAssertEqual(checks.fieldMatches(replies: [targets[0], wrong], targets: [targets[0], targets[0]]).map(\.matches), [1, 2])
        XCTAssertTrue(ReplyChecks.choose(mode: "auto", targets: ["plain text"], schema: nil, schemaName: nil)?.isEmpty ?? false)
        XCTAssertNil(ReplyChecks.choose(mode: "schema", targets: ["plain text"], schema: nil, schemaName: nil))
    }
}
