/// How serious a data-check finding is.
public enum CheckStatus: String, Sendable, Hashable, Codable, Comparable {
    case ok
    /// Worth a look; training can go ahead.
    case warning
    /// Fix before training (duplicates, PII, examples with nothing to learn).
    case problem
    /// Not checked (needs a tokenizer, a goal, …).
    case skipped

    var rank: Int { [.skipped: 0, .ok: 1, .warning: 2, .problem: 3][self]! }
    public static func < (a: CheckStatus, b: CheckStatus) -> Bool { a.rank < b.rank }

    /// One-character mark for tables.
    public var symbol: String {
        switch self {
        case .ok: return "ok"
        case .warning: return "warn"
        case .problem: return "FIX"
        case .skipped: return "-"
        }
    }
}

/// An example a finding points at: `support.jsonl:12` and why.
public struct ExampleReference: Sendable, Hashable, Codable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var note: String

    public init(file: String, line: Int, note: String = "") {
        self.file = file; self.line = line; self.note = note
    }

    public var description: String { note.isEmpty ? "\(file):\(line)" : "\(file):\(line) \(note)" }
}

/// The common face of every data-check section: one table row.
public struct CheckSection: Sendable, Hashable, Codable {
    /// `duplicates`, `pii`, `formatting`, `balance`, `lengths`, `size`, `signal`.
    public var name: String
    public var status: CheckStatus
    /// Examples affected.
    public var count: Int
    /// One line of detail.
    public var summary: String
    /// The worst examples, file:line.
    public var worst: [ExampleReference]
    /// The command (or action) that fixes it.
    public var fix: String?

    public init(name: String, status: CheckStatus, count: Int, summary: String, worst: [ExampleReference] = [], fix: String? = nil) {
        self.name = name; self.status = status; self.count = count; self.summary = summary; self.worst = worst; self.fix = fix
    }
}
