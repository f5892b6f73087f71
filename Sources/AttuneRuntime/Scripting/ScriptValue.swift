import AttuneLanguage
import Foundation

/// A value of the scripting language: what variables hold, expressions give and commands return.
///
/// Lists and records are values (copied on change); functions are shared. `opaque` leaves room for
/// engine objects such as tensors: a reference with a type name, fields and a printed form.
public enum ScriptValue: Sendable {
    case none
    case number(Double)
    case string(String)
    case bool(Bool)
    case list([ScriptValue])
    case record(ScriptRecord)
    case function(ScriptFunction)
    case opaque(any OpaqueScriptValue)

    /// "a number", "a list", "a train result", for messages.
    public var typeDescription: String {
        switch self {
        case .none: return "none"
        case .number: return "a number"
        case .string: return "a string"
        case .bool: return "true or false"
        case .list: return "a list"
        case .record(let record): return record.kind == ScriptRecord.plainKind ? "a record" : "a \(record.kind)"
        case .function: return "a function"
        case .opaque(let value): return "a \(value.typeName)"
        }
    }

    /// The value as `print` and `{…}` in strings show it: strings bare, numbers as typed
    /// (`3`, `0.25`, `2e-4`), a command's result as the command printed it.
    public var displayText: String {
        switch self {
        case .string(let text): return text
        case .record(let record) where record.origin != nil:
            return record.origin?.output.resultText ?? sourceText
        default: return sourceText
        }
    }

    /// The value written as a literal would be: strings quoted, lists and records in brackets.
    public var sourceText: String {
        switch self {
        case .none: return "none"
        case .number(let value): return Self.numberText(value)
        case .string(let text): return StringEscaping.quoted(text)
        case .bool(let value): return value ? "true" : "false"
        case .list(let items): return "[" + items.map(\.sourceText).joined(separator: ", ") + "]"
        case .record(let record):
            return "{" + zip(record.names, record.values).map { "\($0): \($1.sourceText)" }.joined(separator: ", ") + "}"
        case .function(let function): return function.displayText
        case .opaque(let value): return value.displayText
        }
    }

    /// Numbers as a person types them: `3`, `0.25`, `2e-4`, `1.5e-7`, `nan`: the shortest text
    /// that reads back to the same number, in exponent form below 0.001 and from 1e15.
    public static func numberText(_ value: Double) -> String {
        if value.isNaN { return "nan" }
        if value.isInfinite { return value > 0 ? "inf" : "-inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        let magnitude = abs(value)
        guard magnitude < 1e-3 || magnitude >= 1e15 else { return "\(value)" }
        for digits in 0...16 {
            let text = String(format: "%.\(digits)e", value)
            guard Double(text) == value else { continue }
            // 2.5e-04 → 2.5e-4
            let parts = text.split(separator: "e")
            let exponent = Int(parts[1]) ?? 0
            return "\(parts[0])e\(exponent)"
        }
        return "\(value)"
    }
}

extension ScriptValue: Equatable {
    /// Numbers, strings, booleans, lists and records compare by value (records ignore where they
    /// came from); functions and opaque values by identity.
    public static func == (lhs: ScriptValue, rhs: ScriptValue) -> Bool {
        switch (lhs, rhs) {
        case (.none, .none): return true
        case let (.number(a), .number(b)): return a == b
        case let (.string(a), .string(b)): return a == b
        case let (.bool(a), .bool(b)): return a == b
        case let (.list(a), .list(b)): return a == b
        case let (.record(a), .record(b)): return a.names == b.names && a.values == b.values
        case let (.function(a), .function(b)): return a === b
        case let (.opaque(a), .opaque(b)): return a === b
        default: return false
        }
    }
}

/// An engine object held by a variable (a tensor, a chart): shared, never copied.
public protocol OpaqueScriptValue: AnyObject, Sendable {
    /// "tensor".
    var typeName: String { get }
    /// What `print` shows.
    var displayText: String { get }
    /// Its fields (`t.shape`), in order.
    func field(_ name: String) -> ScriptValue?
    var fieldNames: [String] { get }
    /// A field that may fail (`w.T` of a tensor above the size limit); `field` by default.
    func fieldValue(_ name: String) throws(CommandError) -> ScriptValue?
    /// `x[3]`, `x[0:4, :8]`; nil when the value cannot be indexed.
    func subscripted(_ items: [ScriptSubscript]) throws(CommandError) -> ScriptValue?
    /// `x + y`, `2 * x`, `-x` (`.subtract` from 0 on the left); nil when the operator does not apply.
    func combined(_ op: BinaryOperator, with other: ScriptValue, selfOnLeft: Bool) throws(CommandError) -> ScriptValue?
}

/// One item between brackets after an engine value: an index or a `start:end` range
/// (negative counts from the end, a missing bound is the start or the end).
public enum ScriptSubscript: Sendable, Hashable {
    case index(Int)
    case range(start: Int?, end: Int?)
}

extension OpaqueScriptValue {
    public func fieldValue(_ name: String) throws(CommandError) -> ScriptValue? { field(name) }
    public func subscripted(_ items: [ScriptSubscript]) throws(CommandError) -> ScriptValue? { nil }
    public func combined(_ op: BinaryOperator, with other: ScriptValue, selfOnLeft: Bool) throws(CommandError) -> ScriptValue? { nil }
}
