/// A point in a source text.
///
/// Lines and columns are 1-based and count Unicode scalars, so a caret drawn under a
/// diagnostic lines up with what a terminal shows for ordinary text. `offset` is the
/// 0-based index of the scalar in the whole source.
public struct SourcePosition: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// 0-based index of the Unicode scalar in the whole source.
    public let offset: Int
    /// 1-based line number.
    public let line: Int
    /// 1-based column, counted in Unicode scalars from the start of the line.
    public let column: Int

    public init(offset: Int, line: Int, column: Int) {
        self.offset = offset
        self.line = line
        self.column = column
    }

    /// The first position of any source.
    public static let start = SourcePosition(offset: 0, line: 1, column: 1)

    public static func < (lhs: SourcePosition, rhs: SourcePosition) -> Bool {
        lhs.offset < rhs.offset
    }

    public var description: String { "\(line):\(column)" }
}

/// A half-open span of source text, from `start` up to (not including) `end`.
public struct SourceRange: Sendable, Hashable, CustomStringConvertible {
    public let start: SourcePosition
    public let end: SourcePosition

    public init(start: SourcePosition, end: SourcePosition) {
        self.start = start
        self.end = max(start, end)
    }

    /// Number of Unicode scalars covered.
    public var length: Int { end.offset - start.offset }

    /// The lines this range touches (a span ending right after a newline does not touch the next line).
    public var lines: ClosedRange<Int> { start.line...max(start.line, end.line) }

    /// The smallest range covering both.
    public func union(_ other: SourceRange) -> SourceRange {
        SourceRange(start: min(start, other.start), end: max(end, other.end))
    }

    public var description: String { "\(start)-\(end)" }
}
