import AttuneNotebook
@testable import AttuneRuntime
import Foundation
import Plotting
import XCTest

final class NotebookTests: XCTestCase {
    /// Records a short session into `folder/session.attune.md`.
    func record(in folder: URL, _ sources: [String]) throws -> URL {
        let url = folder.appendingPathComponent("session.attune.md")
        let recorder = try SessionRecorder(creating: url, seed: 42, title: "test")
        let interpreter = Interpreter(session: Session(seed: 42, paths: .unrestricted(base: folder)))
        for source in sources { recorder.record(source: source, run: interpreter.run(source: source)) }
        return url
    }

    static let session = ["model new tiny", "set lr=3e-4 batch=8", "set lr=-1", "show layers.0.attn.q_proj[0:2, :4]",
                          "tokenize \"hi\"", "logits \"Hello\" top=3", "list layers.1.mlp.*"]

    func testRecordReplayVerifyPasses() throws {
        let folder = temporaryFolder()
        let url = try record(in: folder, Self.session)
        let document = try NotebookReader.read(contentsOf: url)
        XCTAssertEqual(document.cells.count, Self.session.count)
        XCTAssertEqual(document.cells[2].tags, ["raises"], "a failed cell is tagged raises")
        XCTAssertEqual(document.cells[2].outputs, [.error(name: "InvalidValue",
            message: "line 1, column 8: lr must be greater than 0 (got -1); the guide recommends 1e-4 … 3e-4 for LoRA")])
        let outcome = NotebookVerification.verify(document, folder: folder)
        XCTAssertTrue(outcome.report.passed, outcome.report.rendered)
        XCTAssertEqual(outcome.report.cellsCompared, Self.session.count)
    }

    func testEditingOneRecordedNumberFailsWithAReadableDiff() throws {
        let folder = temporaryFolder()
        let url = try record(in: folder, Self.session)
        var text = try String(contentsOf: url, encoding: .utf8)
        let document = try NotebookReader.read(text)
        let shown = try XCTUnwrap(document.cells[3].outputs.first?.text)
        let statsLine = try XCTUnwrap(shown.split(separator: "\n").first { $0.hasPrefix("mean ") })
        let edited = statsLine.replacingOccurrences(of: "non-finite 0", with: "non-finite 3")
        text = text.replacingOccurrences(of: String(statsLine), with: edited)
        let outcome = NotebookVerification.verify(try NotebookReader.read(text), folder: folder)
        XCTAssertFalse(outcome.report.passed)
        XCTAssertEqual(outcome.report.mismatchedCellNumbers, [4])
        let rendered = outcome.report.rendered
        XCTAssertTrue(rendered.contains("cell n=4"), rendered)
        XCTAssertTrue(rendered.contains("- expected:") && rendered.contains("+ actual:"), rendered)
        XCTAssertTrue(rendered.contains("FAILED: 1 difference in 1 of 7 cells"), rendered)
        // --fix puts the replayed output back.
        XCTAssertTrue(NotebookVerification.verify(outcome.fixed, folder: folder).report.passed)
    }

    func testReplayReportsCellsThatFailWithoutRaisesAndRaisesCellsThatDoNot() throws {
        let text = """
            ---
            format: "attune-notebook/1"
            seed: 42
            ---

            ```attune n=1 id="a" tags=["raises"]
            set lr=2e-4
            ```

            ```attune n=2 id="b"
            model info
            ```
            """
        let replayer = NotebookReplayer(folder: temporaryFolder())
        let result = replayer.replay(try NotebookReader.read(text))
        XCTAssertEqual(result.surprises.map(\.cellNumber), [1, 2])
        XCTAssertTrue(result.surprises[1].message.hasPrefix("NoModel: "))
    }

    func testParameterizedReplay() throws {
        let folder = temporaryFolder()
        let url = try record(in: folder, ["model new tiny", "set lr=3e-4 batch=8"])
        var document = try NotebookReader.read(contentsOf: url)
        document.updateCells { cell in if cell.n == 2 { cell.tags = ["parameters"] } }
        let changed = try document.applyingParameters([ParameterOverride(key: "lr", value: "1e-4")])
        let replayed = NotebookReplayer(folder: folder).replay(changed).document
        XCTAssertEqual(replayed.cells[1].outputs, [.result("lr=1e-4 batch=8 (seed 42)")])
    }

