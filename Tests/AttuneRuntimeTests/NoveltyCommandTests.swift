@testable import AttuneRuntime
import Evaluation
import Foundation
import XCTest

/// `novelty calibrate`, `novelty score`, `novelty load` and eval's novelty column on the tiny model.
extension DataCommandTests {
    private func printed(_ interpreter: Interpreter, _ source: String, file: StaticString = #filePath, line: UInt = #line) -> String {
        let run = interpreter.run(source: source)
        if let error = run.firstError { XCTFail("\(source): \(error.name): \(error.message)", file: file, line: line) }
        return run.outcomes.flatMap(\.output.stream).last ?? ""
    }

    /// Calibrated on the validation part of the triage tickets, the share of the separate test
    /// part flagged lies within the calibration's 95% Wilson interval; the sentiment reviews,
    /// another data set, score high and are flagged.
    func testNoveltyFalseAlarmRateOnHeldOutDataIsWithinItsBound() throws {
        let (interpreter, root) = try makeDataInterpreter(tiny: true)
        ok(interpreter, "data load \"data/triage.jsonl\"\ndata split train=0.6 val=0.2 test=0.2")
        let text = ok(interpreter, "c = novelty calibrate on=val rate=10% save=\"novelty.json\"")
        XCTAssertTrue(text.hasPrefix("novelty calibrated on val (96 examples) against train (288 examples), tiny without adapter"), text)
        XCTAssertTrue(text.contains("  nearest-training distance   median "), text)
        XCTAssertTrue(text.contains("for a 10.0% target"), text)
        XCTAssertTrue(text.hasSuffix("saved to novelty.json"), text)
        let calibration = try XCTUnwrap(interpreter.session.novelty)
        XCTAssertLessThanOrEqual(calibration.flagged, 9, "at most ⌊10% · 96⌋ calibration examples flagged")
        XCTAssertEqual(printed(interpreter, "print c.count, c.flagged, c.target"), "96 \(calibration.flagged) 0.1")

        // Held-out: the test part, from the same distribution.
        let scored = ok(interpreter, "t = novelty score on=test")
        XCTAssertTrue(scored.hasPrefix("novelty on test: "), scored)
        let flagged = Int(printed(interpreter, "print t.flagged"))!
        XCTAssertEqual(printed(interpreter, "print t.count"), "96")
        let bound = try XCTUnwrap(calibration.interval)
        XCTAssertTrue(bound.lower...bound.upper ~= Double(flagged) / 96,
                      "held-out false-alarm rate \(flagged)/96 outside the calibration's \(bound)")

        // Another data set: every review is far from the tickets.
        ok(interpreter, "o = novelty score on=\"data/sentiment.jsonl\"")
        XCTAssertEqual(printed(interpreter, "print o.flagged, o.count"), "60 60")
        let one = ok(interpreter, "n = novelty score \"Review: the pizza was cold and the driver rude.\\nSentiment:\"")
        XCTAssertTrue(one.hasPrefix("novelty 1 (novel: above threshold"), one)
        XCTAssertEqual(printed(interpreter, "print n.novel, n.distance"), "true 1")

        // The saved file reads back to the same calibration.
        let data = try Data(contentsOf: root.appendingPathComponent("novelty.json"))
        XCTAssertEqual(try NoveltyCalibration(json: String(decoding: data, as: UTF8.self)), calibration)
        interpreter.session.novelty = nil
        XCTAssertTrue(ok(interpreter, "novelty load \"novelty.json\"").hasPrefix("novelty calibration from novelty.json: val against train (288 reference examples), tiny"))
        XCTAssertEqual(interpreter.session.novelty, calibration)

        // eval adds the column and the flagged count.
        let evaluated = ok(interpreter, "e = eval on=test[0:4] check=none loss=false samples=0")
        XCTAssertTrue(evaluated.contains("novelty on test[0:4]: "), evaluated)
        XCTAssertEqual(printed(interpreter, "print len(e.novelty)"), "4")
        XCTAssertNotEqual(printed(interpreter, "print e.novelty_flagged"), "")
    }

    func testNoveltyNamesTheProblemWithBadInput() throws {
        let (interpreter, root) = try makeDataInterpreter(tiny: true)
        XCTAssertEqual(failure(interpreter, "novelty score \"hello\"").name, "NoCalibration")
        XCTAssertEqual(failure(interpreter, "novelty calibrate on=val").name, "NoData")
        ok(interpreter, "data load \"data/triage.jsonl\"\ndata split train=0.8 val=0.2")
        XCTAssertTrue(failure(interpreter, "novelty calibrate rate=0").message.contains("rate must be above 0 and below 100%"))
        ok(interpreter, "novelty calibrate on=val[0:30]")
        XCTAssertTrue(failure(interpreter, "novelty score \"x\" on=val").message.contains("give a text or on=SET, not both"))
        XCTAssertTrue(failure(interpreter, "novelty score").message.contains("give a text to score"))
        try write("{\"attune_novelty\": 1}", to: "bad.json", in: root)
        XCTAssertEqual(failure(interpreter, "novelty load \"bad.json\"").name, "InvalidValue")
        XCTAssertEqual(failure(interpreter, "novelty load \"missing.json\"").name, "NotFound")
    }
}
