import Foundation

/// One difference between a recorded cell and its replay.
public struct Mismatch: Sendable, Equatable, CustomStringConvertible {
    /// The cell's execution number.
    public var cellNumber: Int
    /// The cell's id.
    public var cellID: String
    /// The output's kind (nil when the difference is about the cell as a whole).
    public var kind: CellOutput.Kind?
    /// 0-based index of the output within the cell.
    public var outputIndex: Int?
    /// 1-based line within the output (for metrics: the record's line), when it applies.
    public var line: Int?
    /// What differs, in words ("loss differs beyond tolerance", "missing output", …).
    public var message: String
    /// The recorded text (shortened).
    public var expected: String
    /// The replayed text (shortened).
    public var actual: String

    public init(cellNumber: Int, cellID: String, kind: CellOutput.Kind? = nil, outputIndex: Int? = nil,
                line: Int? = nil, message: String, expected: String = "", actual: String = "") {
        self.cellNumber = cellNumber
        self.cellID = cellID
        self.kind = kind
        self.outputIndex = outputIndex
        self.line = line
        self.message = message
        self.expected = Self.shorten(expected)
        self.actual = Self.shorten(actual)
    }

    /// A two- or three-line report:
    ///
    ///     cell n=3 (c3) · metrics · line 2: loss differs beyond tolerance
    ///       - expected: {"loss": 2.431}
    ///       + actual:   {"loss": 2.6}
    public var description: String {
        var head = "cell n=\(cellNumber) (\(cellID))"
        if let kind { head += " · \(kind.rawValue)" }
        if let line { head += " · line \(line)" }
        var out = head + ": " + message
        if !expected.isEmpty || !actual.isEmpty {
            out += "\n  - expected: " + expected + "\n  + actual:   " + actual
        }
        return out
    }

    /// At most 160 characters on one line, newlines shown as `⏎`.
    static func shorten(_ text: String) -> String {
        let oneLine = text.replacingOccurrences(of: "\n", with: "⏎")
        guard oneLine.count > 160 else { return oneLine }
        return String(oneLine.prefix(157)) + "…"
    }
}
