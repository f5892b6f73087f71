import Essentials

/// The class label a reply names, for label checks and the confusion matrix.
///
/// - With a `field` (a JSON task such as `category`): the value of that key in the reply's JSON
///   object; the whole reply must be the object, as the strict `json` check requires. Text as is,
///   numbers and booleans as written.
/// - Without: the reply's first non-empty line, trimmed, with one trailing `.` dropped
///   (`" Positive.\n…"` reads `Positive`).
///
/// Nil when the reply names no label (no JSON object, no such key, or an empty reply).
public enum ReplyLabel {
    public static func read(_ reply: String, field: String?) -> String? {
        if let field {
            guard let found = ExtractedJSON.first(in: reply), found.isStrict, let value = found.value[field] else { return nil }
            return text(of: value)
        }
        guard let line = reply.split(whereSeparator: \.isNewline).map({ String($0).trimmingWhitespace }).first(where: { !$0.isEmpty }) else {
            return nil
        }
        return line.hasSuffix(".") && line.count > 1 ? String(line.dropLast()).trimmingWhitespace : line
    }

    /// The expected label of an expected answer: the field of its JSON object, or the whole answer
    /// trimmed. Nil when a field is asked for and the answer has none.
    public static func expected(_ answer: String, field: String?) -> String? {
        guard let field else { return answer.trimmingWhitespace }
        guard let object = try? JSONValue.parse(answer.trimmingWhitespace), let value = object[field] else { return nil }
        return text(of: value)
    }

    /// A scalar JSON value as label text (nil for null, lists and objects).
    public static func text(of value: JSONValue) -> String? {
        switch value {
        case .string(let text): return text
        case .bool(let flag): return flag ? "true" : "false"
        case .number(let number, let spelling): return spelling ?? JSONValue.numberText(number)
        default: return nil
        }
    }
}
