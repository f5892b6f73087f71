@testable import AttuneRuntime
import Foundation
import XCTest

/// `data compare` on the shipped triage set and its held-out file, and on planted leaks.
extension DataCommandTests {
    func testCompareFindsPlantedLeaksAndReturnsARecord() throws {
        let (interpreter, root) = try makeDataInterpreter()
        // Held-out: three lines of the training file (one with another answer) and two new ones.
        let lines = try String(contentsOf: root.appendingPathComponent("data/triage.jsonl"), encoding: .utf8).split(separator: "\n").map(String.init)
        let changed = lines[9].replacingOccurrences(of: "\"output\": \"", with: "\"output\": \"changed ")
        let new1 = #"{"instruction": "Classify the ticket.", "input": "The hamster ate my invoice and the printer sings at night.", "output": "{\"category\": \"other\"}"}"#
        let new2 = #"{"instruction": "Classify the ticket.", "input": "Quarterly compliance audit needs the archived ledgers from 2019.", "output": "{\"category\": \"other\"}"}"#
        try write([lines[0], new1, lines[4], changed, new2].joined(separator: "\n") + "\n", to: "data/held.jsonl", in: root)
        let text = ok(interpreter, "data compare \"data/triage.jsonl\" \"data/held.jsonl\"")
        XCTAssertTrue(text.hasPrefix("data compare: data/triage.jsonl (480 examples) vs data/held.jsonl (5 examples)"), text)
        XCTAssertTrue(text.contains("leakage   3 of 5 (60.0%): 2 exact, 1 same prompt, 0 near"), text)
        XCTAssertTrue(text.contains("line 1 of data/held.jsonl exact as line 1 of data/triage.jsonl"), text)
        XCTAssertTrue(text.contains("line 4 of data/held.jsonl same prompt as line 10 of data/triage.jsonl"), text)
        let run = interpreter.run(source: "c = data compare \"data/triage.jsonl\" \"data/held.jsonl\"\nprint c.leaks, c.exact, c.same_prompt, c.near, c.candidate, c.reference")
        XCTAssertNil(run.firstError.map { "\($0)" })
        XCTAssertEqual(run.outcomes.flatMap(\.output.stream).last, "3 2 1 0 5 480")
        // The loaded data is untouched (none was loaded).
        XCTAssertNil(interpreter.session.dataset)
    }

    func testCompareWithOnePathUsesTheLoadedTrainPart() throws {
        let (interpreter, root) = try makeDataInterpreter()
        try FileManager.default.copyItem(at: Self.shippedData.appendingPathComponent("triage_heldout.jsonl"),
                                         to: root.appendingPathComponent("data/triage_heldout.jsonl"))
        ok(interpreter, "data load \"data/triage.jsonl\"\ndata split train=0.9 val=0.1")
        let text = ok(interpreter, "data compare \"data/triage_heldout.jsonl\"")
        XCTAssertTrue(text.hasPrefix("data compare: data/triage.jsonl (train part) (432 examples) vs data/triage_heldout.jsonl"), text)
        XCTAssertTrue(text.contains("lengths   PSI "), text)
        XCTAssertTrue(text.contains("labels    PSI "), text)
        XCTAssertTrue(text.contains("words     PSI "), text)
        XCTAssertTrue(text.contains("verdict   "), text)
        XCTAssertEqual(interpreter.session.dataset?.count, 480, "the loaded data stays")
        XCTAssertNotNil(interpreter.session.split, "and its split")
    }

    func testCompareNamesTheProblemWithBadInput() throws {
        let (interpreter, root) = try makeDataInterpreter()
        XCTAssertEqual(failure(interpreter, "data compare \"data/missing.jsonl\" \"data/triage.jsonl\"").name, "NotFound")
        XCTAssertTrue(failure(interpreter, "data compare \"data\" \"data/triage.jsonl\"").message.contains("is a folder; data compare takes a JSONL file"))
        XCTAssertTrue(failure(interpreter, "data compare \"data/triage.jsonl\"").message.contains("needs data: load a JSONL file first"))
        XCTAssertEqual(failure(interpreter, "data compare \"data/triage.jsonl\" \"data/sentiment.jsonl\" near=1.5").name, "InvalidValue")
        try write("", to: "data/empty.jsonl", in: root)
        XCTAssertTrue(failure(interpreter, "data compare \"data/triage.jsonl\" \"data/empty.jsonl\"").message.contains("empty.jsonl: the file has no examples"))
    }
}
