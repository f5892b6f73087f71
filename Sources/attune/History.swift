import AttuneRuntime
import Foundation

/// The REPL history as a plain-text file (libedit's own format is unreadable): one entry per
/// line, appended after every command, the last `limit` entries loaded at start. A statement
/// typed over several lines is stored as one line.
struct HistoryFile {
    let url: URL
    var limit = 1000

    /// The stored entries, oldest first.
    func load() -> [String] {
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { return [] }
        return Array(text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init).suffix(limit))
    }

    /// Appends one entry; failures are ignored (history is a convenience).
    func append(_ entry: String) {
        let line = Self.oneLine(entry)
        guard !line.isEmpty else { return }
        try? FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        if !FileManager.default.fileExists(atPath: url.path) { _ = FileManager.default.createFile(atPath: url.path, contents: nil) }
        guard let handle = try? FileHandle(forWritingTo: url) else { return }
        defer { try? handle.close() }
        _ = try? handle.seekToEnd()
        try? handle.write(contentsOf: Data((line + "\n").utf8))
    }

    /// Continuation lines joined with spaces (a trailing `\` dropped), so one entry is one line.
    static func oneLine(_ entry: String) -> String {
        entry.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            var text = String(line)
            if text.hasSuffix("\\") { text.removeLast() }
            return text.trimmingCharacters(in: .whitespaces)
        }.filter { !$0.isEmpty }.joined(separator: " ")
    }
}
