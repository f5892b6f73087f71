import AttuneLanguage
import Foundation

/// A function the language provides: `min`, `max`, `sum`, `mean`, `abs`, `round`, `len`, `log`,
/// `exp`, `sqrt`, `range`, `sort`, `argmin`, `argmax`, `format`, `str`; for tensors `matmul`,
/// `cosine`, `topk` (`Builtins+Tensors.swift`); for charts `hist`, `heatmap`, `bar`
/// (`Builtins+Charts.swift`).
public struct Builtin: Sendable {
    public let name: String
    /// `min(xs)` or `min(a, b, …)`, for help and messages.
    public let usage: String
    public let summary: String
    let call: @Sendable (_ arguments: [ScriptValue], _ at: BuiltinCall) throws(CommandError) -> ScriptValue

    /// Every builtin, by name.
    public static let all: [String: Builtin] = Dictionary(uniqueKeysWithValues: list.map { ($0.name, $0) })

    /// The names in help order.
    public static var names: [String] { list.map(\.name) }

    static let list: [Builtin] = coreList + tensorList + chartList

    static let coreList: [Builtin] = [
        Builtin(name: "min", usage: "min(xs) or min(a, b, …)", summary: "the smallest number") { args, at throws(CommandError) in
            .number(try at.numbers(args).min()!)
        },
        Builtin(name: "max", usage: "max(xs) or max(a, b, …)", summary: "the largest number") { args, at throws(CommandError) in
            .number(try at.numbers(args).max()!)
        },
        Builtin(name: "sum", usage: "sum(xs)", summary: "the numbers added up (0 for an empty list)") { args, at throws(CommandError) in
            .number(try at.numbers(args, allowEmpty: true).reduce(0, +))
        },
        Builtin(name: "mean", usage: "mean(xs)", summary: "the average") { args, at throws(CommandError) in
            let numbers = try at.numbers(args)
            return .number(numbers.reduce(0, +) / Double(numbers.count))
        },
        Builtin(name: "abs", usage: "abs(x)", summary: "the absolute value") { args, at throws(CommandError) in
            .number(abs(try at.number(args, 0, count: 1)))
        },
        Builtin(name: "round", usage: "round(x) or round(x, digits)", summary: "rounded to whole numbers or to digits after the point") { args, at throws(CommandError) in
            try at.count(args, 1...2)
            let x = try at.number(args, 0)
            let digits = args.count == 2 ? try at.integer(args, 1) : 0
            guard (0...15).contains(digits) else { throw at.error("round keeps 0 to 15 digits, not \(digits)", argument: 1) }
            let scale = pow(10, Double(digits))
            return .number((x * scale).rounded() / scale)
        },
        Builtin(name: "len", usage: "len(x)", summary: "how many items a list, characters a string or fields a record has") { args, at throws(CommandError) in
            try at.count(args, 1...1)
            switch args[0] {
            case .list(let items): return .number(Double(items.count))
            case .string(let text): return .number(Double(text.count))
            case .record(let record): return .number(Double(record.names.count))
            default: throw at.error("len takes a list, a string or a record, not \(args[0].typeDescription)", argument: 0)
            }
        },
        Builtin(name: "log", usage: "log(x)", summary: "the natural logarithm") { args, at throws(CommandError) in
            let x = try at.number(args, 0, count: 1)
            guard x > 0 else { throw at.error("log needs a number greater than 0 (got \(ScriptValue.numberText(x)))", argument: 0) }
            return .number(Foundation.log(x))
        },
        Builtin(name: "exp", usage: "exp(x)", summary: "e to the power x") { args, at throws(CommandError) in
            .number(Foundation.exp(try at.number(args, 0, count: 1)))
        },
        Builtin(name: "sqrt", usage: "sqrt(x)", summary: "the square root") { args, at throws(CommandError) in
            let x = try at.number(args, 0, count: 1)
            guard x >= 0 else { throw at.error("sqrt needs a number at least 0 (got \(ScriptValue.numberText(x)))", argument: 0) }
            return .number(x.squareRoot())
        },
        Builtin(name: "range", usage: "range(n), range(start, end) or range(start, end, step)", summary: "whole numbers from start (0) up to, not including, end") { args, at throws(CommandError) in
            try at.count(args, 1...3)
            let values = try (0..<args.count).map { index throws(CommandError) in try at.integer(args, index) }
            let (start, end) = values.count == 1 ? (0, values[0]) : (values[0], values[1])
            let step = values.count == 3 ? values[2] : 1
            guard step != 0 else { throw at.error("the step of range cannot be 0", argument: 2) }
            let count = step > 0 ? max(0, (end - start + step - 1) / step) : max(0, (start - end - step - 1) / -step)
            guard count <= 10_000_000 else { throw at.error("range would make \(count) numbers; at most 10000000", argument: 0) }
            return .list(stride(from: start, to: end, by: step).map { .number(Double($0)) })
        },
        Builtin(name: "sort", usage: "sort(xs)", summary: "the numbers or strings in increasing order") { args, at throws(CommandError) in
            try at.count(args, 1...1)
            guard case .list(let items) = args[0] else { throw at.error("sort takes a list, not \(args[0].typeDescription)", argument: 0) }
            if items.allSatisfy({ if case .string = $0 { return true } else { return false } }) {
                return .list(items.compactMap { if case .string(let s) = $0 { return s } else { return nil } }.sorted().map { .string($0) })
            }
            return .list(try at.numbers(args, allowEmpty: true).sorted().map { .number($0) })
        },
        Builtin(name: "argmin", usage: "argmin(xs)", summary: "the index of the smallest number (the first when tied)") { args, at throws(CommandError) in
            let numbers = try at.numbers(args, onlyList: true)
            return .number(Double(numbers.indices.min { numbers[$0] < numbers[$1] }!))
        },
        Builtin(name: "argmax", usage: "argmax(xs)", summary: "the index of the largest number (the first when tied)") { args, at throws(CommandError) in
            let numbers = try at.numbers(args, onlyList: true)
            return .number(Double(numbers.indices.max { numbers[$0] < numbers[$1] || (numbers[$0] == numbers[$1] && $0 > $1) }!))
        },
        Builtin(name: "format", usage: "format(x, digits)", summary: "a number as text with that many digits after the point") { args, at throws(CommandError) in
            try at.count(args, 2...2)
            let x = try at.number(args, 0)
            let digits = try at.integer(args, 1)
            guard (0...15).contains(digits) else { throw at.error("format keeps 0 to 15 digits, not \(digits)", argument: 1) }
            return .string(String(format: "%.\(digits)f", x))
        },
        Builtin(name: "str", usage: "str(x)", summary: "the value as text, as print shows it") { args, at throws(CommandError) in
            try at.count(args, 1...1)
            return .string(args[0].displayText)
        },
    ]
}

