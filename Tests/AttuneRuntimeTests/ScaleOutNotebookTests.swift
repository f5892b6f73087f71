import AttuneNotebook
import Foundation
import XCTest

/// `Notebooks/scale-out.attune.md` verifies on a fresh clone: the cells that need the TRL run
/// are skipped, each with its reason.
final class ScaleOutNotebookTests: XCTestCase {
    func testScaleOutCellsThatNeedTheTRLRunAreSkippedWithAReason() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Notebooks/scale-out.attune.md")
        let document = try NotebookReader.read(contentsOf: url)
        let skipped = document.cells.filter { $0.hasTag(Cell.Tag.skip) }
        XCTAssertEqual(skipped.map(\.id), ["launch", "load", "compare"])
        XCTAssertTrue(skipped.allSatisfy { $0.skipReason != nil })
        let report = NotebookVerifier(comparator: OutputComparator(settings: VerifySettings())).verify(recorded: document, replayed: document)
        XCTAssertTrue(report.rendered.contains("skipped: cell n=9 is tagged skip (needs out/scale-out-trl/out/adapter, which only the launch cell (n=8) writes)"),
                      report.rendered)
    }
}
