/// A whole `*.attune.md` notebook: front matter, then prose and cells in file order.
///
/// Prose is kept exactly (every byte between cells, blank lines included), so reading a file and
/// writing it back gives the same text.
public struct NotebookDocument: Sendable, Equatable {
    /// A piece of the notebook body.
    public enum Block: Sendable, Equatable {
        /// Markdown between cells, verbatim, each line ending in "\n".
        case prose(String)
        /// A command cell and its outputs.
        case cell(Cell)
    }

    /// The header; nil when the file has none.
    public var frontMatter: FrontMatter?
    /// Body in file order.
    public var blocks: [Block]
    /// False when the file's last line has no "\n" (kept so such files round-trip too).
    public var endsWithNewline: Bool

    public init(frontMatter: FrontMatter? = nil, blocks: [Block] = [], endsWithNewline: Bool = true) {
        self.frontMatter = frontMatter
        self.blocks = blocks
        self.endsWithNewline = endsWithNewline
    }

    /// The cells in order.
    public var cells: [Cell] {
        blocks.compactMap { if case let .cell(c) = $0 { return c } else { return nil } }
    }

    /// The cell with execution number `n`.
    public func cell(n: Int) -> Cell? { cells.first { $0.n == n } }

    /// The highest `n` so far (0 for a notebook without cells).
    public var lastCellNumber: Int { cells.map(\.n).max() ?? 0 }

    /// Applies `transform` to every cell in place.
    public mutating func updateCells(_ transform: (inout Cell) throws -> Void) rethrows {
        for index in blocks.indices {
            if case var .cell(c) = blocks[index] {
                try transform(&c)
                blocks[index] = .cell(c)
            }
        }
    }

    /// Appends a cell, preceded by a blank line when the body does not already end with one.
    public mutating func append(_ cell: Cell) {
        appendRawProse(separatorBeforeNextCell)
        blocks.append(.cell(cell))
    }

    /// Appends Markdown prose (a trailing "\n" is added when missing).
    public mutating func appendProse(_ markdown: String) {
        var text = markdown
        if !text.hasSuffix("\n") { text += "\n" }
        appendRawProse(separatorBeforeNextProse + text)
    }

    /// Appends prose text, merging it into a prose block that ends the body (the reader never
    /// produces two prose blocks in a row, so neither do edits).
    mutating func appendRawProse(_ text: String) {
        guard !text.isEmpty else { return }
        if case let .prose(previous)? = blocks.last {
            blocks[blocks.count - 1] = .prose(previous + text)
        } else {
            blocks.append(.prose(text))
        }
    }

    /// A blank line between a cell and prose that follows it, so the prose does not touch the
    /// closing fence (and a plot's image line stays unambiguous).
    var separatorBeforeNextProse: String {
        if case .cell? = blocks.last { return "\n" }
        return ""
    }

    /// The blank line the recorder writes between a cell and what came before it: "\n" after a
    /// cell or after prose that does not end with an empty line, "" otherwise.
    var separatorBeforeNextCell: String {
        switch blocks.last {
        case nil: return frontMatter == nil ? "" : "\n"
        case .cell?: return "\n"
        case let .prose(text)?: return text.hasSuffix("\n\n") || text == "\n" ? "" : "\n"
        }
    }
}
