import Essentials
import Foundation

/// Exports a notebook to one standalone HTML page: inline CSS, every text escaped, plot images
/// embedded as `data:` URLs, metrics as a small table. Prose gets a deliberately small Markdown
/// rendering (headings, paragraphs, lists, code blocks, inline code); anything else shows as text.
public struct HTMLExporter: Sendable {
    /// Where plot images are read from (relative to the notebook).
    public var assets: AssetSource
    /// Metrics rows shown per output before the table is cut (with a note).
    public var maxMetricsRows = 200

    public init(assets: AssetSource = .none) {
        self.assets = assets
    }

    /// The page.
    public func export(_ document: NotebookDocument) -> String {
        let title = document.frontMatter?.title ?? "Attune notebook"
        // The title becomes the page's heading only when the prose does not open with its own.
        let heading = Self.opensWithHeading(document) ? "" : "<h1>\(Self.escape(title))</h1>"
        var body = "<header>\(heading)\(meta(document.frontMatter))</header>\n"
        for block in document.blocks {
            switch block {
            case let .prose(text): body += MarkdownLite.render(text)
            case let .cell(cell): body += render(cell)
            }
        }
        return """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="generator" content="Attune">
        <title>\(Self.escape(title))</title>
        <style>\(Self.css)</style>
        </head>
        <body>
        <main>
        \(body)</main>
        </body>
        </html>

        """
    }

    /// Whether the first block is prose whose first line is a level-1 Markdown heading.
    static func opensWithHeading(_ document: NotebookDocument) -> Bool {
        guard case let .prose(text)? = document.blocks.first else { return false }
        let first = text.split(separator: "\n", omittingEmptySubsequences: true).first ?? ""
        return first.hasPrefix("# ")
    }

    private func meta(_ matter: FrontMatter?) -> String {
        guard let matter else { return "" }
        var parts: [String] = []
        if let created = matter.created { parts.append("created \(created)") }
        if let engine = matter.engine { parts.append("\(engine.name) \(engine.version)") }
        if let seed = matter.seed { parts.append("seed \(seed)") }
        if let model = matter.model?["name"]?.stringValue { parts.append("model \(model)") }
        guard !parts.isEmpty else { return "" }
        return "<p class=\"meta\">\(Self.escape(parts.joined(separator: " · ")))</p>"
    }

    func render(_ cell: Cell) -> String {
        var out = "<section class=\"cell\" id=\"cell-\(Self.escape(cell.id))\">\n"
        let tags = cell.tags.isEmpty ? "" : " <span class=\"tags\">\(Self.escape(cell.tags.joined(separator: " ")))</span>"
        out += "<div class=\"source\"><span class=\"prompt\">[\(cell.n)]</span>\(tags)<pre><code>\(Self.escape(cell.source))</code></pre></div>\n"
        for output in cell.outputs { out += render(output) }
        return out + "</section>\n"
    }

    func render(_ output: CellOutput) -> String {
        switch output.kind {
        case .result, .stream:
            return "<div class=\"output \(output.kind.rawValue)\"><pre>\(Self.escape(output.text))</pre></div>\n"
        case .error:
            let name = Self.escape(output.errorName ?? "Error")
            return "<div class=\"output error\"><pre><strong>\(name)</strong>: \(Self.escape(output.text))</pre></div>\n"
        case .metrics:
            return "<div class=\"output metrics\">\(metricsTable(output))</div>\n"
        case .plot:
            var figure = "<figure class=\"output plot\">"
            let chart = "<pre class=\"chart\">\(Self.escape(output.text))</pre>"
            var caption = ""
            if let alt = output.plot?.image?.alt { caption = "<figcaption>\(Self.escape(alt))</figcaption>" }
            if let src = output.plot?.src ?? output.plot?.image?.src, let png = assets.load(src) {
                let alt = output.plot?.image?.alt ?? "plot"
                figure += "<img alt=\"\(Self.escape(alt))\" src=\"data:image/png;base64,\(png.base64EncodedString())\">"
                // The image says it all; the terminal chart stays one click away.
                figure += caption + "<details><summary>as text</summary>\(chart)</details>"
            } else {
                figure += chart + caption
            }
            return figure + "</figure>\n"
        }
    }

