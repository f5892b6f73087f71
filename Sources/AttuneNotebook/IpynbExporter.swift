import Foundation

/// Exports a notebook to Jupyter's nbformat 4.5 (`.ipynb`).
///
/// Prose becomes markdown cells, command cells become code cells with `execution_count` = `n`
/// and the Attune id as cell id. Outputs map to `execute_result` (result), `stream` named stdout
/// (stream), `display_data` with `text/plain` and `application/json` records (metrics),
/// `display_data` with `image/png` (read from the assets folder) plus `text/plain` (plot), and
/// `error` (ename, evalue, traceback). The front matter goes to `metadata.attune`.
public struct IpynbExporter: Sendable {
    /// Where plot images are read from (relative to the notebook).
    public var assets: AssetSource

    public init(assets: AssetSource = .none) {
        self.assets = assets
    }

    /// The notebook as pretty-printed JSON text (one-space indent, as Jupyter writes it).
    public func exportText(_ document: NotebookDocument) -> String {
        export(document).prettyText(indent: 1) + "\n"
    }

    /// The notebook as a JSON value.
    public func export(_ document: NotebookDocument) -> JSONValue {
        var cells: [JSONValue] = []
        var usedIDs = Set<String>()
        var markdownCount = 0
        for block in document.blocks {
            switch block {
            case let .prose(text):
                let trimmed = Self.trimBlankLines(text)
                guard !trimmed.isEmpty else { continue }
                markdownCount += 1
                let id = Self.uniqueID("md-\(markdownCount)", &usedIDs)
                cells.append(.object([
                    ("cell_type", .string("markdown")),
                    ("id", .string(id)),
                    ("metadata", .object([])),
                    ("source", Self.multiline(trimmed)),
                ]))
            case let .cell(cell):
                let id = Self.uniqueID(cell.id, &usedIDs)
                var metadata: [(key: String, value: JSONValue)] = []
                if !cell.tags.isEmpty { metadata.append(("tags", .array(cell.tags.map(JSONValue.string)))) }
                metadata.append(("attune", .object([("n", .number(Double(cell.n))), ("id", .string(cell.id))])))
                cells.append(.object([
                    ("cell_type", .string("code")),
                    ("execution_count", .number(Double(cell.n))),
                    ("id", .string(id)),
                    ("metadata", .object(metadata)),
                    ("outputs", .array(cell.outputs.map { output(for: $0, n: cell.n) })),
                    ("source", Self.multiline(cell.source)),
                ]))
            }
        }
        var metadata: [(key: String, value: JSONValue)] = [
            ("kernelspec", .object([("display_name", .string("Attune")), ("language", .string("attune")), ("name", .string("attune"))])),
            ("language_info", .object([("file_extension", .string(".attune")), ("name", .string("attune"))])),
        ]
        if let matter = document.frontMatter {
            if let title = matter.title { metadata.append(("title", .string(title))) }
            let entries: [(key: String, value: JSONValue)] = matter.keys.compactMap { key in matter[key].map { (key, $0) } }
            metadata.append(("attune", .object(entries)))
        }
        return .object([
            ("cells", .array(cells)),
            ("metadata", .object(metadata)),
            ("nbformat", .number(4)),
            ("nbformat_minor", .number(5)),
        ])
    }

    /// One Jupyter output for one Attune output.
    func output(for output: CellOutput, n: Int) -> JSONValue {
        switch output.kind {
        case .result:
            return .object([
                ("data", .object([("text/plain", Self.multiline(output.text))])),
                ("execution_count", .number(Double(n))),
                ("metadata", .object([])),
                ("output_type", .string("execute_result")),
            ])
        case .stream:
            return .object([
                ("name", .string("stdout")),
                ("output_type", .string("stream")),
                ("text", Self.multiline(output.text + "\n")),
            ])
        case .metrics:
            let records = output.metricsRecords().compactMap { try? $0.get() }
            return .object([
                ("data", .object([("application/json", .object([("records", .array(records))])),
                                  ("text/plain", Self.multiline(output.text))])),
                ("metadata", .object([])),
                ("output_type", .string("display_data")),
            ])
        case .plot:
            var data: [(key: String, value: JSONValue)] = []
            if let src = output.plot?.src ?? output.plot?.image?.src, let png = assets.load(src) {
                data.append(("image/png", .string(png.base64EncodedString())))
            }
            data.append(("text/plain", Self.multiline(output.text)))
            var metadata: [(key: String, value: JSONValue)] = []
            if let alt = output.plot?.image?.alt { metadata.append(("attune", .object([("alt", .string(alt))]))) }
            return .object([
                ("data", .object(data)),
                ("metadata", .object(metadata)),
                ("output_type", .string("display_data")),
            ])
        case .error:
            return .object([
                ("ename", .string(output.errorName ?? "Error")),
                ("evalue", .string(output.text)),
                ("output_type", .string("error")),
                ("traceback", .array(TextLines.split(output.text).map(JSONValue.string))),
            ])
        }
    }

    /// Jupyter's multi-line string: a list of lines, each but the last ending in "\n".
    static func multiline(_ text: String) -> JSONValue {
        var lines = text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
            .map { String(decoding: $0, as: UTF8.self) }
        if lines.last == "" { lines.removeLast() }
        let endsWithNewline = text.hasSuffix("\n")
        return .array(lines.enumerated().map { index, line in
            .string(index < lines.count - 1 || endsWithNewline ? line + "\n" : line)
        })
    }

    /// Prose without leading and trailing blank lines.
    static func trimBlankLines(_ text: String) -> String {
        var lines = TextLines.split(text)
        while let first = lines.first, first.trimmingSpaces().isEmpty { lines.removeFirst() }
        while let last = lines.last, last.trimmingSpaces().isEmpty { lines.removeLast() }
        return lines.joined(separator: "\n")
    }

    /// A valid nbformat id (`[A-Za-z0-9-_]{1,64}`) not yet used.
    static func uniqueID(_ wanted: String, _ used: inout Set<String>) -> String {
        var base = String(wanted.unicodeScalars.map { scalar -> Character in
            scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || scalar == "-" || scalar == "_")
                ? Character(scalar) : "-"
        }.prefix(60))
        if base.isEmpty { base = "cell" }
        var candidate = base
        var counter = 2
        while used.contains(candidate) {
            candidate = "\(base)-\(counter)"
            counter += 1
        }
        used.insert(candidate)
        return candidate
    }
}
