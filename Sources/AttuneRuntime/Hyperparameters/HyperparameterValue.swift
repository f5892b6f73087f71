/// The value of one hyperparameter.
public enum HyperparameterValue: Sendable, Hashable, CustomStringConvertible {
    case integer(Int)
    case number(Double)
    case word(String)
    case bool(Bool)
    /// A share of the total steps (`warmup=5%`), 0…1.
    case fraction(Double)

    public var number: Double? {
        switch self {
        case .integer(let v): return Double(v)
        case .number(let v): return v
        default: return nil
        }
    }

    public var integer: Int? {
        if case .integer(let v) = self { return v }
        return nil
    }

    public var word: String? {
        if case .word(let v) = self { return v }
        return nil
    }

    /// As typed back in a `set` statement: `2e-4`, `cosine`, `5%`, `true`.
    public var description: String {
        switch self {
        case .integer(let v): return String(v)
        case .number(let v): return NumberText.short(v)
        case .word(let v): return v
        case .bool(let v): return String(v)
        case .fraction(let v): return NumberText.short(v * 100) + "%"
        }
    }
}