    /// A table with one column per field (first-seen order) and one row per record.
    func metricsTable(_ output: CellOutput) -> String {
        let records = output.metricsRecords().compactMap { try? $0.get() }
        var columns: [String] = []
        for record in records {
            for (key, _) in record.objectValue ?? [] where !columns.contains(key) { columns.append(key) }
        }
        var html = "<table><thead><tr>" + columns.map { "<th>\(Self.escape($0))</th>" }.joined() + "</tr></thead><tbody>"
        for record in records.prefix(maxMetricsRows) {
            html += "<tr>"
            for column in columns {
                let value = record[column]
                let text: String
                switch value {
                case nil: text = ""
                case .null?: text = "—"
                case let .string(s)?: text = s
                case let .number(d, _)?: text = Self.displayNumber(d)
                case let other?: text = other.compactText
                }
                let numeric = value?.doubleValue != nil
                html += numeric ? "<td class=\"num\">\(Self.escape(text))</td>" : "<td>\(Self.escape(text))</td>"
            }
            html += "</tr>"
        }
        html += "</tbody></table>"
        if records.count > maxMetricsRows {
            html += "<p class=\"note\">\(records.count - maxMetricsRows) more rows in the notebook file</p>"
        }
        return html
    }

    /// A number as a table shows it: whole numbers as they are, others to 6 significant digits
    /// (`5.570394039154053` → `5.57039`, `12416.500693602879` → `12416.5`); the notebook file
    /// keeps every digit.
    static func displayNumber(_ d: Double) -> String {
        guard d.isFinite else { return JSONValue.numberText(d) }
        if d.rounded() == d, abs(d) < 1e15 { return JSONValue.numberText(d) }
        return String(format: "%.6g", d)
    }

    /// Escapes `& < > " '` for text and attribute values (`MarkupEscaping`, shared with the plots).
    public static func escape(_ text: String) -> String { MarkupEscaping.escape(text) }

    static let css = """
    body{margin:0;background:#fafafa;color:#1f2328;font:15px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif}
    main{max-width:60rem;margin:0 auto;padding:1.5rem}
    h1,h2,h3{line-height:1.25}.meta{color:#656d76;font-size:.9em}
    pre{margin:0;padding:.5rem .75rem;overflow-x:auto;font:13px/1.4 ui-monospace,"DejaVu Sans Mono",Menlo,monospace;white-space:pre}
    code{font-family:ui-monospace,"DejaVu Sans Mono",Menlo,monospace;background:#eff1f3;padding:0 .2em;border-radius:3px}
    pre code{background:none;padding:0}
    .cell{margin:1rem 0;border:1px solid #d0d7de;border-radius:6px;background:#fff;overflow:hidden}
    .source{position:relative;background:#f6f8fa;border-bottom:1px solid #d0d7de}
    .prompt{position:absolute;right:.5rem;top:.3rem;color:#8c959f;font-size:.8em}
    .tags{position:absolute;right:2.5rem;top:.3rem;color:#8250df;font-size:.8em}
    .output{border-top:1px solid #eaeef2}.output:first-of-type{border-top:none}
    .output pre{white-space:pre-wrap;overflow-wrap:anywhere}
    .stream pre{color:#57606a}.error pre{background:#fff1f0;color:#a40e26}
    .metrics{overflow-x:auto}table{border-collapse:collapse;margin:.5rem .75rem;font-size:.85em}
    th,td{border:1px solid #d0d7de;padding:.15rem .5rem;text-align:left}td.num{text-align:right;font-variant-numeric:tabular-nums}
    figure{margin:0;padding:.5rem .75rem}figure img{max-width:100%;display:block}figcaption{color:#656d76;font-size:.85em}
    .output pre.chart{white-space:pre;overflow-wrap:normal;padding:.5rem 0;line-height:1.1}
    details summary{color:#656d76;font-size:.85em;cursor:pointer}.note{color:#656d76;font-size:.85em;margin:.25rem .75rem}
    """
}
