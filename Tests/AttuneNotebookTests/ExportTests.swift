import Essentials
import XCTest
@testable import AttuneNotebook

final class ExportTests: XCTestCase {
    /// The 8-byte PNG signature plus a marker: enough to check embedding byte for byte.
    let png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x41, 0x54, 0x54])
    var assets: AssetSource { .files(["format-example.assets/p1-3b9c.png": png]) }

    func exampleIpynb() throws -> [String: Any] {
        let document = try NotebookReader.read(Fixtures.formatExample)
        let text = IpynbExporter(assets: assets).exportText(document)
        let object = try JSONSerialization.jsonObject(with: Data(text.utf8))
        return try XCTUnwrap(object as? [String: Any])
    }

    func testIpynbTopLevelAndMetadata() throws {
        let notebook = try exampleIpynb()
        XCTAssertEqual(notebook["nbformat"] as? Int, 4)
        XCTAssertEqual(notebook["nbformat_minor"] as? Int, 5)
        let metadata = try XCTUnwrap(notebook["metadata"] as? [String: Any])
        let kernelspec = try XCTUnwrap(metadata["kernelspec"] as? [String: Any])
        XCTAssertEqual(kernelspec["name"] as? String, "attune")
        XCTAssertEqual(kernelspec["display_name"] as? String, "Attune")
        XCTAssertEqual(kernelspec["language"] as? String, "attune")
        XCTAssertEqual((metadata["language_info"] as? [String: Any])?["name"] as? String, "attune")
        XCTAssertEqual((metadata["attune"] as? [String: Any])?["seed"] as? Int, 1234)
    }

    func testIpynbCellsAndOutputs() throws {
        let cells = try XCTUnwrap(try exampleIpynb()["cells"] as? [[String: Any]])
        // Every cell has the fields nbformat 4.5 requires, with valid, unique ids.
        var ids = Set<String>()
        for cell in cells {
            let id = try XCTUnwrap(cell["id"] as? String)
            XCTAssertTrue(id.range(of: "^[a-zA-Z0-9_-]{1,64}$", options: .regularExpression) != nil, id)
            XCTAssertTrue(ids.insert(id).inserted)
            XCTAssertNotNil(cell["metadata"] as? [String: Any])
            XCTAssertNotNil(cell["source"] as? [String])
            if cell["cell_type"] as? String == "code" {
                XCTAssertNotNil(cell["outputs"] as? [Any])
                XCTAssertNotNil(cell["execution_count"] as? Int)
            }
        }
        let code = cells.filter { $0["cell_type"] as? String == "code" }
        XCTAssertEqual(code.map { $0["execution_count"] as? Int }, [1, 2, 3, 4, 5])
        XCTAssertEqual(code.map { $0["id"] as? String }, ["c1", "c2", "c3", "c4", "c5"])
        XCTAssertEqual(cells.filter { $0["cell_type"] as? String == "markdown" }.count, 2)
        XCTAssertEqual((cells[0]["source"] as? [String])?.first, "# What does the learning rate do?\n")
        XCTAssertEqual(code[0]["source"] as? [String], ["model new tiny layers=2 dim=64 heads=4"])

        let result = try XCTUnwrap((code[0]["outputs"] as? [[String: Any]])?.first)
        XCTAssertEqual(result["output_type"] as? String, "execute_result")
        XCTAssertEqual(result["execution_count"] as? Int, 1)
        XCTAssertEqual(((result["data"] as? [String: Any])?["text/plain"] as? [String])?.first?.hasPrefix("model tiny"), true)

        let sweep = try XCTUnwrap(code[2]["outputs"] as? [[String: Any]])
        XCTAssertEqual(sweep[0]["output_type"] as? String, "stream")
        XCTAssertEqual(sweep[0]["name"] as? String, "stdout")
        XCTAssertEqual((sweep[0]["text"] as? [String])?.count, 3)
        XCTAssertEqual(sweep[1]["output_type"] as? String, "display_data")
        let records = ((sweep[1]["data"] as? [String: Any])?["application/json"] as? [String: Any])?["records"] as? [[String: Any]]
        XCTAssertEqual(records?.count, 3)
        XCTAssertEqual(records?[1]["loss"] as? Double, 2.431)

        let plot = try XCTUnwrap((code[3]["outputs"] as? [[String: Any]])?.first)
        XCTAssertEqual(plot["output_type"] as? String, "display_data")
        let plotData = try XCTUnwrap(plot["data"] as? [String: Any])
        XCTAssertEqual(plotData["image/png"] as? String, png.base64EncodedString())
        XCTAssertEqual((plotData["text/plain"] as? [String])?.first, " 5.5 ┤⠉⠒⠤⣀⡀\n")

        let error = try XCTUnwrap((code[4]["outputs"] as? [[String: Any]])?.first)
        XCTAssertEqual(error["output_type"] as? String, "error")
        XCTAssertEqual(error["ename"] as? String, "InvalidValue")
        XCTAssertEqual((error["evalue"] as? String)?.hasPrefix("line 1, column 8: lr must be"), true)
        XCTAssertEqual((error["traceback"] as? [String])?.count, 1)
        XCTAssertEqual((code[4]["metadata"] as? [String: Any])?["tags"] as? [String], ["raises"])
    }

    func testHTMLWithoutImageShowsTheTerminalChart() throws {
        let html = HTMLExporter().export(try NotebookReader.read(Fixtures.formatExample))
        XCTAssertFalse(html.contains("<img"))
        XCTAssertFalse(html.contains("<details>"))
        XCTAssertTrue(html.contains("<figure class=\"output plot\"><pre class=\"chart\">"))
    }

    func testIpynbWithoutImageKeepsText() throws {
        let document = try NotebookReader.read(Fixtures.formatExample)
        let json = IpynbExporter().export(document)
        let plotCell = json["cells"]?.arrayValue?.first { $0["execution_count"] == .number(4) }
        let data = plotCell?["outputs"]?.arrayValue?.first?["data"]
        XCTAssertNil(data?["image/png"])
        XCTAssertNotNil(data?["text/plain"])
    }

    func testIpynbIdsAreMadeValidAndUnique() {
        var used = Set<String>()
        XCTAssertEqual(IpynbExporter.uniqueID("a b/c", &used), "a-b-c")
        XCTAssertEqual(IpynbExporter.uniqueID("a b/c", &used), "a-b-c-2")
        XCTAssertEqual(IpynbExporter.uniqueID("", &used), "cell")
    }

    func testHTMLExport() throws {
        var document = try NotebookReader.read(Fixtures.formatExample)
        document.append(Cell(n: 6, id: "c6", source: "generate \"<script>alert('x')</script> & more\"",
                             outputs: [.result("<b>not bold</b> & \"quoted\"")]))
        let html = HTMLExporter(assets: assets).export(document)
        XCTAssertTrue(html.hasPrefix("<!DOCTYPE html>\n<html lang=\"en\">"))
        XCTAssertTrue(html.contains("<style>"))
        XCTAssertFalse(html.contains("<link"), "standalone: no external stylesheet")
        XCTAssertTrue(html.contains("<title>Learning rate on the tiny model</title>"))
        XCTAssertTrue(html.contains("<h1>What does the learning rate do?</h1>"))
        XCTAssertEqual(html.components(separatedBy: "<h1>").count - 1, 1, "the prose's own heading, not the title as a second one")
        var untitled = document
        untitled.blocks.removeFirst()
        XCTAssertTrue(HTMLExporter().export(untitled).contains("<header><h1>Learning rate on the tiny model</h1>"),
                      "without a heading of its own the page is headed by the title")
        XCTAssertTrue(html.contains("src=\"data:image/png;base64,\(png.base64EncodedString())\""))
        XCTAssertTrue(html.contains("alt=\"training loss by learning rate\""))
        XCTAssertTrue(html.contains("<figcaption>training loss by learning rate</figcaption><details><summary>as text</summary><pre class=\"chart\">"),
                      "with an image, the terminal chart folds away under it")
        XCTAssertFalse(html.contains("<script>"), "text is escaped")
        XCTAssertTrue(html.contains("&lt;script&gt;alert(&apos;x&apos;)&lt;/script&gt; &amp; more"))
        XCTAssertTrue(html.contains("&lt;b&gt;not bold&lt;/b&gt; &amp; &quot;quoted&quot;"))
        // Metrics as a table: header from the fields, one row per record.
        XCTAssertTrue(html.contains("<table><thead><tr><th>run</th><th>step</th><th>loss</th><th>val_loss</th><th>tokens_per_s</th><th>diverged</th></tr></thead>"), html)
        XCTAssertTrue(html.contains("<tr><td>lr=3e-3</td><td class=\"num\">60</td><td class=\"num\">2.431</td><td class=\"num\">2.602</td><td class=\"num\">20987</td><td></td></tr>"))
        XCTAssertTrue(html.contains("<strong>InvalidValue</strong>: line 1, column 8"))
        XCTAssertTrue(html.contains("<span class=\"prompt\">[3]</span>"))
    }

    func testHTMLTablesShowNumbersToSixSignificantDigits() {
        XCTAssertEqual(HTMLExporter.displayNumber(5.570394039154053), "5.57039")
        XCTAssertEqual(HTMLExporter.displayNumber(12416.500693602879), "12416.5")
        XCTAssertEqual(HTMLExporter.displayNumber(0.0001), "0.0001")
        XCTAssertEqual(HTMLExporter.displayNumber(6.666666666666667e-08), "6.66667e-08")
        XCTAssertEqual(HTMLExporter.displayNumber(60), "60")
        XCTAssertEqual(HTMLExporter.displayNumber(-2.431), "-2.431")
    }

    /// Writes the example's exports to a folder (`ATTUNE_NB_EXPORT_DIR` when set, for checks by
    /// hand such as `nbformat.validate` or a browser; a temporary folder otherwise) and reads them
    /// back: the notebook is one JSON object with cells, the page a complete HTML document.
    func testWriteExportsForExternalValidation() throws {
        let folder: URL
        if let named = ProcessInfo.processInfo.environment["ATTUNE_NB_EXPORT_DIR"] {
            folder = URL(fileURLWithPath: named)
        } else {
            folder = FileManager.default.temporaryDirectory.appendingPathComponent("attune-export-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            addTeardownBlock { try? FileManager.default.removeItem(at: folder) }
        }
        let document = try NotebookReader.read(Fixtures.formatExample)
        let ipynb = folder.appendingPathComponent("format-example.ipynb")
        let html = folder.appendingPathComponent("format-example.html")
        try Data(IpynbExporter(assets: assets).exportText(document).utf8).write(to: ipynb)
        try Data(HTMLExporter(assets: assets).export(document).utf8).write(to: html)
        let notebook = try JSONValue.parse(String(decoding: Data(contentsOf: ipynb), as: UTF8.self))
        XCTAssertFalse(notebook["cells"]?.arrayValue?.isEmpty ?? true, "the .ipynb has no cells")
        XCTAssertNotNil(notebook["nbformat"]?.intValue, "the .ipynb has no nbformat")
        let page = String(decoding: try Data(contentsOf: html), as: UTF8.self)
        XCTAssertTrue(page.contains("<html") && page.contains("</html>"), "the HTML export is not a complete page")
    }

    func testGeneratedNotebooksExportToValidJSON() throws {
        var rng = SplitMix64(seed: 11)
        for round in 0..<50 {
            let document = ReaderWriterTests.randomDocument(&rng, round: round)
            let text = IpynbExporter().exportText(document)
            let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], "round \(round)")
            let cells = try XCTUnwrap(object["cells"] as? [[String: Any]])
            XCTAssertEqual(cells.filter { $0["cell_type"] as? String == "code" }.count, document.cells.count)
            XCTAssertEqual(try JSONValue.parse(text), IpynbExporter().export(document))
            XCTAssertFalse(HTMLExporter().export(document).isEmpty)
        }
    }

    func testMarkdownLite() {
        XCTAssertEqual(MarkdownLite.render("# T\n\npara `x<y>` end\n- a\n- b\n"),
                       "<h1>T</h1>\n<p>para <code>x&lt;y&gt;</code> end</p>\n<ul><li>a</li><li>b</li></ul>\n")
        XCTAssertEqual(MarkdownLite.render("```\n<code>\n```\n"), "<pre><code>&lt;code&gt;</code></pre>\n")
    }
}
