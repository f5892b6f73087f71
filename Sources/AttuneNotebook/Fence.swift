/// CommonMark code fences: recognising opening and closing lines, and choosing a fence long
/// enough that no line of the content can close it.
enum Fence {
    /// An opening fence line: indentation, fence character, run length and info string.
    struct Opening {
        var indent: Int
        var character: UInt8
        var count: Int
        var info: String
    }

    /// Parses `line` as an opening fence (up to 3 spaces, then 3+ backticks or tildes; a backtick
    /// fence's info string may not contain a backtick).
    static func opening(_ line: String) -> Opening? {
        let bytes = Array(line.utf8)
        var i = 0
        while i < bytes.count, i < 4, bytes[i] == 0x20 { i += 1 }
        guard i <= 3, i < bytes.count, bytes[i] == 0x60 || bytes[i] == 0x7E else { return nil }
        let character = bytes[i]
        let start = i
        while i < bytes.count, bytes[i] == character { i += 1 }
        let count = i - start
        guard count >= 3 else { return nil }
        let infoBytes = bytes[i...]
        if character == 0x60, infoBytes.contains(0x60) { return nil }
        let info = String(decoding: infoBytes, as: UTF8.self).trimmingSpaces()
        return Opening(indent: start, character: character, count: count, info: info)
    }

    /// Whether `line` closes a fence opened with `opening`.
    static func closes(_ line: String, _ opening: Opening) -> Bool {
        let bytes = Array(line.utf8)
        var i = 0
        while i < bytes.count, i < 4, bytes[i] == 0x20 { i += 1 }
        guard i <= 3 else { return false }
        let start = i
        while i < bytes.count, bytes[i] == opening.character { i += 1 }
        guard i - start >= opening.count else { return false }
        return bytes[i...].allSatisfy { $0 == 0x20 || $0 == 0x09 }
    }

    /// The backtick fence to write around `body`: three backticks, or one more than the longest
    /// run of backticks that starts a line (after up to 3 spaces), so nothing inside can close it.
    static func backticks(for body: String) -> String {
        var longest = 0
        for line in TextLines.split(body) {
            let bytes = Array(line.utf8)
            var i = 0
            while i < bytes.count, i < 4, bytes[i] == 0x20 { i += 1 }
            guard i <= 3 else { continue }
            let start = i
            while i < bytes.count, bytes[i] == 0x60 { i += 1 }
            longest = max(longest, i - start)
        }
        return String(repeating: "`", count: max(3, longest + 1))
    }
}

extension String {
    /// The string without leading and trailing spaces and tabs.
    func trimmingSpaces() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { $0 != " " && $0 != "\t" }) else { return "" }
        let last = scalars.lastIndex(where: { $0 != " " && $0 != "\t" })!
        return String(scalars[first...last])
    }
}
