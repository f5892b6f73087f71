/// Turns a `NotebookDocument` back into `*.attune.md` text.
///
/// The output of `NotebookReader.read` written with `write` is the original text, byte for byte,
/// for any file whose fences are already as short as possible and whose attributes are in the
/// writer's order (`n id tags`, then unknown ones; `id src series` for plots) — which is every
/// file Attune itself writes.
public enum NotebookWriter {
    /// The whole notebook.
    public static func write(_ document: NotebookDocument) -> String {
        var out = ""
        if let matter = document.frontMatter { out += write(matter) }
        for block in document.blocks {
            switch block {
            case let .prose(text): out += text
            case let .cell(cell): out += write(cell)
            }
        }
        if !document.endsWithNewline, out.hasSuffix("\n") { out.removeLast() }
        return out
    }

    /// The front matter, `---` lines included.
    public static func write(_ matter: FrontMatter) -> String {
        var out = "---\n"
        for line in matter.lines {
            switch line {
            case let .entry(key, raw): out += "\(key): \(raw)\n"
            case let .verbatim(text): out += text + "\n"
            }
        }
        return out + "---\n"
    }

    /// One cell and its outputs, each line ending in "\n".
    public static func write(_ cell: Cell) -> String {
        var attributes = [FenceAttribute(name: "n", value: .number(Double(cell.n))),
                          FenceAttribute(name: "id", value: .string(cell.id))]
        if !cell.tags.isEmpty { attributes.append(FenceAttribute(name: "tags", value: .array(cell.tags.map(JSONValue.string)))) }
        attributes += cell.extraAttributes
        var out = block(info: "attune", attributes: attributes, body: cell.source)
        for output in cell.outputs { out += write(output) }
        return out
    }

    /// One output block (and, for a plot, its image line).
    public static func write(_ output: CellOutput) -> String {
        var attributes: [FenceAttribute] = []
        if let plot = output.plot {
            if let id = plot.id { attributes.append(FenceAttribute(name: "id", value: .string(id))) }
            if let src = plot.src { attributes.append(FenceAttribute(name: "src", value: .string(src))) }
            if let series = plot.series { attributes.append(FenceAttribute(name: "series", value: .string(series))) }
        }
        if output.kind == .error, let name = output.errorName {
            attributes.append(FenceAttribute(name: "name", value: .string(name)))
        }
        attributes += output.extraAttributes
        var out = block(info: "output \(output.kind.rawValue)", attributes: attributes, body: output.text)
        if output.kind == .plot, let image = output.plot?.image { out += image.markdownLine + "\n" }
        return out
    }

    /// A fenced block with a fence longer than any backtick run that starts a body line.
    static func block(info: String, attributes: [FenceAttribute], body: String) -> String {
        let fence = Fence.backticks(for: body)
        var opening = fence + info
        for attribute in attributes { opening += " " + attribute.text }
        var out = opening + "\n"
        if !body.isEmpty { out += body + "\n" }
        return out + fence + "\n"
    }
}
