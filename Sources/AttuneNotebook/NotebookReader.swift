import Foundation

/// Reads `*.attune.md` text into a `NotebookDocument`.
///
/// Grammar (line based):
///
///     notebook    = [ front-matter ] { prose-line | other-fence | cell }
///     front-matter= "---" { key ": " JSON | blank | "#" comment } "---"
///     cell        = "```attune" attrs  { source-line }  fence-close  { output }
///     output      = "```output" kind attrs  { body-line }  fence-close  [ image-line ]   (image only for plot)
///     other-fence = any other fenced block in prose: kept verbatim, never parsed as a cell
///
/// Outputs must follow their cell (or the previous output) directly. Problems are reported as a
/// `NotebookReadError` with a line number; no input makes the reader crash.
public enum NotebookReader {
    /// Reads a notebook, throwing on the first problem.
    public static func read(_ text: String) throws(NotebookReadError) -> NotebookDocument {
        let (lines, endsWithNewline) = TextLines.splitFile(text)
        var parser = Parser(lines: lines)
        var document = try parser.parse()
        document.endsWithNewline = endsWithNewline
        return document
    }

    /// Reads the notebook at `url` (invalid UTF-8 is replaced, never fatal).
    public static func read(contentsOf url: URL) throws -> NotebookDocument {
        let data = try Data(contentsOf: url)
        return try read(String(decoding: data, as: UTF8.self))
    }

    /// What `readRecovering` could keep.
    public struct Recovered: Sendable {
        /// Every complete cell and the prose around them.
        public var document: NotebookDocument
        /// Why content at the end was dropped; nil when the file was complete.
        public var droppedTail: NotebookReadError?
        /// Line count (0-based index) where the kept part ends.
        public var keptLineCount: Int
        /// Whether the last cell is followed by an empty line. The recorder writes one after every
        /// finished cell, so `false` means the file may have been cut exactly between two outputs
        /// of its last cell (or was written by hand). True when there are no cells.
        public var lastCellConfirmed: Bool {
            guard let lastCell = document.blocks.lastIndex(where: { if case .cell = $0 { return true } else { return false } })
            else { return true }
            guard lastCell + 1 < document.blocks.count, case let .prose(after) = document.blocks[lastCell + 1] else { return false }
            return after.hasPrefix("\n")
        }
    }

    /// Reads a notebook that may have been cut short (a session killed mid-write): a problem in
    /// the last cell drops that cell and is reported in `droppedTail`, as is an unterminated last
    /// line; every earlier cell is kept. Problems before the last cell still throw. A cut that
    /// falls exactly between two outputs leaves a well-formed cell: `lastCellConfirmed` is then
    /// false.
    public static func readRecovering(_ text: String) throws(NotebookReadError) -> Recovered {
        var (lines, endsWithNewline) = TextLines.splitFile(text)
        var note: NotebookReadError?
        if !endsWithNewline, !lines.isEmpty {
            note = NotebookReadError(line: lines.count, message: "last line is unterminated (file cut short); dropped")
            lines.removeLast()
        }
        do {
            var parser = Parser(lines: lines)
            let document = try parser.parse()
            var recovered = Recovered(document: document, droppedTail: note, keptLineCount: lines.count)
            if let note, !recovered.lastCellConfirmed,
               let last = document.blocks.lastIndex(where: { if case .cell = $0 { return true } else { return false } }) {
                // The file was certainly cut, and the last cell never got its closing empty line.
                recovered.document.blocks.removeSubrange(last...)
                recovered.keptLineCount = TextLines.split(NotebookWriter.write(recovered.document)).count
                recovered.droppedTail = NotebookReadError(line: note.line, message: "unfinished last cell dropped: " + note.message)
            }
            return recovered
        } catch {
            guard let start = error.cellStart else { throw error }
            // Only the last cell of the file may be unfinished.
            let laterCell = lines[(start + 1)...].contains { line in
                guard let fence = Fence.opening(line), fence.indent == 0, fence.character == 0x60 else { return false }
                return fence.info.hasPrefix("attune")
            }
            if laterCell && !error.unclosed { throw error }
            var parser = Parser(lines: Array(lines[..<start]))
            let document = try parser.parse()
            var dropped = error
            dropped.message = "unfinished last cell dropped: " + error.message
            return Recovered(document: document, droppedTail: dropped, keptLineCount: start)
        }
    }
}

/// The line-by-line parser behind `NotebookReader`.
private struct Parser {
    let lines: [String]
    var index = 0
    var seenNumbers: [Int] = []
    var seenIDs: Set<String> = []

    init(lines: [String]) {
        self.lines = lines
    }

