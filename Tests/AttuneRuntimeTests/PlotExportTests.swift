import AttuneNotebook
@testable import AttuneRuntime
import Foundation
import Plotting
import XCTest

/// A recorded session with a loss chart stored as notebook assets (the PNG and its series JSON
/// beside the notebook, as DESIGN §4 lays out) exports to HTML with the image embedded and to
/// `.ipynb` with an `image/png` output.
///
/// Set `ATTUNE_NB_EXPORT_DIR=DIR` to keep the notebook, its assets and both exports in `DIR`:
/// that is what a person opens in a browser (and what `Scripts/check-notebook-exports DIR/*.md`
/// validates with nbformat).
final class PlotExportTests: XCTestCase {
    func testExportsEmbedARecordedPlot() throws {
        let folder = ProcessInfo.processInfo.environment["ATTUNE_NB_EXPORT_DIR"].map { URL(fileURLWithPath: $0) } ?? temporaryFolder()
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let notebook = folder.appendingPathComponent("plots.attune.md")
        try? FileManager.default.removeItem(at: notebook)
        let examples = (0..<24).map { i in
            #"{"messages": [{"role": "user", "content": "ping \#(i)"}, {"role": "assistant", "content": "pong \#(i)"}]}"#
        }
        try (examples.joined(separator: "\n") + "\n").write(to: folder.appendingPathComponent("pings.jsonl"), atomically: true, encoding: .utf8)

        let recorder = try SessionRecorder(creating: notebook, seed: 42, title: "Two learning rates on the tiny model")
        let interpreter = Interpreter(session: Session(seed: 42, paths: .unrestricted(base: folder)))
        recorder.observe(interpreter.session)
        try recorder.recorder.recordProse("\nTwo short LoRA runs on the tiny model, one learning rate each, then their loss curves.\n")
        let sources = ["model new tiny", "data load \"pings.jsonl\"", "set batch=2 seq=64 schedule=constant warmup=0",
                       "method lora r=4 targets=[q_proj, v_proj]\nset lr=1e-3\ntrain steps=8",
                       "method lora r=4 targets=[q_proj, v_proj]\nset lr=3e-2\ntrain steps=8"]
        for source in sources {
            let run = interpreter.run(source: source)
            XCTAssertFalse(run.failed, "\(source): \(String(describing: run.firstError))")
            recorder.record(source: source, run: run)
        }
        // The plot cell as the recorder stores it: terminal chart, then the PNG and series files.
        let history = interpreter.session.metrics
        let series = history.runNames.map { run in
            Series(name: run, points: history.series("loss", of: run).map { (x: Double($0.step), y: Optional($0.value)) })
        }
        let chart = Chart(title: "loss", xLabel: "step", series: series)
        let png = ChartRenderer.png(chart)
        let src = try recorder.recorder.storeAsset(png, stem: "p1", fileExtension: "png")
        let json = try recorder.recorder.storeAsset(try chart.jsonData(), stem: "p1", fileExtension: "json")
        var cell = recorder.recorder.makeCell(source: "plot loss")
        cell.outputs = [.plot(PlotInfo(id: "p1", src: src, series: json, image: ImageLink(alt: "training loss by learning rate", src: src)),
                              text: ChartRenderer.terminal(chart, width: 80, height: 16))]
        try recorder.recorder.record(cell)

        let document = try NotebookReader.read(contentsOf: notebook)
        XCTAssertEqual(document.cells.count, sources.count + 1)
        let assets = AssetSource.folder(folder)
        let html = HTMLExporter(assets: assets).export(document)
        XCTAssertTrue(html.contains("<img alt=\"training loss by learning rate\" src=\"data:image/png;base64,\(png.base64EncodedString())\">"))
        XCTAssertTrue(html.contains("<table>"), "the training metrics show as a table")
        let ipynb = IpynbExporter(assets: assets).export(document)
        let plotOutput = ipynb["cells"]?.arrayValue?.last?["outputs"]?.arrayValue?.first
        XCTAssertEqual(plotOutput?["data"]?["image/png"]?.stringValue, png.base64EncodedString())
        try Data(html.utf8).write(to: folder.appendingPathComponent("plots.html"))
        try Data(IpynbExporter(assets: assets).exportText(document).utf8).write(to: folder.appendingPathComponent("plots.ipynb"))
    }
}
