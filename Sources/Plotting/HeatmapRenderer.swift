import Essentials
import Foundation

/// Draws a ``CountTable`` (a confusion matrix) as a grid of shaded cells with their counts: in
/// the terminal with block shades, as SVG and as PNG with one layout. Row headings on the left,
/// column headings above, the title on top; a cell's colour runs from white (0) to the first
/// palette colour (the largest count), and its number is written in white on dark cells.
public enum HeatmapRenderer {
    /// Heading characters kept before `…`.
    static let headingLimit = 14

    /// The layout in pixels for a character `charWidth` wide and `lineHeight` high.
    struct Layout {
        var left: Int, top: Int, cellWidth: Int, cellHeight: Int, width: Int, height: Int

        init(_ table: CountTable, title: String, charWidth: Int, lineHeight: Int) {
            let rowChars = max(table.rows.map { clip($0).count }.max() ?? 0, table.rowLabel.count)
            let columnChars = max(table.columns.map { clip($0).count }.max() ?? 0, String(table.largest).count, 4)
            left = (rowChars + 2) * charWidth
            top = lineHeight * 4
            cellWidth = (columnChars + 2) * charWidth
            cellHeight = lineHeight * 2
            width = max(left + cellWidth * max(1, table.columns.count) + charWidth * 2, (title.count + 2) * charWidth)
            height = top + cellHeight * max(1, table.rows.count) + lineHeight
        }
    }

    static func clip(_ text: String) -> String {
        text.count > headingLimit ? String(text.prefix(headingLimit - 1)) + "…" : text
    }

    /// The colour of a cell with `shade` in 0…1.
    static func color(_ shade: Double) -> RGBColor {
        let target = Palette.color(0)
        func mix(_ a: UInt8) -> UInt8 { UInt8((255 - (255 - Double(a)) * shade).rounded()) }
        return RGBColor(mix(target.r), mix(target.g), mix(target.b))
    }

    /// Text on a cell: white on dark cells, ink on light ones.
    static func textColor(_ shade: Double) -> RGBColor { shade > 0.55 ? .white : .ink }

    /// Block shades with the count, one line per row.
    public static func terminal(_ table: CountTable, title: String) -> String {
        let shades: [Character] = [" ", "░", "▒", "▓", "█"]
        let rowWidth = max(table.rows.map(\.count).max() ?? 0, table.rowLabel.count)
        let columnWidth = max(table.columns.map(\.count).max() ?? 0, String(table.largest).count + 3)
        func pad(_ s: String, _ n: Int, right: Bool = false) -> String {
            let fill = String(repeating: " ", count: max(0, n - s.count))
            return right ? fill + s : s + fill
        }
        var lines = title.isEmpty ? [] : [title]
        lines.append(pad(table.rowLabel, rowWidth) + "  " + table.columns.map { pad($0, columnWidth, right: true) }.joined(separator: " "))
        for (r, row) in table.rows.enumerated() {
            let cells = table.columns.indices.map { c -> String in
                let shade = shades[Int((table.shade(r, c) * 4).rounded())]
                return pad(String(repeating: shade, count: 2) + " " + String(table.counts[r][c]), columnWidth, right: true)
            }
            lines.append(pad(row, rowWidth) + "  " + cells.joined(separator: " "))
        }
        return lines.joined(separator: "\n")
    }

