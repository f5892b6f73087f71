/// One argument a command takes: its name, what it accepts, its default and a line of help.
public struct ArgumentSpec: Sendable, Hashable {
    public let name: String
    public let kind: ArgumentKind
    /// Accepted without its key, in order (`model load PATH`); keyed arguments are `name=value`.
    public let isPositional: Bool
    public let isRequired: Bool
    /// The default as the help shows it (`2`, `cosine`, `from the session`), nil when none.
    public let defaultText: String?
    public let help: String

    /// A `key=value` argument.
    public static func keyed(_ name: String, _ kind: ArgumentKind, default defaultText: String? = nil, required: Bool = false,
                             _ help: String) -> ArgumentSpec {
        ArgumentSpec(name: name, kind: kind, isPositional: false, isRequired: required, defaultText: defaultText, help: help)
    }

    /// A positional argument (it may also be written `name=value`).
    public static func positional(_ name: String, _ kind: ArgumentKind, default defaultText: String? = nil, required: Bool = true,
                                  _ help: String) -> ArgumentSpec {
        ArgumentSpec(name: name, kind: kind, isPositional: true, isRequired: required, defaultText: defaultText, help: help)
    }

    /// `layers=N`, `PATH`, `[top=N]` for usage lines.
    public var usageText: String {
        let core = isPositional ? name.uppercased() : "\(name)=\(kind.placeholder)"
        return isRequired ? core : "[\(core)]"
    }
}
