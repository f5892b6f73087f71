import AttuneLanguage

/// A command of the language the engine does not provide yet. Its arguments are still checked
/// (so a notebook written today fails on typos today), its help is complete, and running it says
/// plainly what is missing: "`train` is not available yet in this build: …".
///
/// When the engine lands, replace the entry in `CommandRegistry.standard` with a real command
/// that keeps the same `schema` and `help`.
public struct PlannedCommand: RuntimeCommand {
    public let spec: CommandSpec
    public let schema: ArgumentSchema
    public let help: CommandHelp
    public let availability: Availability
    /// Checks beyond the schema that hold already (split fractions summing to 1, paths allowed).
    let check: (@Sendable (CommandContext) throws -> Void)?

    public init(_ name: String, schema: ArgumentSchema = .none, help: CommandHelp, missing reason: String,
                check: (@Sendable (CommandContext) throws -> Void)? = nil) {
        spec = StandardSpec.named(name)
        self.schema = schema
        self.help = help
        availability = .notYet(reason)
        self.check = check
    }

    /// Runs the extra checks; the interpreter reports "not available" after them.
    public func run(_ context: CommandContext) throws {
        try check?(context)
    }
}
