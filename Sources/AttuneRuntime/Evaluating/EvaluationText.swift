/// Small text helpers for evaluation tables: one line per reply, clipped.
enum EvaluationText {
    /// `text` on one line (line breaks shown as ↵), at most `limit` characters (… when cut).
    static func clip(_ text: String, _ limit: Int) -> String {
        let line = text.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false)
            .joined(separator: " ↵ ")
        return line.count > limit ? String(line.prefix(limit - 1)) + "…" : line
    }

    /// `12/80 = 15.0%`.
    static func rate(_ passed: Int, _ total: Int) -> String {
        "\(passed)/\(total) = " + percent(total == 0 ? 0 : Double(passed) / Double(total))
    }

    /// `15.0%`.
    static func percent(_ fraction: Double) -> String {
        fraction.isFinite ? String(format: "%.1f%%", fraction * 100) : "n/a"
    }

    /// True while `text` (a reply so far) may still become strictly valid JSON: empty or
    /// whitespace, or its first visible character can begin a JSON value (`{ [ " - 0-9`, or the
    /// start of `true`, `false`, `null`).
    static func mayBecomeJSON(_ text: String) -> Bool {
        let trimmed = text.drop { $0.isWhitespace }
        guard let first = trimmed.first else { return true }
        if "{[\"-0123456789".contains(first) { return true }
        for literal in ["true", "false", "null"] where literal.hasPrefix(trimmed) || trimmed.hasPrefix(literal) { return true }
        return false
    }
}
