/// A place in a data file: `support.jsonl:12:31` (line and column are 1-based; column counts
/// characters, and is nil when the whole line is meant).
public struct SourceLocation: Sendable, Hashable, Codable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int?

    public init(file: String, line: Int, column: Int? = nil) {
        self.file = file; self.line = line; self.column = column
    }

    /// `file:line` or `file:line:column`.
    public var description: String {
        column.map { "\(file):\(line):\($0)" } ?? "\(file):\(line)"
    }

    /// The 1-based character column of byte `offset` in a line's UTF-8 (counting Unicode scalars).
    static func column(ofByte offset: Int, in bytes: UnsafeBufferPointer<UInt8>) -> Int {
        var column = 1
        var index = 0
        while index < min(offset, bytes.count) {
            if bytes[index] & 0xC0 != 0x80 { column += 1 }
            index += 1
        }
        // Continuation bytes at `offset` itself belong to the previous scalar.
        return column
    }
}
