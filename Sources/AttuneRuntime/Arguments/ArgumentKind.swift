import Essentials
import AttuneLanguage

/// What an argument accepts, with the conversion and the message when a value does not fit.
public enum ArgumentKind: Sendable, Hashable {
    /// A whole number in a range.
    case integer(NumericRange)
    /// A number in a range.
    case number(NumericRange)
    /// A proportion: `0.9` or `90%`, between 0 and 1.
    case fraction
    /// One of a few words (`cosine`, `lora`), written bare or quoted.
    case choice([String])
    /// `true` or `false`.
    case bool
    /// Free text: a string in quotes (a bare word is taken too).
    case text
    /// A file or folder path: a string, or a bare word or path such as `out/run1`.
    case path
    /// A field of a data record: a bare name (`category`), a dotted path (`output.category`), or
    /// either in quotes (`"messages.-1.content"`); see `RecordField`.
    case field
    /// A list of names (`[q_proj, v_proj]`); a single name is a list of one.
    case names
    /// A tensor path with optional slicing (`layers.0.attn.q_proj[0:4]`), or a glob.
    case tensorPath
    /// A list of values (for `sweep`).
    case list
    /// A logged series name, or a chart an expression made (`plot hist(w)`): the word, or the
    /// expression's text (its value is in `Session.argumentValues`).
    case series

    /// "a whole number at least 1", "one of cosine, linear or constant", …
    public var phrase: String {
        switch self {
        case .integer(let range): return range == .any ? "a whole number" : "a whole number \(range.phrase)"
        case .number(let range): return range == .any ? "a number" : "a number \(range.phrase)"
        case .fraction: return "a proportion between 0 and 1 (0.9 or 90%)"
        case .choice(let words): return "one of " + Self.sentenceList(words)
        case .bool: return "true or false"
        case .text: return "a text in quotes"
        case .path: return "a path (in quotes when it holds spaces)"
        case .field: return "a record field such as category or output.category"
        case .names: return "a list of names such as [q_proj, v_proj]"
        case .tensorPath: return "a tensor path such as layers.0.attn.q_proj"
        case .list: return "a list such as [1e-4, 3e-4]"
        case .series: return "a series name such as loss, or a chart such as hist(w)"
        }
    }

    /// The short placeholder in usage lines: `N`, `X`, `WORD`, `PATH`.
    public var placeholder: String {
        switch self {
        case .integer: return "N"
        case .number, .fraction: return "X"
        case .choice(let words): return words.joined(separator: "|")
        case .bool: return "true|false"
        case .text: return "\"TEXT\""
        case .path: return "PATH"
        case .field: return "FIELD"
        case .names: return "[A, B]"
        case .tensorPath: return "PATH"
        case .list: return "[…]"
        case .series: return "SERIES"
        }
    }

    /// Checks `value` and returns it converted, or a message naming the argument.
    func convert(_ value: Value, name: String) throws(CommandError) -> ArgumentValue {
        func wrongKind() -> CommandError {
            .invalidValue("\(name) must be \(phrase) (got \(value.kindDescription) \(Self.shown(value)))", at: value.range)
        }
        switch self {
        case .integer(let range):
            guard let number = value.number else { throw wrongKind() }
            guard number == number.rounded() else {
                throw .invalidValue("\(name) must be a whole number (got \(NumberText.short(number)))", at: value.range)
            }
            guard range.contains(number) else { throw .invalidValue(range.violation(number, name: name), at: value.range) }
            guard let integer = value.integer else { throw wrongKind() }
            return .integer(integer)
        case .number(let range):
            guard let number = value.number else { throw wrongKind() }
            guard range.contains(number) else { throw .invalidValue(range.violation(number, name: name), at: value.range) }
            return .number(number)
        case .fraction:
            guard let fraction = value.fraction else { throw wrongKind() }
            guard (0...1).contains(fraction) else {
                throw .invalidValue("\(name) must be between 0 and 1 (got \(value.text))", at: value.range)
            }
            return .number(fraction)
        case .choice(let words):
            guard let word = value.identifier ?? value.string else { throw wrongKind() }
            guard words.contains(word) else {
                let hint = suggest(word, from: words).map { " — did you mean '\($0)'?" } ?? ""
                throw CommandError("InvalidValue", "\(name) must be one of \(Self.sentenceList(words)) (got '\(word.clippedForMessage)')\(hint)",
                                   at: value.range, suggestion: suggest(word, from: words))
            }
            return .word(word)
        case .bool:
            guard let flag = value.bool else { throw wrongKind() }
            return .bool(flag)
        case .text:
            guard let text = value.string ?? value.identifier else { throw wrongKind() }
            return .word(text)
        case .series:
            if case .expression = value.kind { return .word(value.text) }
            guard let text = value.string ?? value.identifier else { throw wrongKind() }
            return .word(text)
        case .path, .field:
            guard let text = value.word else { throw wrongKind() }
            return .word(text)
        case .names:
            if let single = value.identifier ?? value.string { return .words([single]) }
            guard case .list(let items) = value.kind else { throw wrongKind() }
            var words: [String] = []
            for item in items {
                guard let word = item.identifier ?? item.string else {
                    throw .invalidValue("\(name) must list names such as q_proj (got \(item.kindDescription) \(Self.shown(item)))",
                                        at: item.range)
                }
                words.append(word)
            }
            return .words(words)
        case .tensorPath:
            guard let path = value.path else { throw wrongKind() }
            return .path(path)
        case .list:
            guard case .list(let items) = value.kind else { throw wrongKind() }
            return .list(items)
        }
    }

    /// The value as written, kept short.
    static func shown(_ value: Value) -> String {
        let text = value.text
        return text.count > 40 ? String(text.prefix(37)) + "…" : text
    }

    /// `a, b or c`.
    public static func sentenceList(_ words: [String]) -> String {
        switch words.count {
        case 0: return "nothing"
        case 1: return words[0]
        default: return words.dropLast().joined(separator: ", ") + " or " + words.last!
        }
    }
}

/// A checked argument value.
public enum ArgumentValue: Sendable, Hashable {
    case integer(Int)
    case number(Double)
    case word(String)
    case bool(Bool)
    case words([String])
    case path(TensorPath)
    case list([Value])
}
