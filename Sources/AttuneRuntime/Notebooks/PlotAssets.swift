import AttuneNotebook
import Foundation
import Plotting

/// Writes the files of a notebook's plots beside it (DESIGN §4): for each `output plot` that holds
/// its series in memory, `<name>.assets/p<cell>-<hash>.json` (the series: what verification
/// compares), `.png` (linked from the notebook with an image line, shown by GitHub and the HTML
/// and Jupyter exports) and `.svg`. The hash is the series JSON's, so the same chart always gets
/// the same names and a re-recording with unchanged numbers changes no file.
public enum PlotAssets {
    /// Stores the plots of one cell's outputs and fills in their `id`, `src`, `series` and image
    /// line. Plots already stored (no series in memory) are left as they are.
    public static func store(_ outputs: inout [CellOutput], cellNumber: Int, notebook: URL) throws {
        var count = 0
        for index in outputs.indices where outputs[index].kind == .plot {
            guard var info = outputs[index].plot, let json = info.seriesData else { continue }
            count += 1
            let id = count == 1 ? "p\(cellNumber)" : "p\(cellNumber)-\(count)"
            let chart = try Chart(jsonData: json)
            let stem = "\(id)-\(ContentHash.sha256Hex(json).prefix(8))"
            info.series = try NotebookRecorder.storeAsset(json, named: stem + ".json", besideNotebook: notebook)
            let png = try NotebookRecorder.storeAsset(ChartRenderer.png(chart), named: stem + ".png", besideNotebook: notebook)
            _ = try NotebookRecorder.storeAsset(Data(ChartRenderer.svg(chart).utf8), named: stem + ".svg", besideNotebook: notebook)
            info.id = id
            info.src = png
            info.image = ImageLink(alt: chart.title.isEmpty ? "chart" : chart.title, src: png)
            outputs[index].plot = info
        }
    }

    /// Stores the plots of every cell of `document`, to be written at `notebook`.
    public static func store(in document: inout NotebookDocument, notebook: URL) throws {
        try document.updateCells { cell in
            try store(&cell.outputs, cellNumber: cell.n, notebook: notebook)
        }
    }
}
