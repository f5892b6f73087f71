import Essentials
import XCTest
@testable import Evaluation

final class GenerationCheckTests: XCTestCase {
    func testExactMatchNormalisation() {
        XCTAssertTrue(GenerationCheck.exactMatch("Paris").evaluate("  Paris \n").passed)
        XCTAssertFalse(GenerationCheck.exactMatch("Paris").evaluate("paris.").passed)
        XCTAssertTrue(GenerationCheck.exactMatch("Paris", normalization: .loose).evaluate("paris.").passed)
        XCTAssertTrue(GenerationCheck.exactMatch("a b", normalization: .whitespace).evaluate("a \t\n b").passed)
        XCTAssertEqual(GenerationCheck.exactMatch("x").evaluate("y").detail, #"expected "x", got "y""#)
        XCTAssertEqual(TextNormalization.loose.apply("  Hello,   World! "), "hello world")
    }

    func testContainsAndRegex() {
        XCTAssertTrue(GenerationCheck.contains("rate limit").evaluate("You hit the Rate Limit.").passed)
        XCTAssertFalse(GenerationCheck.contains("rate limit", caseSensitive: true).evaluate("Rate Limit").passed)
        XCTAssertTrue(GenerationCheck.regex(#"\b429\b"#).evaluate("Error 429 means…").passed)
        XCTAssertFalse(GenerationCheck.regex(#"^\d+$"#).evaluate("12a").passed)
        let bad = GenerationCheck.regex("(").evaluate("x")
        XCTAssertFalse(bad.passed)
        XCTAssertEqual(bad.detail, #"invalid regular expression "(""#)
    }

    func testLengthLimits() {
        let words = GenerationCheck.length(LengthLimit(unit: .words, maximum: 3))
        XCTAssertTrue(words.evaluate("one two three").passed)
        XCTAssertEqual(words.evaluate("one two three four").detail, "4 words, more than 3")
        let chars = GenerationCheck.length(LengthLimit(unit: .characters, minimum: 5, maximum: 10))
        XCTAssertEqual(chars.evaluate("abc").detail, "3 characters, fewer than 5")
        XCTAssertTrue(chars.evaluate("abcdef").passed)
    }

    func testStrictJSONAndExtraction() {
        let strict = GenerationCheck.validJSON()
        XCTAssertTrue(strict.evaluate(#" {"a": [1, 2.5, true, null, "x\u00e9"]} "#).passed)
        let fenced = "Here you go:\n```json\n{\"priority\": \"high\"}\n```\nAnything else?"
        let outcome = strict.evaluate(fenced)
        XCTAssertFalse(outcome.passed)
        XCTAssertEqual(outcome.strictlyValidJSON, false)
        XCTAssertEqual(outcome.detail, "JSON is wrapped in a ``` fence: not strictly valid")
        let lenient = GenerationCheck.validJSON(strict: false).evaluate(fenced)
        XCTAssertTrue(lenient.passed)
        XCTAssertEqual(lenient.detail, "JSON extracted from a ``` fence (not strictly valid)")
        let prose = ExtractedJSON.first(in: #"Sure! {"a": "}"} and {"b": 2}"#)
        XCTAssertEqual(prose?.placement, .embedded)
        XCTAssertEqual(prose?.text, #"{"a": "}"}"#)
        // A brace that does not start a valid object is skipped.
        XCTAssertEqual(ExtractedJSON.first(in: "use {braces} like {\"k\": 1}")?.value, .object([("k", .number(1))]))
        XCTAssertNil(ExtractedJSON.first(in: "no json here {oops"))
        XCTAssertTrue(strict.evaluate("{\"a\": }").detail.hasPrefix("no JSON object in the reply (invalid JSON at character"))
    }

    func testReplyParseErrorsCountCharactersAndNameTheSurprise() {
        let prose = GenerationCheck.validJSON(strict: true).evaluate("The ticket is about billing.")
        XCTAssertEqual(prose.detail, "no JSON object in the reply (invalid JSON at character 1: unexpected character 'T')")
        // Offsets count characters, not UTF-8 bytes: "é" is two bytes but one character.
        let accented = GenerationCheck.validJSON(strict: true).evaluate(#"{"é": x}"#)
        XCTAssertEqual(accented.detail, "no JSON object in the reply (invalid JSON at character 7: unexpected character 'x')")
        let cut = GenerationCheck.validJSON(strict: true).evaluate(#"{"a": 1"#)
        XCTAssertEqual(cut.detail, "no JSON object in the reply (invalid JSON at character 8: the line ends inside an object; expected ',' or '}' (is the line cut short?))")
    }

    let ticketSchema = """
    {
      "$schema": "https://json-schema.org/draft/2020-12/schema",
      "type": "object",
      "required": ["priority", "tags", "customer"],
      "additionalProperties": false,
      "properties": {
        "priority": {"type": "string", "enum": ["low", "medium", "high"]},
        "score": {"type": "integer"},
        "ratio": {"type": ["number", "null"]},
        "escalate": {"type": "boolean"},
        "tags": {"type": "array", "items": {"type": "string"}},
        "customer": {
          "type": "object",
          "required": ["id"],
          "properties": {"id": {"type": "integer"}, "name": {"type": "string"}}
        }
      }
    }
    """

    func testSchemaAcceptsConformingReply() throws {
        let schema = try JSONSchema(json: ticketSchema)
        let reply = #"{"priority": "high", "score": 3.0, "ratio": null, "escalate": true, "tags": ["api", "429"], "customer": {"id": 42}}"#
        let outcome = GenerationCheck.jsonSchema(schema).evaluate(reply)
        XCTAssertTrue(outcome.passed, outcome.detail)
        XCTAssertEqual(outcome.detail, "valid JSON, matches the schema")
    }

    func testSchemaReportsEveryViolationWithPath() throws {
        let schema = try JSONSchema(json: ticketSchema)
        let reply = #"{"priority": "urgent", "score": 2.5, "tags": ["a", 7], "customer": {"name": "Ann"}, "extra": 1}"#
        let problems = schema.violations(of: try JSONValue.parse(reply))
        XCTAssertEqual(problems, [
            #"$.priority: "urgent" is not one of "low", "medium", "high""#,
            "$.score: expected integer, got number",
            "$.tags[1]: expected string, got integer",
            #"$.customer: missing required key "id""#,
            #"$: unexpected key "extra""#,
        ])
        XCTAssertEqual(schema.violations(of: .array([])), ["$: expected object, got array"])
        let missing = schema.violations(of: try JSONValue.parse(#"{"priority": "low"}"#))
        XCTAssertEqual(missing, [#"$: missing required key "tags""#, #"$: missing required key "customer""#])
    }

    func testSchemaRejectsUnsupportedKeywords() {
        XCTAssertThrowsError(try JSONSchema(json: #"{"type": "string", "minLength": 3}"#)) { error in
            XCTAssertEqual(error as? JSONSchema.ReadError, .unsupportedKeyword("minLength", path: "$"))
        }
        XCTAssertThrowsError(try JSONSchema(json: #"{"type": "text"}"#))
        XCTAssertThrowsError(try JSONSchema(json: #"{"properties": {"a": {"pattern": "x"}}}"#)) { error in
            XCTAssertEqual(error as? JSONSchema.ReadError, .unsupportedKeyword("pattern", path: "$.a"))
        }
    }

    func testSchemaCheckOnFencedReplyIsNotStrict() throws {
        let schema = try JSONSchema(json: #"{"type": "object", "required": ["a"]}"#)
        let outcome = GenerationCheck.jsonSchema(schema).evaluate("```\n{\"b\": 1}\n```")
        XCTAssertFalse(outcome.passed)
        XCTAssertEqual(outcome.detail, #"JSON is wrapped in a ``` fence: not strictly valid; $: missing required key "a""#)
    }

    func testChecksAreCodable() throws {
        let checks: [GenerationCheck] = [.exactMatch("a", normalization: .loose), .contains("b"), .regex("c"),
                                         .validJSON(strict: false), .jsonSchema(try JSONSchema(json: ticketSchema)),
                                         .length(LengthLimit(unit: .words, maximum: 50))]
        let data = try JSONEncoder().encode(checks)
        XCTAssertEqual(try JSONDecoder().decode([GenerationCheck].self, from: data), checks)
    }
}

final class EvalReportTests: XCTestCase {
    let cases = [
        EvalCase(id: "1", prompt: "Capital of France?", checks: [.contains("Paris")]),
        EvalCase(id: "2", prompt: "JSON please", checks: [.validJSON(), .length(LengthLimit(unit: .words, maximum: 10))],
                 tags: ["edge:format"]),
        EvalCase(id: "3", prompt: "", checks: [.regex("(?i)please")], tags: ["edge:empty-input"]),
        EvalCase(id: "4", prompt: "2+2?", checks: [.exactMatch("4")], tags: ["edge:format"]),
    ]

    func testReportCountsRatesAndFailures() {
        let replies = ["It is Paris.", "```json\n{\"a\": 1}\n```", "Could you please rephrase?", "4"]
        let report = EvalReport(results: zip(cases, replies).map { $0.evaluate(reply: $1) })
        XCTAssertEqual(report.total, 4)
        XCTAssertEqual(report.passed, 3)
        XCTAssertEqual(report.passRate, 0.75)
        XCTAssertEqual(report.failures.map(\.id), ["2"])
        XCTAssertEqual(report.byCheck, [PassCount(name: "contains", passed: 1, total: 1),
                                        PassCount(name: "json", passed: 0, total: 1),
                                        PassCount(name: "length", passed: 1, total: 1),
                                        PassCount(name: "regex", passed: 1, total: 1),
                                        PassCount(name: "exact", passed: 1, total: 1)])
        XCTAssertEqual(report.byTag, [PassCount(name: "edge:format", passed: 1, total: 2),
                                      PassCount(name: "edge:empty-input", passed: 1, total: 1)])
        XCTAssertEqual(report.wrappedJSONCount, 1)
        XCTAssertEqual(report.text(title: "eval val"), """
        eval val: 3/4 passed (75.0%)
          contains: 1/1 (100.0%)
          json: 0/1 (0.0%)
          length: 1/1 (100.0%)
          regex: 1/1 (100.0%)
          exact: 1/1 (100.0%)
          [edge:format] 1/2 (50.0%)
          [edge:empty-input] 1/1 (100.0%)
          1 replies wrapped their JSON in prose or a fence
        failing:
          2: json: JSON is wrapped in a ``` fence: not strictly valid
        """)
    }

    func testRegressionFlagsEveryExampleThatGotWorse() {
        let base = zip(cases, ["Paris", "{\"a\": 1}", "please", "5"]).map { $0.evaluate(reply: $1) }
        let tuned = zip(cases, ["Lyon", "{\"a\": 1} is it", "please", "4"]).map { $0.evaluate(reply: $1) }
        let report = RegressionReport(base: base, tuned: tuned)
        XCTAssertEqual(report.worsened.map(\.id), ["1", "2"])
        XCTAssertEqual(report.worsened[1].lostChecks, ["json"])
        XCTAssertEqual(report.improved.map(\.id), ["4"])
        XCTAssertEqual(report.unchanged, 1)
        XCTAssertFalse(report.isClean)
        XCTAssertEqual(report.text, """
        regression: 2 worse, 1 better, 1 unchanged
          worse 1: 1/1 → 0/1 (contains: does not contain "Paris")
          worse 2: 2/2 → 1/2 (json: JSON is wrapped in prose: not strictly valid)
        """)
        let partial = RegressionReport(base: Array(base.prefix(2)), tuned: Array(tuned.suffix(3)))
        XCTAssertEqual(partial.unmatched, ["1", "3", "4"])
    }
}