    /// A standalone SVG document.
    public static func svg(_ table: CountTable, title: String) -> String {
        let font = 12.0
        let layout = Layout(table, title: title, charWidth: 8, lineHeight: 16)
        var svg = ["<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(layout.width)\" height=\"\(layout.height)\" "
                   + "viewBox=\"0 0 \(layout.width) \(layout.height)\" font-family=\"DejaVu Sans Mono, Menlo, Consolas, monospace\" "
                   + "font-size=\"\(Int(font))\">",
                   "<title>\(MarkupEscaping.escape(title.isEmpty ? "counts" : title))</title>",
                   "<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>"]
        if !title.isEmpty {
            svg.append("<text x=\"\(layout.width / 2)\" y=\"16\" text-anchor=\"middle\" font-weight=\"bold\">\(MarkupEscaping.escape(title))</text>")
        }
        if !table.columnLabel.isEmpty {
            svg.append("<text x=\"\(layout.left + layout.cellWidth * table.columns.count / 2)\" y=\"\(layout.top - 26)\" "
                       + "text-anchor=\"middle\" fill=\"\(RGBColor.muted.hex)\">\(MarkupEscaping.escape(table.columnLabel))</text>")
        }
        if !table.rowLabel.isEmpty {
            svg.append("<text x=\"4\" y=\"\(layout.top - 8)\" fill=\"\(RGBColor.muted.hex)\">\(MarkupEscaping.escape(table.rowLabel))</text>")
        }
        for (c, column) in table.columns.enumerated() {
            svg.append("<text x=\"\(layout.left + c * layout.cellWidth + layout.cellWidth / 2)\" y=\"\(layout.top - 8)\" "
                       + "text-anchor=\"middle\">\(MarkupEscaping.escape(clip(column)))</text>")
        }
        for (r, row) in table.rows.enumerated() {
            let y = layout.top + r * layout.cellHeight
            svg.append("<text x=\"\(layout.left - 8)\" y=\"\(y + layout.cellHeight / 2 + 4)\" text-anchor=\"end\">\(MarkupEscaping.escape(clip(row)))</text>")
            for c in table.columns.indices {
                let x = layout.left + c * layout.cellWidth
                let shade = table.shade(r, c)
                svg.append("<rect x=\"\(x)\" y=\"\(y)\" width=\"\(layout.cellWidth)\" height=\"\(layout.cellHeight)\" "
                           + "fill=\"\(color(shade).hex)\" stroke=\"\(RGBColor.grid.hex)\"/>")
                svg.append("<text x=\"\(x + layout.cellWidth / 2)\" y=\"\(y + layout.cellHeight / 2 + 4)\" text-anchor=\"middle\" "
                           + "fill=\"\(textColor(shade).hex)\">\(table.counts[r][c])</text>")
            }
        }
        svg.append("</svg>")
        return svg.joined(separator: "\n") + "\n"
    }

    /// The table as pixels, the built-in font doubled.
    public static func rasterize(_ table: CountTable, title: String) -> RasterCanvas {
        let s = 2
        let charWidth = BitmapFont.advance * s, lineHeight = BitmapFont.lineHeight * s
        let layout = Layout(table, title: title, charWidth: charWidth, lineHeight: lineHeight)
        var canvas = RasterCanvas(width: layout.width, height: layout.height)
        let glyph = BitmapFont.glyphHeight * s
        if !title.isEmpty {
            let width = RasterCanvas.textWidth(title, scale: s)
            canvas.drawText(title, x: max(2, (layout.width - width) / 2), y: lineHeight / 3, color: .ink, scale: s, bold: true)
        }
        if !table.rowLabel.isEmpty {
            canvas.drawText(table.rowLabel, x: 4, y: layout.top - lineHeight, color: .muted, scale: s)
        }
        if !table.columnLabel.isEmpty {
            let centre = layout.left + layout.cellWidth * table.columns.count / 2
            canvas.drawText(table.columnLabel, x: centre - RasterCanvas.textWidth(table.columnLabel, scale: s) / 2,
                            y: layout.top - 2 * lineHeight, color: .muted, scale: s)
        }
        for (c, column) in table.columns.enumerated() {
            let text = clip(column)
            let centre = layout.left + c * layout.cellWidth + layout.cellWidth / 2
            canvas.drawText(text, x: centre - RasterCanvas.textWidth(text, scale: s) / 2, y: layout.top - lineHeight, color: .ink, scale: s)
        }
        for (r, row) in table.rows.enumerated() {
            let y = layout.top + r * layout.cellHeight
            let text = clip(row)
            canvas.drawText(text, x: layout.left - charWidth - RasterCanvas.textWidth(text, scale: s),
                            y: y + (layout.cellHeight - glyph) / 2, color: .ink, scale: s)
            for c in table.columns.indices {
                let x = layout.left + c * layout.cellWidth
                let shade = table.shade(r, c)
                canvas.fill(x: x, y: y, width: layout.cellWidth, height: layout.cellHeight, color: color(shade))
                canvas.horizontalLine(x0: x, x1: x + layout.cellWidth, y: y, color: .grid)
                canvas.verticalLine(x: x, y0: y, y1: y + layout.cellHeight, color: .grid)
                let count = String(table.counts[r][c])
                canvas.drawText(count, x: x + (layout.cellWidth - RasterCanvas.textWidth(count, scale: s)) / 2,
                                y: y + (layout.cellHeight - glyph) / 2, color: textColor(shade), scale: s)
            }
        }
        return canvas
    }

    /// The table as a PNG file.
    public static func png(_ table: CountTable, title: String) -> Data {
        let canvas = rasterize(table, title: title)
        do {
            return try PNGEncoder.encode(width: canvas.width, height: canvas.height, pixels: canvas.pixels)
        } catch {
            preconditionFailure("PNG encoding of a \(canvas.width) × \(canvas.height) canvas failed: \(error)")
        }
    }
}
