/// A malformed notebook: what is wrong and where (1-based line, and column when known).
public struct NotebookReadError: Error, Sendable, Equatable, CustomStringConvertible {
    public var line: Int
    public var column: Int?
    public var message: String
    /// 0-based index of the first line of the cell the problem is in, when it is inside a cell
    /// (used to drop an unfinished trailing cell).
    var cellStart: Int?
    /// True when the problem is a fence that runs to the end of the file.
    var unclosed = false

    public init(line: Int, column: Int? = nil, message: String) {
        self.line = line
        self.column = column
        self.message = message
    }

    public static func == (a: NotebookReadError, b: NotebookReadError) -> Bool {
        a.line == b.line && a.column == b.column && a.message == b.message
    }

    /// "line 12, column 5: …" or "line 12: …".
    public var description: String {
        if let column { return "line \(line), column \(column): \(message)" }
        return "line \(line): \(message)"
    }
}
