/// Line splitting on "\n" alone (Swift treats "\r\n" as one character, so `String.split` on
/// "\n" would miss those line ends).
enum TextLines {
    /// Lines of `text` split at each "\n". Empty text has no lines; a trailing "\n" does not start
    /// an extra line.
    static func split(_ text: String) -> [String] {
        if text.isEmpty { return [] }
        var lines = text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
            .map { String(decoding: $0, as: UTF8.self) }
        if lines.last == "" { lines.removeLast() }
        return lines
    }

    /// Lines of a whole file and whether the last one ended with "\n".
    static func splitFile(_ text: String) -> (lines: [String], endsWithNewline: Bool) {
        var lines = text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
            .map { String(decoding: $0, as: UTF8.self) }
        if lines.last == "" {
            lines.removeLast()
            return (lines, true)
        }
        return (lines, text.isEmpty)
    }
}
