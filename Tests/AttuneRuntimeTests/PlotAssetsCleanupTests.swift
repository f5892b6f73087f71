import AttuneNotebook
@testable import AttuneRuntime
import Foundation
import XCTest

/// `verify --fix` re-records a changed chart under new file names (the names carry the series'
/// hash); `PlotAssets.removeReplaced` then deletes the old chart's files, and nothing else: not a
/// file another cell still names, not a file of another name, not a file outside the assets folder.
final class PlotAssetsCleanupTests: XCTestCase {
    func document(_ plots: [(cell: Int, stem: String)], folder: String = "nb.assets") -> NotebookDocument {
        let cells = plots.map { plot in
            Cell(n: plot.cell, id: "c\(plot.cell)", source: "plot loss",
                 outputs: [.plot(PlotInfo(id: "p\(plot.cell)", src: "\(folder)/\(plot.stem).png", series: "\(folder)/\(plot.stem).json"), text: "chart")])
        }
        return NotebookDocument(blocks: cells.map { .cell($0) })
    }

    func testRemovesOnlyTheReplacedChartsFiles() throws {
        let folder = temporaryFolder()
        let notebook = folder.appendingPathComponent("nb.attune.md")
        let assets = folder.appendingPathComponent("nb.assets")
        try FileManager.default.createDirectory(at: assets, withIntermediateDirectories: true)
        let names = ["p3-0a1b2c3d", "p3-99887766", "p5-2-deadbeef"].flatMap { stem in ["json", "png", "svg"].map { "\(stem).\($0)" } }
            + ["notes.txt", "p3-XYZ.png", "p7-12345678.csv"]
        for name in names { try Data("x".utf8).write(to: assets.appendingPathComponent(name)) }
        let outside = folder.appendingPathComponent("p3-0a1b2c3d.png")
        try Data("x".utf8).write(to: outside)

        // Cell 3's chart changed (old hash 0a1b2c3d, new 99887766); cell 5's did not.
        let previous = document([(3, "p3-0a1b2c3d"), (5, "p5-2-deadbeef")])
        let current = document([(3, "p3-99887766"), (5, "p5-2-deadbeef")])
        let removed = PlotAssets.removeReplaced(previous: previous, current: current, notebook: notebook)
        XCTAssertEqual(removed, ["nb.assets/p3-0a1b2c3d.json", "nb.assets/p3-0a1b2c3d.png", "nb.assets/p3-0a1b2c3d.svg"])
        let left = try Set(FileManager.default.contentsOfDirectory(atPath: assets.path))
        XCTAssertEqual(left, Set(names).subtracting(["p3-0a1b2c3d.json", "p3-0a1b2c3d.png", "p3-0a1b2c3d.svg"]))
        XCTAssertTrue(FileManager.default.fileExists(atPath: outside.path), "a file outside the assets folder stays")

        // A recording that names files elsewhere (another folder, a parent path) removes nothing.
        let foreign = document([(3, "p3-99887766")], folder: "other.assets")
        XCTAssertEqual(PlotAssets.removeReplaced(previous: foreign, current: document([]), notebook: notebook), [])
        let escaping = document([(3, "p3-99887766")], folder: "nb.assets/..")
        XCTAssertEqual(PlotAssets.removeReplaced(previous: escaping, current: document([]), notebook: notebook), [])
        XCTAssertTrue(FileManager.default.fileExists(atPath: assets.appendingPathComponent("p3-99887766.png").path))
    }

    func testStoredPlotNames() {
        for good in ["p1-0123abcd.png", "p12-3-ffffffff.json", "p4-00000000.svg"] { XCTAssertTrue(PlotAssets.isStoredPlotFile(good), good) }
        for bad in ["p1-0123ABCD.png", "p1-0123abc.png", "q1-0123abcd.png", "p-0123abcd.png", "p1-0123abcd.txt", "notes.png",
                    "p1-x-0123abcd.png", "p1-2-3-0123abcd.png", "p١-0123abcd.png"] {
            XCTAssertFalse(PlotAssets.isStoredPlotFile(bad), bad)
        }
    }
}
