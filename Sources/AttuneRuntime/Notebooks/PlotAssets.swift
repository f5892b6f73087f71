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

    /// The files `document`'s plots name, relative to the notebook's folder: each plot's series JSON
    /// and PNG, and the SVG `store` writes beside them.
    public static func files(of document: NotebookDocument) -> Set<String> {
        var files = Set<String>()
        for cell in document.cells {
            for output in cell.outputs {
                guard let info = output.plot else { continue }
                if let series = info.series {
                    files.insert(series)
                    if series.hasSuffix(".json") { files.insert(String(series.dropLast(5)) + ".svg") }
                }
                if let src = info.src { files.insert(src) }
            }
        }
        return files
    }

    /// After `verify --fix` re-recorded charts: deletes the plot files `previous` named and
    /// `current` no longer names (a changed chart's old series, PNG and SVG), and returns their
    /// paths. Only files of the names `store` gives (`p<cell>[-<k>]-<hash>.json|png|svg`) directly
    /// inside the notebook's own assets folder are touched; anything else there stays.
    @discardableResult
    public static func removeReplaced(previous: NotebookDocument, current: NotebookDocument, notebook: URL) -> [String] {
        let folderName = NotebookRecorder.assetsFolderName(for: notebook)
        let stale = files(of: previous).subtracting(files(of: current)).filter { path in
            let parts = path.split(separator: "/", omittingEmptySubsequences: false)
            return parts.count == 2 && parts[0] == folderName && isStoredPlotFile(String(parts[1]))
        }
        let folder = notebook.deletingLastPathComponent()
        var removed: [String] = []
        for path in stale.sorted() {
            let url = folder.appendingPathComponent(path)
            guard FileManager.default.fileExists(atPath: url.path) else { continue }
            if (try? FileManager.default.removeItem(at: url)) != nil { removed.append(path) }
        }
        return removed
    }

    /// `p<cell>-<8 hex>.<ext>` or `p<cell>-<k>-<8 hex>.<ext>`, ext json, png or svg.
    static func isStoredPlotFile(_ name: String) -> Bool {
        guard let dot = name.lastIndex(of: "."), ["json", "png", "svg"].contains(name[name.index(after: dot)...]) else { return false }
        let parts = name[..<dot].split(separator: "-", omittingEmptySubsequences: false)
        guard (2...3).contains(parts.count), parts[0].first == "p", parts[0].count > 1,
              parts[0].dropFirst().allSatisfy(\.isASCII), parts[0].dropFirst().allSatisfy(\.isNumber),
              parts.count == 2 || (!parts[1].isEmpty && parts[1].allSatisfy { $0.isASCII && $0.isNumber }) else { return false }
        let hash = parts[parts.count - 1]
        return hash.count == 8 && hash.allSatisfy { $0.isHexDigit && !$0.isUppercase }
    }

    /// Stores the plots of every cell of `document`, to be written at `notebook`.
    public static func store(in document: inout NotebookDocument, notebook: URL) throws {
        try document.updateCells { cell in
            try store(&cell.outputs, cellNumber: cell.n, notebook: notebook)
        }
    }
}