    mutating func parse() throws(NotebookReadError) -> NotebookDocument {
        var document = NotebookDocument()
        if lines.first == "---" {
            document.frontMatter = try parseFrontMatter()
        }
        var prose = ""
        func flush(_ prose: inout String, into document: inout NotebookDocument) {
            if !prose.isEmpty { document.blocks.append(.prose(prose)) }
            prose = ""
        }
        while index < lines.count {
            let line = lines[index]
            guard let fence = Fence.opening(line) else {
                prose += line + "\n"
                index += 1
                continue
            }
            let word = fence.info.prefix { $0 != " " && $0 != "\t" }
            if fence.indent == 0, fence.character == 0x60, word == "attune" {
                flush(&prose, into: &document)
                document.blocks.append(.cell(try parseCell(fence)))
            } else if fence.indent == 0, fence.character == 0x60, word == "output" {
                throw NotebookReadError(line: index + 1, message: "output block does not follow a cell (outputs must come right after their cell's closing fence)")
            } else {
                // A code block in prose: copy it through its closing fence (or to the end).
                prose += line + "\n"
                index += 1
                while index < lines.count {
                    let inner = lines[index]
                    prose += inner + "\n"
                    index += 1
                    if Fence.closes(inner, fence) { break }
                }
            }
        }
        flush(&prose, into: &document)
        return document
    }

    /// front-matter = "---" { key ": " JSON | blank | "#" comment } "---"
    mutating func parseFrontMatter() throws(NotebookReadError) -> FrontMatter {
        var matter = FrontMatter()
        index = 1
        var seenKeys: Set<String> = []
        while index < lines.count {
            let line = lines[index]
            let lineNumber = index + 1
            index += 1
            if line == "---" { return matter }
            if line.trimmingSpaces().isEmpty || line.hasPrefix("#") {
                matter.lines.append(.verbatim(line))
                continue
            }
            guard let colon = line.firstIndex(of: ":") else {
                throw NotebookReadError(line: lineNumber, column: 1, message: "front matter line is not 'key: <JSON>'")
            }
            let key = String(line[..<colon])
            guard let first = key.unicodeScalars.first, first.properties.isAlphabetic || first == "_",
                  key.unicodeScalars.allSatisfy({ $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "_-.".unicodeScalars.contains($0)) })
            else {
                throw NotebookReadError(line: lineNumber, column: 1, message: "invalid front matter key '\(key)'")
            }
            var raw = String(line[line.index(after: colon)...])
            if raw.hasPrefix(" ") { raw.removeFirst() }
            let value: JSONValue
            do {
                value = try JSONValue.parse(raw)
            } catch {
                let column = key.utf8.count + 3 + error.offset
                throw NotebookReadError(line: lineNumber, column: column, message: "value of '\(key)' is not valid JSON: \(error.message)")
            }
            if let problem = matter.typeProblems(key: key, value: value) {
                throw NotebookReadError(line: lineNumber, column: key.utf8.count + 3, message: problem)
            }
            guard seenKeys.insert(key).inserted else {
                throw NotebookReadError(line: lineNumber, column: 1, message: "front matter key '\(key)' appears twice")
            }
            matter.lines.append(.entry(key: key, rawValue: raw))
        }
        throw NotebookReadError(line: 1, message: "front matter opened here is never closed with '---'")
    }

    /// Reads the body of the fence opened at `index`, up to its closing line.
    mutating func fencedBody(_ fence: Fence.Opening, what: String, cellStart: Int) throws(NotebookReadError) -> String {
        let openLine = index + 1
        index += 1
        var body: [String] = []
        while index < lines.count {
            if Fence.closes(lines[index], fence) {
                index += 1
                return body.joined(separator: "\n")
            }
            body.append(lines[index])
            index += 1
        }
        var error = NotebookReadError(line: openLine, message: "\(what) opened here is never closed")
        error.cellStart = cellStart
        error.unclosed = true
        throw error
    }

    /// cell = "```attune" attrs { source-line } fence-close { output }
    mutating func parseCell(_ fence: Fence.Opening) throws(NotebookReadError) -> Cell {
        let start = index
        let lineNumber = index + 1
        func fail(_ message: String, column: Int? = nil, line: Int = lineNumber) -> NotebookReadError {
            var error = NotebookReadError(line: line, column: column, message: message)
            error.cellStart = start
            return error
        }
        let parsed: (word: String, arguments: [String], attributes: [FenceAttribute])
        do {
            parsed = try InfoString.parse(fence.info)
        } catch {
            throw fail(error.message, column: fence.count + error.column)
        }
        guard parsed.arguments.isEmpty else { throw fail("unexpected word '\(parsed.arguments[0])' in cell fence") }
        var n: Int?
        var id: String?
        var tags: [String] = []
        var extras: [FenceAttribute] = []
        for attribute in parsed.attributes {
            switch attribute.name {
            case "n":
                guard let value = attribute.value.intValue, value >= 0 else { throw fail("cell number 'n' must be a non-negative integer") }
                n = value
            case "id":
                guard let value = attribute.value.stringValue, !value.isEmpty else { throw fail("cell 'id' must be a non-empty string") }
                id = value
            case "tags":
                guard let values = attribute.value.arrayValue?.compactMap(\.stringValue),
                      values.count == attribute.value.arrayValue?.count
                else { throw fail("cell 'tags' must be a list of strings") }
                tags = values
            default:
                extras.append(attribute)
            }
        }
        guard let n else { throw fail("cell has no number 'n'") }
        guard let id else { throw fail("cell has no 'id'") }
        if let last = seenNumbers.last, n <= last { throw fail("cell number n=\(n) does not increase (previous cell is n=\(last))") }
        guard seenIDs.insert(id).inserted else { throw fail("cell id \"\(id)\" is used twice") }
        seenNumbers.append(n)
        let source = try fencedBody(fence, what: "cell n=\(n)", cellStart: start)
        var cell = Cell(n: n, id: id, tags: tags, source: source, extraAttributes: extras)
        while index < lines.count, let next = Fence.opening(lines[index]), next.indent == 0, next.character == 0x60,
              next.info.hasPrefix("output"), next.info == "output" || next.info.dropFirst(6).first == " " {
            cell.outputs.append(try parseOutput(next, cellStart: start))
        }
        return cell
    }

    /// output = "```output" kind attrs { body-line } fence-close [ image-line ]
    mutating func parseOutput(_ fence: Fence.Opening, cellStart: Int) throws(NotebookReadError) -> CellOutput {
        let lineNumber = index + 1
        func fail(_ message: String, column: Int? = nil) -> NotebookReadError {
            var error = NotebookReadError(line: lineNumber, column: column, message: message)
            error.cellStart = cellStart
            return error
        }
        let parsed: (word: String, arguments: [String], attributes: [FenceAttribute])
        do {
            parsed = try InfoString.parse(fence.info)
        } catch {
            throw fail(error.message, column: fence.count + error.column)
        }
        guard let kindName = parsed.arguments.first else { throw fail("output block has no kind (result, stream, metrics, plot or error)") }
        guard let kind = CellOutput.Kind(rawValue: kindName) else {
            throw fail("unknown output kind '\(kindName)' (expected result, stream, metrics, plot or error)")
        }
        guard parsed.arguments.count == 1 else { throw fail("unexpected word '\(parsed.arguments[1])' in output fence") }
        var output = CellOutput(kind: kind, text: "")
        var plot = PlotInfo()
        for attribute in parsed.attributes {
            switch (kind, attribute.name) {
            case (.plot, "id"), (.plot, "src"), (.plot, "series"):
                guard let value = attribute.value.stringValue else { throw fail("plot '\(attribute.name)' must be a string") }
                switch attribute.name {
                case "id": plot.id = value
                case "src": plot.src = value
                default: plot.series = value
                }
            case (.error, "name"):
                guard let value = attribute.value.stringValue else { throw fail("error 'name' must be a string") }
                output.errorName = value
            default:
                output.extraAttributes.append(attribute)
            }
        }
        output.text = try fencedBody(fence, what: "\(kind.rawValue) output", cellStart: cellStart)
        if kind == .metrics {
            for case let .failure(problem) in output.metricsRecords() {
                throw fail("metrics line \(problem.line) is not a JSON object: \(problem.message)")
                    .withLine(lineNumber + problem.line)
            }
        }
        if kind == .plot {
            if index < lines.count, let image = ImageLink(markdownLine: lines[index]) {
                plot.image = image
                index += 1
            }
            output.plot = plot
        }
        return output
    }
}

