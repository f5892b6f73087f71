import XCTest
@testable import AttuneNotebook

final class VerificationTests: XCTestCase {
    let settings = VerifySettings(rtol: 1e-4, atol: 1e-6, volatile: ["tokens_per_s", "elapsed_s"],
                                  sanitize: [Sanitizer(regex: #"seed \d+"#, replace: "seed <S>")])
    var comparator: OutputComparator { OutputComparator(settings: settings) }

    func testNumbersWithinToleranceInText() {
        let recorded = CellOutput.result("step 60  loss 4.912  val 4.950")
        XCTAssertEqual(comparator.compare(recorded, .result("step 60  loss 4.9124  val 4.9502")), [])
        let far = comparator.compare(recorded, .result("step 60  loss 4.93  val 4.950"))
        XCTAssertEqual(far.count, 1)
        XCTAssertEqual(far.first?.line, 1)
        XCTAssertEqual(far.first?.message.hasPrefix("number 4.912 became 4.93"), true, far.first?.message ?? "")
        // Integers are numbers too: a different step count fails.
        XCTAssertEqual(comparator.compare(recorded, .result("step 61  loss 4.912  val 4.950")).count, 1)
        // Text around numbers must match exactly.
        XCTAssertEqual(comparator.compare(recorded, .result("step 60  loss 4.912  VAL 4.950")).first?.message, "text differs")
    }

    func testToleranceBoundary() {
        let rtolOnly = OutputComparator(settings: VerifySettings(rtol: 1e-3, atol: 0))
        XCTAssertEqual(rtolOnly.compare(.result("x 1000"), .result("x 1000.9")), [])
        XCTAssertEqual(rtolOnly.compare(.result("x 1000"), .result("x 1001.1")).count, 1)
        XCTAssertEqual(rtolOnly.compare(.result("loss nan"), .result("loss nan")), [])
        XCTAssertEqual(rtolOnly.compare(.result("loss nan"), .result("loss 2.0")).count, 1)
        XCTAssertEqual(rtolOnly.compare(.result("lr 3e-4"), .result("lr 0.0003")), [])
    }

    func testBuiltInAndCustomSanitizers() {
        XCTAssertEqual(comparator.compare(.stream("step 10 loss 2.5 (12.3 s) ETA 0:41 1532 tokens/s"),
                                          .stream("step 10 loss 2.5 (9.8 s) ETA 1:02 2011 tokens/s")), [])
        XCTAssertEqual(comparator.compare(.stream("done in 450 ms at 2026-11-29T10:14:03Z"),
                                          .stream("done in 1.2 s at 2026-12-01T08:00:00Z")), [])
        XCTAssertEqual(comparator.compare(.result("steps=60 (seed 1234)"), .result("steps=60 (seed 99)")), [])
        // The example records already-sanitized text: "(<TIME>)" matches a real duration.
        XCTAssertEqual(comparator.compare(.stream("loss 4.912 (<TIME>)"), .stream("loss 4.912 (3.4 s)")), [])
        // But a sanitizer must not hide a real difference.
        XCTAssertEqual(comparator.compare(.stream("loss 4.912 (3.4 s)"), .stream("loss 5.912 (3.4 s)")).count, 1)
    }

    func testLineCountDifference() {
        let found = comparator.compare(.stream("a\nb\nc"), .stream("a\nb"))
        XCTAssertEqual(found.count, 1)
        XCTAssertEqual(found.first?.line, 3)
        XCTAssertEqual(found.first?.expected, "c")
        XCTAssertEqual(found.first?.actual, "(end of output)")
    }

    func testMetricsFieldByFieldWithVolatileSkipped() {
        let recorded = CellOutput(kind: .metrics, text: """
        {"step": 1, "loss": 4.912, "tokens_per_s": 21044, "elapsed_s": 3.1}
        {"step": 2, "loss": 4.5, "lr": 0.0002, "diverged": false}
        """)
        let close = CellOutput(kind: .metrics, text: """
        {"loss": 4.9121, "step": 1, "tokens_per_s": 999, "elapsed_s": 7}
        {"step": 2, "loss": 4.5, "lr": 2e-4, "diverged": false}
        """)
        XCTAssertEqual(comparator.compare(recorded, close), [])
        let wrong = CellOutput(kind: .metrics, text: """
        {"step": 1, "loss": 4.95, "tokens_per_s": 21044}
        {"step": 2, "loss": 4.5, "lr": 0.0002, "diverged": true, "extra": 1}
        """)
        let found = comparator.compare(recorded, wrong)
        XCTAssertEqual(found.map(\.line), [1, 2, 2])
        XCTAssertEqual(found.map(\.message), ["loss 4.912 became 4.95 (beyond rtol 0.0001, atol 1e-06)",
                                              "diverged false became true",
                                              "unexpected field extra in replay"])
        XCTAssertFalse(found[0].expected.contains("tokens_per_s"), "volatile fields are left out of the diff")
        let fewer = comparator.compare(recorded, CellOutput(kind: .metrics, text: #"{"step": 1, "loss": 4.912}"#))
        XCTAssertEqual(fewer.map(\.message), ["recorded 2 records, replay gave 1"])
        XCTAssertEqual(comparator.compare(CellOutput.metrics([.object([("loss", .null)])]),
                                          CellOutput.metrics([.object([("loss", .number(1))])])).map(\.message),
                       ["loss null became 1"])
    }

    func testPlotsComparedBySeriesNotImagesOrNames() {
        let series = Data(#"{"x": [0, 1, 2], "loss": [5.5, 3.25, 2.4]}"#.utf8)
        let near = Data(#"{"x": [0, 1, 2], "loss": [5.50001, 3.25, 2.4]}"#.utf8)
        let far = Data(#"{"x": [0, 1, 2], "loss": [5.5, 3.5, 2.4]}"#.utf8)
        let recorded = CellOutput.plot(PlotInfo(id: "p1", src: "a.assets/p1-aaaa.png", series: "a.assets/p1-aaaa.json"), text: "⠉⠒ chart")
        let replayed = CellOutput.plot(PlotInfo(id: "p1", src: "b.assets/p1-bbbb.png", series: "b.assets/p1-bbbb.json"), text: "⠤⣀ other chart")
        func comparator(_ replayedSeries: Data) -> OutputComparator {
            OutputComparator(settings: settings, recordedAssets: .files(["a.assets/p1-aaaa.json": series]),
                             replayedAssets: .files(["b.assets/p1-bbbb.json": replayedSeries]))
        }
        XCTAssertEqual(comparator(near).compare(recorded, replayed), [])
        XCTAssertEqual(comparator(far).compare(recorded, replayed).map(\.message),
                       ["series.loss[1] 3.25 became 3.5 (beyond rtol 0.0001, atol 1e-06)"])
        XCTAssertEqual(self.comparator.compare(recorded, replayed).first?.message,
                       "recorded series file a.assets/p1-aaaa.json cannot be read")
    }

    func testErrorsByNameAndMessage() {
        let recorded = CellOutput.error(name: "InvalidValue", message: "lr must be greater than 0 (got -1)")
        XCTAssertEqual(comparator.compare(recorded, .error(name: "InvalidValue", message: "lr must be greater than 0 (got -1)")), [])
        XCTAssertEqual(comparator.compare(recorded, .error(name: "TypeError", message: "lr must be greater than 0 (got -1)")).map(\.message),
                       ["error name differs"])
        XCTAssertEqual(comparator.compare(recorded, .error(name: "InvalidValue", message: "lr must be positive")).count, 1)
        XCTAssertEqual(comparator.compare(recorded, .result("ok")).first?.message, "output kind differs: recorded error, replay gave result")
    }

    func testVerifyDocumentReportAndFix() throws {
        let recorded = try NotebookReader.read(Fixtures.formatExample)
        var replayed = recorded
        replayed.updateCells { cell in
            if cell.n == 3 {
                cell.outputs[0].text = cell.outputs[0].text.replacingOccurrences(of: "(<TIME>)", with: "(2.0 s)")
                    .replacingOccurrences(of: "loss 2.431", with: "loss 2.52")
                cell.outputs[1].text = cell.outputs[1].text.replacingOccurrences(of: "21044", with: "18000")
                    .replacingOccurrences(of: "\"loss\": 2.431", with: "\"loss\": 2.52")
            }
            if cell.n == 1 { cell.outputs[0].text += " " }
            if cell.n == 4 { cell.outputs[0].plot?.series = nil; cell.outputs[0].plot?.src = nil }
        }
        // Plots: give both sides series data by path.
        let series = Data(#"{"runs": ["lr=3e-4"], "loss": [[5.5, 4.9]]}"#.utf8)
        let comparator = OutputComparator(settings: try XCTUnwrap(recorded.frontMatter).verify,
                                          recordedAssets: .files(["format-example.assets/p1-3b9c.json": series]),
                                          replayedAssets: .none)
        let verifier = NotebookVerifier(comparator: comparator)
        let report = verifier.verify(recorded: recorded, replayed: replayed)
        XCTAssertFalse(report.passed)
        XCTAssertEqual(report.cellsCompared, 5)
        XCTAssertEqual(report.mismatchedCellNumbers, [1, 3, 4])
        let cell3 = report.mismatches.filter { $0.cellNumber == 3 }
        XCTAssertEqual(cell3.map(\.kind), [.stream, .metrics])
        XCTAssertEqual(cell3.map(\.line), [2, 2])
        XCTAssertEqual(cell3[0].message, "number 2.431 became 2.52 (beyond rtol 0.0001, atol 1e-06)")
        XCTAssertTrue(report.rendered.contains("cell n=3 (c3) · stream · line 2: number 2.431 became 2.52"), report.rendered)
        XCTAssertTrue(report.rendered.contains("  - expected: run lr=3e-3   step 60  loss 2.431  val 2.602  (<TIME>)"), report.rendered)
        XCTAssertTrue(report.rendered.hasSuffix("FAILED: 4 differences in 3 of 5 cells"), report.rendered)

        let fixed = verifier.fixing(recorded: recorded, replayed: replayed, report: report)
        XCTAssertEqual(fixed.cell(n: 3)?.outputs, replayed.cell(n: 3)?.outputs)
        XCTAssertEqual(fixed.cell(n: 2), recorded.cell(n: 2))
        XCTAssertEqual(fixed.blocks.count, recorded.blocks.count)
        // After fixing, the fixed notebook verifies against the same replay (plots aside).
        let again = NotebookVerifier(comparator: OutputComparator(settings: comparator.settings))
            .verify(recorded: fixed, replayed: replayed)
        XCTAssertTrue(again.passed, again.rendered)
    }

    func testSkippedCellsAndMissingCells() throws {
        var recorded = NotebookDocument()
        recorded.append(Cell(n: 1, id: "a", source: "x", outputs: [.result("1")]))
        recorded.append(Cell(n: 2, id: "b", tags: ["skip"], source: "slow", outputs: [.result("2")]))
        recorded.append(Cell(n: 3, id: "c", source: "z", outputs: [.result("3")]))
        var replayed = NotebookDocument()
        replayed.append(Cell(n: 1, id: "q", source: "x", outputs: [.result("1")]))
        let report = NotebookVerifier(comparator: comparator).verify(recorded: recorded, replayed: replayed)
        XCTAssertEqual(report.cellsCompared, 2)
        XCTAssertEqual(report.mismatches.map(\.message), ["cell was not replayed"])
        XCTAssertEqual(report.mismatches.first?.cellNumber, 3)
    }

    func testInvalidSanitizerIsReportedNotFatal() {
        let bad = OutputComparator(settings: VerifySettings(sanitize: [Sanitizer(regex: "([", replace: "")]))
        XCTAssertEqual(bad.sanitizer.invalidRules.count, 1)
        XCTAssertEqual(bad.compare(.result("a 1"), .result("a 1")), [])
    }
}
