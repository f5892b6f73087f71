import AttuneLanguage

/// `help NAME` for a variable: its kind, where it came from, and each field with a short value;
/// `help min` for a builtin, `help for` for a keyword.
enum ValueDescription {
    static func help(name: String, value: ScriptValue) -> String {
        guard case .record(let record) = value else {
            if case .opaque(let object) = value {
                return "\(name): \(value.typeDescription)\n" + fieldLines(object.fieldNames.map { ($0, object.field($0) ?? .none) })
            }
            return "\(name) = \(short(value, limit: 200)) (\(value.typeDescription))"
        }
        var header = "\(name): \(value.typeDescription)"
        if let origin = record.origin { header += " (\(origin.statement.split(separator: "\n").first ?? ""))" }
        let fields = zip(record.names, record.values).filter { $0.0 != "text" } + (record["text"] != nil ? [("text", record["text"]!)] : [])
        return header + "\n" + (fields.isEmpty ? "  (no fields)" : fieldLines(fields)) + "\nuse a field as \(name).\(fields.first?.0 ?? "field")"
    }

    static func help(builtinOrKeyword word: String) -> String {
        if let builtin = Builtin.all[word] { return "\(builtin.usage): \(builtin.summary) (a builtin function)" }
        return "\(word) is a keyword of the language; help syntax shows the grammar"
    }

    /// One line per field: name, then a value cut to fit.
    static func fieldLines(_ fields: [(String, ScriptValue)]) -> String {
        let width = fields.map(\.0.count).max() ?? 0
        return fields.map { name, value in
            "  " + name + String(repeating: " ", count: width - name.count + 2) + short(value, limit: 60)
        }.joined(separator: "\n")
    }

    /// A value in at most `limit` characters: long lists as `[12 numbers: 2.1, 2.0, …]`, text to its first line.
    static func short(_ value: ScriptValue, limit: Int) -> String {
        switch value {
        case .list(let items) where items.count > 3:
            let kinds = Set(items.map(\.typeDescription))
            let what = kinds.count == 1 && kinds.first == "a number" ? "numbers" : "items"
            return "[\(items.count) \(what): " + items.prefix(3).map(\.sourceText).joined(separator: ", ") + ", …]"
        case .record(let record) where record.origin != nil:
            return "a \(record.kind)"
        case .string(let text):
            let first = String(text.split(separator: "\n", omittingEmptySubsequences: false).first ?? "")
            let shown = ScriptValue.string(first).sourceText
            return shown.count > limit ? String(shown.prefix(limit - 1)) + "…" : shown + (first.count < text.count ? " …" : "")
        default:
            let text = value.sourceText
            return text.count > limit ? String(text.prefix(limit - 1)) + "…" : text
        }
    }
}