extension NotebookReadError {
    fileprivate func withLine(_ line: Int) -> NotebookReadError {
        var copy = self
        copy.line = line
        return copy
    }
}

extension ImageLink {
    /// Parses a whole line `![alt](src)` (alt may escape `]` as `\]`; src may be `<…>`).
    init?(markdownLine line: String) {
        guard line.hasPrefix("!["), line.hasSuffix(")") else { return nil }
        var alt = ""
        var rest = Substring(line.dropFirst(2))
        var escaped = false
        while let c = rest.first {
            rest.removeFirst()
            if escaped { alt.append(c); escaped = false; continue }
            if c == "\\" { escaped = true; continue }
            if c == "]" { break }
            alt.append(c)
        }
        guard rest.hasPrefix("(") else { return nil }
        var src = String(rest.dropFirst().dropLast())
        if src.hasPrefix("<"), src.hasSuffix(">"), src.count >= 2 { src = String(src.dropFirst().dropLast()) }
        self.init(alt: alt, src: src)
        // Only accept lines that the writer would produce identically.
        guard markdownLine == line else { return nil }
    }

    /// The Markdown line for this image.
    var markdownLine: String {
        var escapedAlt = ""
        for c in alt {
            if c == "]" || c == "\\" || c == "[" { escapedAlt.append("\\") }
            escapedAlt.append(c)
        }
        let needsBrackets = src.contains(" ") || src.contains("(") || src.contains(")") || src.isEmpty
        return "![\(escapedAlt)](\(needsBrackets ? "<\(src)>" : src))"
    }
}
