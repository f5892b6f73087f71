import AttuneLanguage

/// One `set` key: its type and valid range (violations are errors), the guide's recommended range
/// (leaving it is a warning), its default, and the help `?key` prints.
public struct HyperparameterSpec: Sendable {
    public enum Kind: Sendable, Hashable {
        case integer(NumericRange)
        case number(NumericRange)
        case choice([String])
        case bool
        /// Whole steps, or a share of all steps written as a percentage (`warmup=10` or `5%`).
        case stepsOrShare
    }

    public let key: HyperparameterKey
    /// The key as `set` takes it (`weight_decay`).
    public var name: String { key.rawValue }
    public let kind: Kind
    public let defaultValue: HyperparameterValue
    /// What the key means, one sentence.
    public let meaning: String
    /// The guide's range per method (nil when it does not depend on the method).
    public let recommendedByMethod: [TrainingMethod: ClosedRange<Double>]?
    /// The guide's range whatever the method.
    public let recommended: ClosedRange<Double>?
    /// What too high a value looks like in training.
    public let tooHigh: String?
    /// What too low a value looks like.
    public let tooLow: String?
    /// Other spellings people type (`learning_rate`), answered with "did you mean".
    public let aliases: [String]
    /// A value for examples (`2e-4`).
    public let example: String
    /// Extra lines `?key` prints, for a key one sentence cannot explain (what each choice does).
    /// Nothing machine-dependent: `?key` outputs are recorded in notebooks that verify anywhere.
    public var details: [String] = []

    /// The recommended range for `method`, if any.
    public func recommendedRange(for method: TrainingMethod) -> ClosedRange<Double>? {
        recommendedByMethod?[method] ?? recommended
    }

    /// "a number greater than 0", "one of cosine, linear or constant".
    public var typePhrase: String {
        switch kind {
        case .integer(let range): return "a whole number \(range.phrase)"
        case .number(let range): return "a number \(range.phrase)"
        case .choice(let words): return "one of " + ArgumentKind.sentenceList(words)
        case .bool: return "true or false"
        case .stepsOrShare: return "a whole number of steps (at least 0) or a share of all steps such as 5%"
        }
    }

    /// The key as a command's argument (`method … dropout=` takes the `dropout` key's type and range).
    public var argumentKind: ArgumentKind {
        switch kind {
        case .integer(let range): return .integer(range)
        case .number(let range): return .number(range)
        case .choice(let words): return .choice(words)
        case .bool: return .bool
        case .stepsOrShare: return .text
        }
    }

    /// Checks a written value.
    public func convert(_ value: Value) throws(CommandError) -> HyperparameterValue {
        switch kind {
        case .integer(let range):
            switch try ArgumentKind.integer(range).convert(value, name: name) {
            case .integer(let v): return .integer(v)
            default: break
            }
        case .number(let range):
            switch try ArgumentKind.number(range).convert(value, name: name) {
            case .number(let v): return .number(v)
            default: break
            }
        case .choice(let words):
            switch try ArgumentKind.choice(words).convert(value, name: name) {
            case .word(let v): return .word(v)
            default: break
            }
        case .bool:
            switch try ArgumentKind.bool.convert(value, name: name) {
            case .bool(let v): return .bool(v)
            default: break
            }
        case .stepsOrShare:
            if let percent = value.percent {
                guard (0...100).contains(percent) else {
                    throw .invalidValue("\(name) as a share must be between 0% and 100% (got \(value.text))", at: value.range)
                }
                return .fraction(percent / 100)
            }
            switch try ArgumentKind.integer(.nonNegative).convert(value, name: name) {
            case .integer(let v): return .integer(v)
            default: break
            }
        }
        throw .invalidValue("\(name) must be \(typePhrase)", at: value.range)
    }
}
