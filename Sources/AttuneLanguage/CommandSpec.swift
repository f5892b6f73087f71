/// One known command: its words, how it is used, and what it does.
public struct CommandSpec: Sendable, Hashable, CustomStringConvertible {
    /// One word (`train`) or a noun and a verb (`model`, `load`).
    public let words: [String]
    /// The usage line, e.g. `data split train= val= [test=] [seed=]`.
    public let usage: String
    /// One sentence on what the command does.
    public let summary: String

    public init(_ words: [String], usage: String, summary: String) {
        precondition(words.count == 1 || words.count == 2, "a command has one or two words, got \(words)")
        self.words = words
        self.usage = usage
        self.summary = summary
    }

    /// The words joined by a space: `model load`.
    public var name: String { words.joined(separator: " ") }

    /// The noun of a grouped command (`model` of `model load`), nil for a single verb.
    public var noun: String? { words.count == 2 ? words[0] : nil }

    public var description: String { name }
}
