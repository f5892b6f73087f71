import AttuneLanguage

/// The commands the interpreter runs, by name, and the parser's command table built from them.
public struct CommandRegistry: Sendable {
    public let commands: [any RuntimeCommand]
    /// `CommandTable.standard` plus any command here that it lacks, for the parser.
    public let table: CommandTable
    private let byName: [String: Int]

    public init(_ commands: [any RuntimeCommand]) {
        self.commands = commands
        var index = [String: Int]()
        for (i, command) in commands.enumerated() where index[command.spec.name] == nil { index[command.spec.name] = i }
        byName = index
        table = CommandTable.standard.adding(commands.map(\.spec))
    }

    /// The command registered under `name` (`"model load"`).
    public func command(named name: String) -> (any RuntimeCommand)? {
        byName[name].map { commands[$0] }
    }

    /// Commands in help order: the table's order.
    public var ordered: [any RuntimeCommand] {
        table.commands.compactMap { command(named: $0.name) }
    }
}
