import Essentials

/// The notebook's JSON is Essentials' `JSONValue`. Named here too because the notebook API (front
/// matter, cell outputs, metrics records) speaks it, so importers of AttuneNotebook need no more.
public typealias JSONValue = Essentials.JSONValue

extension JSONValue {
    /// One-line JSON in the notebook's house style: `{"a": 1, "b": [1, 2]}` (a space after `:`
    /// and `,`), keys in stored order, numbers as read or shortest, non-ASCII kept as is, and a
    /// backtick escaped (`\u0060`: in a fence's info string it would end the fence under CommonMark).
    public var compactText: String { text(JSONStyle(escapesBacktick: true)) }

    /// Multi-line JSON indented by `indent` spaces per level (Jupyter writes `.ipynb` with 1).
    public func prettyText(indent: Int = 1) -> String { text(JSONStyle(indent: indent, escapesBacktick: true)) }

    /// A JSON string literal in the notebook's house style (backtick escaped).
    static func quote(_ s: String) -> String { quoted(s, escapingBacktick: true) }
}
