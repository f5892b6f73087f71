import AttuneLanguage

/// A function value: one written with `fn name(a, b) { … }` (with the scope it was written in,
/// so it sees the variables around it), or a builtin such as `min`.
public final class ScriptFunction: @unchecked Sendable {
    public enum Body {
        /// A user function: its block and the source it was written in (errors inside it point there).
        case user(Block, scope: Scope, source: String)
        case builtin(Builtin)
    }

    public let name: String
    public let parameters: [String]
    public let body: Body

    init(name: String, parameters: [String], body: Body) {
        self.name = name
        self.parameters = parameters
        self.body = body
    }

    /// `fn best(xs)` or `builtin min`.
    public var displayText: String {
        switch body {
        case .user: return "fn \(name)(\(parameters.joined(separator: ", ")))"
        case .builtin: return "builtin \(name)"
        }
    }
}
