import AttuneLanguage

/// The `CommandSpec` of a command of DESIGN §3a, by name (`"model load"`), from
/// `CommandTable.standard`, so usage lines and summaries live in one place.
enum StandardSpec {
    static func named(_ name: String) -> CommandSpec {
        guard let spec = CommandTable.standard.command(named: name) else {
            preconditionFailure("'\(name)' is not in CommandTable.standard; give the command its own CommandSpec")
        }
        return spec
    }
}
