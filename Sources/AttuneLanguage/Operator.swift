/// The operators of expressions, as written. `and`, `or`, `not` and `in` are words (names the
/// parser reads as operators), not tokens of their own.
public enum Operator: String, Sendable, Hashable, CaseIterable {
    case plus = "+"
    case minus = "-"
    case times = "*"
    case divide = "/"
    case remainder = "%"
    case equal = "=="
    case notEqual = "!="
    case less = "<"
    case lessOrEqual = "<="
    case greater = ">"
    case greaterOrEqual = ">="
}
