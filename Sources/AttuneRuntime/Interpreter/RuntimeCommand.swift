import AttuneLanguage

/// One command of the language, bound to the engine (or saying plainly that it is not yet).
///
/// A command is a small `Sendable` value with no state of its own: the words it answers to
/// (`spec`, from `CommandTable.standard` or new), the arguments it takes (`schema`, checked before
/// `run` is called), its help, and `run`, which reads and changes the `Session` through the
/// context and reports its result there. Throw `CommandError` for anything the user can fix;
/// change session state only after every check has passed, so a failed command changes nothing.
///
/// To add a command: write a type conforming to this protocol in `Commands/`, and list it in
/// `CommandRegistry.standard` (see `Commands/AddingACommand.swift`).
public protocol RuntimeCommand: Sendable {
    var spec: CommandSpec { get }
    var schema: ArgumentSchema { get }
    var help: CommandHelp { get }
    /// Does the work. Arguments are already checked against `schema`.
    func run(_ context: CommandContext) throws
}

extension RuntimeCommand {
    public var name: String { spec.name }
}

/// The longer help of a command: what it does, an example or two, and notes.
public struct CommandHelp: Sendable, Hashable {
    /// A paragraph on what the command does and when to use it.
    public let details: String
    /// Example statements.
    public let examples: [String]

    public init(_ details: String, examples: [String]) {
        self.details = details
        self.examples = examples
    }
}
