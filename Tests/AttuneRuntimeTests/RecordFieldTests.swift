import Essentials
import XCTest
@testable import AttuneRuntime

/// `by=` names a record field or a dotted path into the record, through JSON written as text.
final class RecordFieldTests: XCTestCase {
    let record = try! JSONValue.parse(#"""
        {"category": "top", "meta.source": "dotted key", "output": "{\"category\": \"billing\", \"severity\": 3}",
         "messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": " {\"category\": \"bug\"}"}],
         "nested": {"level": {"name": "deep"}}, "plain": "not json {"}
        """#)

    func text(_ path: String) -> String? {
        RecordField.value(in: record, at: path).flatMap { value in
            if case .number(_, let spelling) = value { return spelling }
            return value.stringValue
        }
    }

    func testTopLevelKeysComeFirstIncludingKeysWithDots() {
        XCTAssertEqual(text("category"), "top")
        XCTAssertEqual(text("meta.source"), "dotted key")
    }

    func testPathsEnterObjectsArraysAndJSONWrittenAsText() {
        XCTAssertEqual(text("output.category"), "billing")
        XCTAssertEqual(text("output.severity"), "3")
        XCTAssertEqual(text("nested.level.name"), "deep")
        XCTAssertEqual(text("messages.0.content"), "hi")
        XCTAssertEqual(text("messages.-1.content.category"), "bug", "negative indices count from the end; leading spaces before JSON text")
    }

    func testMissingStepsAndMalformedPathsGiveNil() {
        XCTAssertNil(text("missing"))
        XCTAssertNil(text("output.missing"))
        XCTAssertNil(text("messages.2.content"), "index past the end")
        XCTAssertNil(text("messages.-3.content"))
        XCTAssertNil(text("messages.first"), "arrays take indices only")
        XCTAssertNil(text("plain.x"), "text that is not JSON is a leaf")
        XCTAssertNil(text("output..category"))
        XCTAssertNil(text("category.x"), "a string leaf has no fields")
    }

    /// `eval by=output.category` groups a triage-style file by the category inside each expected
    /// JSON answer; a field no record has is refused by nothing but gives no groups.
    func testEvalGroupsByAFieldInsideTheExpectedJSONAnswer() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("recordfield-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let categories = ["billing", "bug", "billing", "account", "bug", "billing"]
        let lines = categories.enumerated().map { index, category in
            let answer = #"{"category": "\#(category)", "severity": "low"}"#
            return JSONValue.object([("instruction", .string("Triage ticket \(index).")), ("output", .string(answer))]).text()
        }
        let file = folder.appendingPathComponent("tickets.jsonl")
        try (lines.joined(separator: "\n") + "\n").write(to: file, atomically: true, encoding: .utf8)
        let interpreter = makeInterpreter(tiny: true)
        let text = ok(interpreter, "e = eval on=\"\(file.path)\" by=output.category max=2 loss=false samples=0")
        XCTAssertTrue(text.contains("by output.category"), text)
        XCTAssertTrue(text.contains("billing") && text.contains("/3 ") && text.contains("account") && text.contains("/1 "), text)
        XCTAssertEqual(interpreter.session.evaluations["e"]?.categories, categories)
        XCTAssertEqual(failure(interpreter, "eval on=\"\(file.path)\" by=[a, b]").name, "InvalidValue")
    }
}