    func testRunAndReplayConfineFilesToTheNotebooksFolder() throws {
        let root = temporaryFolder()
        let notebookFolder = root.appendingPathComponent("nb"), outside = root.appendingPathComponent("outside")
        try FileManager.default.createDirectory(at: notebookFolder, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: outside, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(at: notebookFolder.appendingPathComponent("link"), withDestinationURL: outside)
        let confined = makeInterpreter(paths: .confined(to: notebookFolder))
        for statement in ["model load \"../outside\"", "model load \"\(outside.path)\"", "model load \"link\"", "data load \"../secret.jsonl\"",
                          "adapter save \"../../x\"", "model load \"link/../../outside\""] {
            let error = failure(confined, statement)
            XCTAssertEqual(error.name, "PathNotAllowed", statement)
            XCTAssertTrue(error.message.contains("unless run with --allow-paths DIR"), error.message)
        }
        XCTAssertEqual(failure(confined, "model load \"inside\"").name, "NotFound", "paths inside the folder are allowed")
        let allowed = makeInterpreter(paths: .confined(to: notebookFolder, extra: [outside]))
        XCTAssertEqual(failure(allowed, "model load \"../outside\"").name, "ModelError", "--allow-paths lets it through")
        XCTAssertEqual(failure(makeInterpreter(paths: .unrestricted(base: notebookFolder)), "model load \"../outside\"").name, "ModelError")
    }

    func testExampleNotebooksVerify() throws {
        let notebooks = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Notebooks")
        let files = (try? FileManager.default.contentsOfDirectory(atPath: notebooks.path))?.filter { $0.hasSuffix(".attune.md") }.sorted() ?? []
        var verified = 0
        for file in files {
            let document = try NotebookReader.read(contentsOf: notebooks.appendingPathComponent(file))
            guard document.frontMatter?.model?["name"]?.stringValue == "tiny" else { continue }
            let outcome = NotebookVerification.verify(document, folder: notebooks)
            XCTAssertTrue(outcome.report.passed, "\(file):\n\(outcome.report.rendered)")
            verified += 1
        }
        XCTAssertGreaterThanOrEqual(verified, 1, "no tiny-model notebook in Notebooks/")
    }

    func testScriptRunnerUsesTheScriptsLineNumbersAndStopsAtTheFirstError() {
        var printed: [(String, Bool)] = []
        let runner = ScriptRunner(interpreter: makeInterpreter()) { printed.append(($0, $1)) }
        let script = "# a script\nmodel new tiny\n  set lr=-1\nmodel info\n"
        XCTAssertFalse(runner.run(source: script, fileLabel: "s.attune"))
        let errors = printed.filter(\.1).map(\.0)
        XCTAssertEqual(errors, ["line 3, column 10: lr must be greater than 0 (got -1); the guide recommends 1e-4 … 3e-4 for LoRA\n      set lr=-1\n             ^^"])
        XCTAssertFalse(printed.contains { $0.0.contains("architecture") }, "stops at the first error")
    }

    func testScriptWithASyntaxErrorRunsNothing() {
        var printed: [String] = []
        let interpreter = makeInterpreter()
        let runner = ScriptRunner(interpreter: interpreter) { text, _ in printed.append(text) }
        XCTAssertFalse(runner.run(source: "model new tiny\ntrian steps=5\n", fileLabel: "s.attune"))
        XCTAssertNil(interpreter.session.model)
        XCTAssertTrue(printed.joined().contains("unknown command 'trian' — did you mean 'train'?"), printed.joined())
    }
}

final class PlotAssetTests: XCTestCase {
    /// A recorded `plot` keeps its terminal chart in the notebook and its series, PNG and SVG
    /// beside it; verification compares the series (a changed number in the series file fails).
    func testRecordedPlotWritesAssetsAndVerifiesBySeries() throws {
        let folder = temporaryFolder()
        let data = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Notebooks/data/support.jsonl")
        try FileManager.default.copyItem(at: data, to: folder.appendingPathComponent("support.jsonl"))
        let url = folder.appendingPathComponent("plots.attune.md")
        let recorder = try SessionRecorder(creating: url, seed: 42, title: "plots")
        let interpreter = Interpreter(session: Session(seed: 42, paths: .unrestricted(base: folder)))
        let sources = ["model new tiny", "data load \"support.jsonl\"", "method lora r=4\nset lr=3e-3 batch=2 seq=768",
                       "train steps=3", "plot loss"]
        for source in sources { XCTAssertTrue(recorder.record(source: source, run: interpreter.run(source: source)), recorder.failure ?? "") }
        let document = try NotebookReader.read(contentsOf: url)
        let output = try XCTUnwrap(document.cells[4].outputs.first)
        XCTAssertEqual(output.kind, .plot)
        let info = try XCTUnwrap(output.plot)
        XCTAssertEqual(info.id, "p5")
        let src = try XCTUnwrap(info.src), series = try XCTUnwrap(info.series)
        XCTAssertTrue(src.hasPrefix("plots.assets/p5-") && src.hasSuffix(".png"), src)
        XCTAssertEqual(info.image?.src, src)
        let png = try Data(contentsOf: folder.appendingPathComponent(src))
        XCTAssertEqual(Array(png.prefix(4)), [0x89, 0x50, 0x4E, 0x47])
        XCTAssertTrue(FileManager.default.fileExists(atPath: folder.appendingPathComponent(src.replacingOccurrences(of: ".png", with: ".svg")).path))
        let seriesURL = folder.appendingPathComponent(series)
        let chart = try Chart(jsonData: Data(contentsOf: seriesURL))
        XCTAssertEqual(chart.series.first?.points.count, 3)
        let text = try String(contentsOf: url, encoding: .utf8)
        XCTAssertTrue(text.contains("```output plot id=\"p5\" src=\"\(src)\" series=\"\(series)\""), text)
        XCTAssertTrue(text.contains("![loss](\(src))"), text)

        XCTAssertTrue(NotebookVerification.verify(document, folder: folder).report.passed)
        // A different number in the recorded series is caught; the image is never compared.
        var changed = chart
        changed.series[0].points[1].y = (changed.series[0].points[1].y ?? 0) + 0.5
        try changed.jsonData().write(to: seriesURL)
        let report = NotebookVerification.verify(document, folder: folder).report
        XCTAssertEqual(report.mismatchedCellNumbers, [5], report.rendered)
    }
}
