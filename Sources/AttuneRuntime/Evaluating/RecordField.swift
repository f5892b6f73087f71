import Essentials

/// A field of a JSONL record named the way `by=` names it: a top-level key (`category`), or a dotted
/// path into the record (`output.category`, `messages.-1.content.category`). On the way down, an
/// object is entered by key, an array by index (negative counts from the end), and a string that
/// holds a JSON object or array is read as that JSON — so `output.category` reaches the category
/// inside an expected answer written as JSON text, as the triage data stores it.
enum RecordField {
    /// The value at `path` in `record`, or nil when any step is missing. A top-level key that itself
    /// contains dots (`"meta.source"`) is found before the path is split.
    static func value(in record: JSONValue, at path: String) -> JSONValue? {
        if let direct = record[path] { return direct }
        let steps = path.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard steps.count > 1, !steps.contains(where: \.isEmpty) else { return nil }
        var current = record
        for step in steps {
            if case .string(let text) = current, let parsed = parsedContainer(text) { current = parsed }
            switch current {
            case .object:
                guard let next = current[step] else { return nil }
                current = next
            case .array(let elements):
                guard let index = Int(step) else { return nil }
                let position = index < 0 ? elements.count + index : index
                guard elements.indices.contains(position) else { return nil }
                current = elements[position]
            default:
                return nil
            }
        }
        return current
    }

    /// `text` read as JSON when it holds an object or an array (leading spaces allowed).
    private static func parsedContainer(_ text: String) -> JSONValue? {
        guard let first = text.first(where: { !$0.isWhitespace }), first == "{" || first == "[" else { return nil }
        guard let value = try? JSONValue.parse(text) else { return nil }
        switch value {
        case .object, .array: return value
        default: return nil
        }
    }
}
