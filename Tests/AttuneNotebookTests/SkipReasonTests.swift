import XCTest
@testable import AttuneNotebook

/// `skip_reason` on cells tagged `skip`, and the verification report's list of skipped cells.
final class SkipReasonTests: XCTestCase {
    func testSkipReasonRoundTripsAndTheReportListsSkippedCells() throws {
        let text = """
            ```attune n=1 id="a"
            x
            ```
            ```output result
            1
            ```

            ```attune n=2 id="b" tags=["skip"] skip_reason="needs the TRL run's adapter"
            y
            ```
            ```output result
            2
            ```

            ```attune n=3 id="c" tags=["skip"]
            z
            ```

            """
        let document = try NotebookReader.read(text)
        XCTAssertEqual(document.cells[1].skipReason, "needs the TRL run's adapter")
        XCTAssertNil(document.cells[2].skipReason)
        XCTAssertEqual(NotebookWriter.write(document), text)
        var replayed = document
        replayed.updateCells { if $0.n == 2 { $0.outputs = [] } }
        let report = NotebookVerifier(comparator: OutputComparator(settings: VerifySettings())).verify(recorded: document, replayed: replayed)
        XCTAssertTrue(report.passed)
        XCTAssertEqual(report.skipped, [.init(cellNumber: 2, reason: "needs the TRL run's adapter"), .init(cellNumber: 3)])
        XCTAssertEqual(report.rendered, """
            skipped: cell n=2 is tagged skip (needs the TRL run's adapter), not replayed or compared
            skipped: cell n=3 is tagged skip, not replayed or compared
            verified: 1 cells, 1 outputs match; 2 skipped
            """)
    }
}