/// Where a builtin was called: its name and the spans of the call and each argument, for errors.
struct BuiltinCall {
    let name: String
    let range: SourceRange
    let argumentRanges: [SourceRange]
    /// The session, for builtins that read the model (`tensor`).
    var session: Session? = nil

    func error(_ message: String, argument: Int? = nil) -> CommandError {
        let at = argument.flatMap { $0 < argumentRanges.count ? argumentRanges[$0] : nil } ?? range
        return CommandError("TypeError", message, at: at)
    }

    func count(_ args: [ScriptValue], _ allowed: ClosedRange<Int>) throws(CommandError) {
        guard allowed.contains(args.count) else {
            let usage = Builtin.all[name]?.usage ?? name
            throw error("\(name) takes \(allowed.lowerBound == allowed.upperBound ? "\(allowed.lowerBound)" : "\(allowed.lowerBound) to \(allowed.upperBound)") argument\(allowed.upperBound == 1 ? "" : "s"), got \(args.count): \(usage)")
        }
    }

    func number(_ args: [ScriptValue], _ index: Int, count expected: Int? = nil) throws(CommandError) -> Double {
        if let expected { try count(args, expected...expected) }
        guard case .number(let value) = args[index] else {
            throw error("\(name) needs a number, not \(args[index].typeDescription)", argument: index)
        }
        return value
    }

    func integer(_ args: [ScriptValue], _ index: Int) throws(CommandError) -> Int {
        let value = try number(args, index)
        guard value == value.rounded(), abs(value) < 1e15 else {
            throw error("\(name) needs a whole number, not \(ScriptValue.numberText(value))", argument: index)
        }
        return Int(value)
    }

    /// The numbers of `f(xs)` or `f(a, b, …)`.
    func numbers(_ args: [ScriptValue], allowEmpty: Bool = false, onlyList: Bool = false) throws(CommandError) -> [Double] {
        let items: [ScriptValue]
        let fromList: Bool
        if args.count == 1, case .list(let list) = args[0] {
            items = list
            fromList = true
        } else if onlyList || args.count < 2 {
            throw error("\(name) takes a list of numbers, e.g. \(name)([1, 2, 3])" + (args.first.map { ", not \($0.typeDescription)" } ?? ""),
                        argument: 0)
        } else {
            items = args
            fromList = false
        }
        guard allowEmpty || !items.isEmpty else { throw error("\(name) of an empty list", argument: 0) }
        var numbers: [Double] = []
        for (index, item) in items.enumerated() {
            guard case .number(let value) = item else {
                throw error("\(name) needs numbers; item \(index) is \(item.typeDescription)", argument: fromList ? 0 : index)
            }
            numbers.append(value)
        }
        return numbers
    }
}
