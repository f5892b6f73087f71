import AttuneLanguage
import Essentials

/// Runs the statements of the scripting language (`let`, `for`, `if`, `fn`, `print`, `assert`,
/// commands with their values) and evaluates expressions, tree-walking in the style of jlox.
///
/// Every command a statement runs, and every `print`, becomes one `StatementOutcome`, in the
/// order they happen: a loop's commands are recorded inside its cell in order. Errors are
/// `CommandError`s with the span of the expression at fault (`TypeError`, `NameError`,
/// `AssertionError`, `RecursionError`); the first one ends the run. Between the statements of a
/// block the evaluator honours Ctrl-C (`Session.stop`): the loop ends, the session stays.
final class Evaluator {
    /// Calls of user functions nested deeper than this stop with a `RecursionError`.
    static let maximumCallDepth = 200

    /// How a statement ended.
    enum Flow {
        case normal
        case breakLoop
        case continueLoop
        case returned(ScriptValue)
    }

    /// Why a run stopped early: an error (already in `outcomes` when `recorded`), or Ctrl-C.
    enum Stop: Error {
        case failed(CommandError, recorded: Bool)
        case interrupted(before: SourceRange)
    }

    unowned let interpreter: Interpreter
    /// What ran so far, in order.
    private(set) var outcomes: [StatementOutcome] = []
    /// The source text being run (a function written in another cell has its own).
    private var source: String
    private var callDepth = 0

    init(interpreter: Interpreter, source: String) {
        self.interpreter = interpreter
        self.source = source
    }

    var session: Session { interpreter.session }

    // MARK: Statements

    /// Runs one statement of `scope`.
    func execute(_ statement: Statement, in scope: Scope) throws(Stop) -> Flow {
        switch statement.kind {
        case .command(let binding, let command, let declares):
            let resolved = try resolveArguments(of: command, in: scope)
            let (outcome, value) = interpreter.runCommand(statement, command: resolved, scope: scope)
            outcomes.append(outcome)
            if let error = outcome.error { throw .failed(error, recorded: true) }
            if let binding {
                if declares { scope.define(binding.text, value) } else { scope.assign(binding.text, value) }
            }
            return .normal
        case .assignment(let name, let expression, let declares):
            let value = try evaluate(expression, in: scope)
            if !declares, scope.lookup(name.text) == nil, HyperparameterTable.spec(name.text) != nil {
                // `lr=2e-4` typed for `set lr=2e-4` makes a variable: say so.
                let note = "\(name.text) is now a variable, not the hyperparameter: to change it write set \(name.text)=\(name.text)"
                outcomes.append(StatementOutcome(statement: statement, output: CommandOutput(warnings: [note]), error: nil))
            }
            if declares { scope.define(name.text, value) } else { scope.assign(name.text, value) }
            return .normal
        case .forLoop(let name, let sequenceExpression, let body):
            let sequence = try evaluate(sequenceExpression, in: scope)
            let items: [ScriptValue]
            switch sequence {
            case .list(let list): items = list
            case .string(let text): items = text.map { .string(String($0)) }
            default:
                throw fail("for goes over a list (or the characters of a string), not \(sequence.typeDescription); e.g. for i in range(3) { … }",
                           at: sequenceExpression.range)
            }
            for item in items {
                let inner = Scope(parent: scope)
                inner.define(name.text, item)
                switch try executeBlock(body, in: inner) {
                case .breakLoop: return .normal
                case .returned(let value): return .returned(value)
                case .normal, .continueLoop: continue
                }
            }
            return .normal
        case .ifChain(let branches, let otherwise):
            for branch in branches where try condition(branch.condition, in: scope, role: "the condition of if") {
                return try executeBlock(branch.body, in: Scope(parent: scope))
            }
            if let otherwise { return try executeBlock(otherwise, in: Scope(parent: scope)) }
            return .normal
        case .function(let name, let parameters, let body):
            let function = ScriptFunction(name: name.text, parameters: parameters.map(\.text),
                                          body: .user(body, scope: scope, source: source))
            scope.define(name.text, .function(function))
            return .normal
        case .returnValue(let expression):
            return .returned(try expression.map { expression throws(Stop) in try evaluate(expression, in: scope) } ?? .none)
        case .breakLoop:
            return .breakLoop
        case .continueLoop:
            return .continueLoop
        case .print(let expressions):
            var parts: [String] = []
            for expression in expressions { parts.append(try evaluate(expression, in: scope).displayText) }
            let line = parts.joined(separator: " ")
            session.liveStream?(line)
            outcomes.append(StatementOutcome(statement: statement, output: CommandOutput(stream: [line]), error: nil))
            return .normal
        case .assert(let conditionExpression, let messageExpression):
            guard try !condition(conditionExpression, in: scope, role: "what assert checks") else { return .normal }
            let message: String
            if let messageExpression {
                message = try evaluate(messageExpression, in: scope).displayText
            } else {
                message = "assertion failed: " + text(of: conditionExpression.range)
            }
            throw .failed(CommandError("AssertionError", message, at: conditionExpression.range), recorded: false)
        case .expression(let expression):
            _ = try evaluate(expression, in: scope)
            return .normal
        }
    }

    /// Runs a block's statements in order, stopping between two of them when Ctrl-C asked to.
    func executeBlock(_ block: Block, in scope: Scope) throws(Stop) -> Flow {
        for statement in block.statements {
            if interruptRequested() { throw .interrupted(before: statement.range) }
            let flow = try execute(statement, in: scope)
            if case .normal = flow { continue }
            return flow
        }
        return .normal
    }

    /// Each statement boundary inside a block is a safe point: Ctrl-C stops there, and a replay
    /// of a cell stopped there stops at the same boundary.
    private func interruptRequested() -> Bool {
        session.safePoints.reached += 1
        if let limit = session.safePoints.stopAt, session.safePoints.reached >= limit { session.stop.request() }
        guard session.stop.isRequested else { return false }
        if session.safePoints.stoppedAt == nil { session.safePoints.stoppedAt = session.safePoints.reached }
        return true
    }

    /// A condition: it must be true or false.
    private func condition(_ expression: Expression, in scope: Scope, role: String) throws(Stop) -> Bool {
        let value = try evaluate(expression, in: scope)
        guard case .bool(let flag) = value else {
            throw fail("\(role) must be true or false, not \(value.typeDescription) (\(clipped(value))); compare it, e.g. x > 0",
                       at: expression.range)
        }
        return flag
    }

    // MARK: Command arguments

    /// The argument rule: a bare name bound to a variable is the variable's value, a
    /// parenthesised expression or a string with `{…}` is evaluated; everything else stays as
    /// written (`layers.*`, `all-linear`, `cosine`, an unbound `base`).
    func resolveArguments(of command: Command, in scope: Scope) throws(Stop) -> Command {
        // `help lr` asks about the word, whatever a variable of that name holds.
        session.argumentValues = [:]
        if command.name == "help" { return command }
        var changed = false
        var arguments: [Argument] = []
        for argument in command.arguments {
            let value = try resolve(argument.value, in: scope)
            if value != argument.value { changed = true }
            arguments.append(Argument(key: argument.key, value: value))
        }
        return changed ? Command(words: command.words, spec: command.spec, arguments: arguments) : command
    }

    private func resolve(_ value: Value, in scope: Scope) throws(Stop) -> Value {
        switch value.kind {
        case .identifier(let name):
            guard let bound = scope.lookup(name) else { return value }
            return literal(bound, for: value) ?? value
        case .expression(let expression):
            let result = try evaluate(expression, in: scope)
            if case .opaque = result {
                // A tensor or a chart stays as written; the command reads its value (`plot hist(w)`).
                session.argumentValues[value.range] = result
                return value
            }
            guard let converted = literal(result, for: value) else {
                throw fail("\(text(of: value.range)) gives \(result.typeDescription); a command takes numbers, text, true or false, words and lists",
                           at: value.range)
            }
            return converted
        case .list(let items):
            var resolved: [Value] = []
            for item in items { resolved.append(try resolve(item, in: scope)) }
            return Value(.list(resolved), range: value.range, text: value.text)
        case .tuple(let items):
            var resolved: [Value] = []
            for item in items { resolved.append(try resolve(item, in: scope)) }
            return Value(.tuple(resolved), range: value.range, text: value.text)
        case .path(let path):
            // `steps=r.steps` is a path (a word); a field of a bound record goes in parentheses.
            if case .name(let head)? = path.components.first, !path.isPattern, let bound = scope.lookup(head) {
                switch bound {
                case .record, .opaque:
                    throw fail("in a command's arguments \(value.text) is a word; to use the value of \(head)'s field write (\(value.text))",
                               at: value.range)
                default: break
                }
            }
            return value
        default:
            return value
        }
    }

    /// A runtime value as an argument value at `original`'s place; nil for records, functions and
    /// `none`, which a command cannot take (a bound name then stays a word).
    private func literal(_ value: ScriptValue, for original: Value) -> Value? {
        switch value {
        case .number(let number): return Value(.number(number), range: original.range, text: value.sourceText)
        case .string(let text): return Value(.string(text), range: original.range, text: value.sourceText)
        case .bool(let flag): return Value(.bool(flag), range: original.range, text: value.sourceText)
        case .list(let items):
            var converted: [Value] = []
            for item in items {
                guard let value = literal(item, for: original) else { return nil }
                converted.append(value)
            }
            return Value(.list(converted), range: original.range, text: value.sourceText)
        case .none, .record, .function, .opaque:
            return nil
        }
    }

    // MARK: Expressions

    /// The value of an expression.
    func evaluate(_ expression: Expression, in scope: Scope) throws(Stop) -> ScriptValue {
        switch expression.kind {
        case .number(let value): return .number(value)
        case .string(let text): return .string(text)
        case .bool(let value): return .bool(value)
        case .none: return .none
        case .template(let pieces):
            var text = ""
            for piece in pieces {
                switch piece {
                case .text(let part): text += part
                case .expression(let inner): text += try evaluate(inner, in: scope).displayText
                }
            }
            return .string(text)
        case .variable(let name):
            if let value = scope.lookup(name) { return value }
            if let builtin = Builtin.all[name] {
                return .function(ScriptFunction(name: name, parameters: [], body: .builtin(builtin)))
            }
            if let tensor = try tensorReference(expression, in: scope) { return tensor }
            throw unknownName(name, at: expression.range, scope: scope)
        case .list(let items):
            var values: [ScriptValue] = []
            for item in items { values.append(try evaluate(item, in: scope)) }
            return .list(values)
        case .record(let fields):
            var record = ScriptRecord()
            for field in fields { record.set(field.name.text, try evaluate(field.value, in: scope)) }
            return .record(record)
        case .unary(let op, let operandExpression):
            let operand = try evaluate(operandExpression, in: scope)
            switch (op, operand) {
            case (.negate, .number(let value)): return .number(-value)
            case (.not, .bool(let value)): return .bool(!value)
            case (.negate, .opaque(let object)):
                guard let negated = try opaque({ () throws(CommandError) in try object.combined(.subtract, with: .number(0), selfOnLeft: false) },
                                               at: expression.range) else {
                    throw fail("'-' needs a number or a tensor, not \(operand.typeDescription)", at: expression.range)
                }
                return negated
            case (.negate, _):
                throw fail("'-' needs a number, not \(operand.typeDescription)", at: expression.range)
            case (.not, _):
                throw fail("not needs true or false, not \(operand.typeDescription) (\(clipped(operand)))", at: operandExpression.range)
            }
        case .binary(let op, let left, let right):
            return try binary(op, left, right, expression: expression, in: scope)
        case .field(let baseExpression, let name):
            if let tensor = try tensorReference(expression, in: scope) { return tensor }
            let base = try evaluate(baseExpression, in: scope)
            return try field(name, of: base, baseExpression: baseExpression)
        case .index(let baseExpression, let indexExpression):
            let base = try evaluate(baseExpression, in: scope)
            let index = try evaluate(indexExpression, in: scope)
            return try subscripted(base, index, at: indexExpression.range, whole: expression.range)
        case .slice(let baseExpression, let startExpression, let endExpression):
            let base = try evaluate(baseExpression, in: scope)
            let start = try startExpression.map { e throws(Stop) in try wholeNumber(e, in: scope, role: "a slice bound") }
            let end = try endExpression.map { e throws(Stop) in try wholeNumber(e, in: scope, role: "a slice bound") }
            switch base {
            case .list(let items):
                return .list(Array(items[Self.sliceRange(count: items.count, start: start, end: end)]))
            case .string(let text):
                let characters = Array(text)
                return .string(String(characters[Self.sliceRange(count: characters.count, start: start, end: end)]))
            case .opaque(let object):
                if let value = try opaque({ () throws(CommandError) in try object.subscripted([.range(start: start, end: end)]) }, at: expression.range) {
                    return value
                }
                throw fail("\(base.typeDescription) cannot be sliced", at: baseExpression.range)
            default:
                throw fail("only lists, strings and tensors can be sliced, not \(base.typeDescription)", at: baseExpression.range)
            }
        case .subscripts(let baseExpression, let items):
            let base = try evaluate(baseExpression, in: scope)
            var subscripts: [ScriptSubscript] = []
            for item in items {
                switch item {
                case .index(let index):
                    subscripts.append(.index(try wholeNumber(index, in: scope, role: "an index")))
                case .range(let startExpression, let endExpression):
                    let start = try startExpression.map { e throws(Stop) in try wholeNumber(e, in: scope, role: "a slice bound") }
                    let end = try endExpression.map { e throws(Stop) in try wholeNumber(e, in: scope, role: "a slice bound") }
                    subscripts.append(.range(start: start, end: end))
                }
            }
            guard case .opaque(let object) = base,
                  let value = try opaque({ () throws(CommandError) in try object.subscripted(subscripts) }, at: expression.range) else {
                throw fail("[…, …] with several items indexes a tensor's dimensions; \(text(of: baseExpression.range)) is \(base.typeDescription)",
                           at: expression.range)
            }
            return value
        case .call(let calleeExpression, let argumentExpressions):
            let callee = try evaluate(calleeExpression, in: scope)
            var arguments: [ScriptValue] = []
            for argument in argumentExpressions { arguments.append(try evaluate(argument, in: scope)) }
            guard case .function(let function) = callee else {
                throw fail("\(text(of: calleeExpression.range)) is \(callee.typeDescription), not a function", at: calleeExpression.range)
            }
            return try call(function, arguments, at: expression.range, argumentRanges: argumentExpressions.map(\.range))
        }
    }

    private func binary(_ op: BinaryOperator, _ leftExpression: Expression, _ rightExpression: Expression,
                        expression: Expression, in scope: Scope) throws(Stop) -> ScriptValue {
        // `and` and `or` look at the right side only when they need it.
        if op == .and || op == .or {
            let left = try condition(leftExpression, in: scope, role: "each side of \(op.rawValue)")
            if op == .and && !left { return .bool(false) }
            if op == .or && left { return .bool(true) }
            return .bool(try condition(rightExpression, in: scope, role: "each side of \(op.rawValue)"))
        }
        let left = try evaluate(leftExpression, in: scope)
        let right = try evaluate(rightExpression, in: scope)
        switch (op, left, right) {
        case (.equal, _, _): return .bool(left == right)
        case (.notEqual, _, _): return .bool(left != right)
        case (_, .opaque(let object), _) where op != .contains,
             (_, _, .opaque(let object)) where op != .contains:
            let selfOnLeft: Bool
            if case .opaque(let leftObject) = left, leftObject === object { selfOnLeft = true } else { selfOnLeft = false }
            if let value = try opaque({ () throws(CommandError) in try object.combined(op, with: selfOnLeft ? right : left, selfOnLeft: selfOnLeft) },
                                      at: expression.range) {
                return value
            }
            throw fail("cannot apply '\(op.rawValue)' to \(left.typeDescription) and \(right.typeDescription)", at: expression.range)
        case let (.add, .number(a), .number(b)): return .number(a + b)
        case let (.add, .string(a), .string(b)): return .string(a + b)
        case let (.add, .list(a), .list(b)): return .list(a + b)
        case let (.subtract, .number(a), .number(b)): return .number(a - b)
        case let (.multiply, .number(a), .number(b)): return .number(a * b)
        case let (.divide, .number(a), .number(b)):
            guard b != 0 else { throw fail("division by zero: \(text(of: rightExpression.range)) is 0", at: rightExpression.range) }
            return .number(a / b)
        case let (.remainder, .number(a), .number(b)):
            guard b != 0 else { throw fail("remainder by zero: \(text(of: rightExpression.range)) is 0", at: rightExpression.range) }
            return .number(a - b * (a / b).rounded(.down))
        case let (.less, .number(a), .number(b)): return .bool(a < b)
        case let (.lessOrEqual, .number(a), .number(b)): return .bool(a <= b)
        case let (.greater, .number(a), .number(b)): return .bool(a > b)
        case let (.greaterOrEqual, .number(a), .number(b)): return .bool(a >= b)
        case let (.less, .string(a), .string(b)): return .bool(a < b)
        case let (.lessOrEqual, .string(a), .string(b)): return .bool(a <= b)
        case let (.greater, .string(a), .string(b)): return .bool(a > b)
        case let (.greaterOrEqual, .string(a), .string(b)): return .bool(a >= b)
        case let (.contains, _, .list(items)): return .bool(items.contains(left))
        case let (.contains, .string(part), .string(whole)): return .bool(whole.contains(part))
        case let (.contains, .string(name), .record(record)): return .bool(record.names.contains(name))
        default:
            var message = "cannot apply '\(op.rawValue)' to \(left.typeDescription) and \(right.typeDescription)"
            if op == .add, case .string = left { message += "; to put a value in a string write \"…{x}…\"" }
            if op == .add, case .string = right { message += "; to put a value in a string write \"…{x}…\"" }
            if op == .add, case .list = left { message += "; to add an item write xs + [x]" }
            throw fail(message, at: expression.range)
        }
    }

    /// `base.name`, with "did you mean" over the fields when there is no such field.
    private func field(_ name: Name, of base: ScriptValue, baseExpression: Expression) throws(Stop) -> ScriptValue {
        let fields: [String]
        switch base {
        case .record(let record):
            if let value = record[name.text] { return value }
            fields = record.names
        case .opaque(let object):
            if let value = try opaque({ () throws(CommandError) in try object.fieldValue(name.text) }, at: name.range) { return value }
            fields = object.fieldNames
        default:
            throw fail("\(text(of: baseExpression.range)) is \(base.typeDescription), which has no fields", at: baseExpression.range)
        }
        let guess = suggest(name.text, from: fields)
        let hint = guess.map { " — did you mean '\($0)'?" } ?? ""
        let list = fields.isEmpty ? "it has no fields" : "fields: " + fields.joined(separator: ", ")
        throw .failed(CommandError("NameError", "\(base.typeDescription) has no field '\(name.text.clippedForMessage)'\(hint) (\(list))",
                                   at: name.range, suggestion: guess), recorded: false)
    }

    private func subscripted(_ base: ScriptValue, _ index: ScriptValue, at range: SourceRange, whole: SourceRange) throws(Stop) -> ScriptValue {
        switch (base, index) {
        case let (.list(items), .number(number)):
            return items[try position(number, count: items.count, at: range)]
        case let (.string(text), .number(number)):
            let characters = Array(text)
            return .string(String(characters[try position(number, count: characters.count, at: range)]))
        case let (.opaque(object), .number(number)):
            guard number == number.rounded(), abs(number) < 1e15 else {
                throw fail("an index must be a whole number, not \(ScriptValue.numberText(number))", at: range)
            }
            if let value = try opaque({ () throws(CommandError) in try object.subscripted([.index(Int(number))]) }, at: range) { return value }
            throw fail("cannot index \(base.typeDescription) with \(index.typeDescription)", at: whole)
        case let (.record(record), .string(name)):
            if let value = record[name] { return value }
            let guess = suggest(name, from: record.names)
            throw .failed(CommandError("NameError", "no field '\(name.clippedForMessage)'" + (guess.map { " — did you mean '\($0)'?" } ?? "")
                                       + " (fields: \(record.names.joined(separator: ", ")))", at: range, suggestion: guess), recorded: false)
        default:
            throw fail("cannot index \(base.typeDescription) with \(index.typeDescription)", at: whole)
        }
    }

    /// A whole-number index into `count` items; negative counts from the end.
    private func position(_ number: Double, count: Int, at range: SourceRange) throws(Stop) -> Int {
        guard number == number.rounded(), abs(number) < 1e15 else {
            throw fail("an index must be a whole number, not \(ScriptValue.numberText(number))", at: range)
        }
        let index = Int(number)
        let resolved = index < 0 ? count + index : index
        guard (0..<count).contains(resolved) else {
            throw fail("index \(index) is out of range: there \(count == 1 ? "is 1 item" : "are \(count) items")"
                       + (count > 0 ? " (0 to \(count - 1), or -1 for the last)" : ""), at: range)
        }
        return resolved
    }

    /// Python-style slice bounds: clamped, negative from the end.
    static func sliceRange(count: Int, start: Int?, end: Int?) -> Range<Int> {
        func clamp(_ bound: Int?, _ fallback: Int) -> Int {
            guard let bound else { return fallback }
            return min(count, max(0, bound < 0 ? count + bound : bound))
        }
        let lower = clamp(start, 0)
        return lower..<max(lower, clamp(end, count))
    }

    private func wholeNumber(_ expression: Expression, in scope: Scope, role: String) throws(Stop) -> Int {
        let value = try evaluate(expression, in: scope)
        guard case .number(let number) = value, number == number.rounded(), abs(number) < 1e15 else {
            throw fail("\(role) must be a whole number, not \(value.typeDescription) (\(clipped(value)))", at: expression.range)
        }
        return Int(number)
    }

    // MARK: Calls

    /// Calls a builtin or a user function.
    func call(_ function: ScriptFunction, _ arguments: [ScriptValue], at range: SourceRange,
              argumentRanges: [SourceRange]) throws(Stop) -> ScriptValue {
        switch function.body {
        case .builtin(let builtin):
            do {
                return try builtin.call(arguments, BuiltinCall(name: builtin.name, range: range, argumentRanges: argumentRanges, session: session))
            } catch {
                throw .failed(error, recorded: false)
            }
        case .user(let body, let definingScope, let definingSource):
            guard arguments.count == function.parameters.count else {
                throw fail("\(function.name) takes \(function.parameters.count) argument\(function.parameters.count == 1 ? "" : "s") "
                           + "(\(function.parameters.joined(separator: ", "))), got \(arguments.count)", at: range)
            }
            guard callDepth < Self.maximumCallDepth else {
                throw .failed(CommandError("RecursionError", "calls nest deeper than \(Self.maximumCallDepth) (in \(function.name)): "
                                           + "a function that calls itself needs a case that returns without calling again", at: range),
                              recorded: false)
            }
            callDepth += 1
            let local = Scope(parent: definingScope)
            for (name, value) in zip(function.parameters, arguments) { local.define(name, value) }
            let callerSource = source
            source = definingSource
            defer {
                source = callerSource
                callDepth -= 1
            }
            do {
                if case .returned(let value) = try executeBlock(body, in: local) { return value }
                return .none
            } catch {
                // An error inside a function written in another cell is shown at the call.
                guard definingSource != callerSource, case .failed(let inner, let recorded) = error else { throw error }
                var moved = inner
                let place = inner.range.map { "line \($0.start.line), column \($0.start.column) of the cell that defines it" } ?? "its body"
                moved.message = "in \(function.name) (\(place)): \(inner.message)"
                moved.range = range
                moved.suggestion = nil
                if recorded, !outcomes.isEmpty { outcomes[outcomes.count - 1].error = moved }
                throw .failed(moved, recorded: recorded)
            }
        }
    }

    // MARK: Engine values

    /// Runs an operation of an engine value, its errors pointing at `range` unless they point somewhere.
    private func opaque(_ body: () throws(CommandError) -> ScriptValue?, at range: SourceRange) throws(Stop) -> ScriptValue? {
        do { return try body() } catch { throw .failed(error.located(default: range), recorded: false) }
    }

    /// A model tensor named by a dotted chain whose head is no variable or builtin:
    /// `layers.0.attn.q_proj.lora_B`, with `.grad` and then any fields (`….lora_B.grad.norm`).
    /// Nil when the head is bound or no model is loaded; a chain that names no tensor is a
    /// `NameError` with the nearest name.
    private func tensorReference(_ expression: Expression, in scope: Scope) throws(Stop) -> ScriptValue? {
        var parts: [Name] = []
        var current = expression
        while case .field(let base, let name) = current.kind {
            parts.insert(name, at: 0)
            current = base
        }
        guard case .variable(let head) = current.kind, scope.lookup(head) == nil, Builtin.all[head] == nil,
              session.model != nil else { return nil }
        let names = [head] + parts.map(\.text)
        if session.adapter == nil, let lora = names.firstIndex(where: { $0.hasPrefix("lora_") }) {
            // `layers.0.attn.q_proj.lora_B` before training: not a field of q_proj, a matrix to come.
            let (message, guess) = session.unknownTensorMessage(names[0...lora].joined(separator: "."))
            throw .failed(CommandError("NameError", message, at: expression.range, suggestion: guess), recorded: false)
        }
        for length in stride(from: names.count, through: 1, by: -1) {
            guard let entry = session.tensorEntry(names[0..<length].joined(separator: ".")) else { continue }
            let gradient = length < names.count && names[length] == "grad"
            let used = gradient ? length + 1 : length
            let tensorRange = used == 1 ? current.range : current.range.union(parts[used - 2].range)
            var value: ScriptValue
            do { value = .opaque(try TensorValue.parameter(entry, gradient: gradient)) } catch {
                throw .failed(error.located(default: tensorRange), recorded: false)
            }
            var baseExpression = Expression(.variable(names[0..<used].joined(separator: ".")), range: tensorRange)
            for part in parts.dropFirst(used - 1) {
                value = try field(part, of: value, baseExpression: baseExpression)
                baseExpression = Expression(.field(baseExpression, part), range: baseExpression.range.union(part.range))
            }
            return value
        }
        let dotted = names.joined(separator: ".")
        // `rr.loss` with a typo in a variable's name is an unknown name, not a tensor. The longest
        // name wins, so `layers.0.attn.q_proj.lora_B` is the adapter matrix, not a field of q_proj.
        guard !parts.isEmpty, session.tensorNames.contains(where: { $0.hasPrefix(head + ".") }) || head == "model" else {
            return nil
        }
        let (message, guess) = session.unknownTensorMessage(dotted)
        throw .failed(CommandError("NameError", message, at: expression.range, suggestion: guess), recorded: false)
    }

    // MARK: Errors

    private func unknownName(_ name: String, at range: SourceRange, scope: Scope) -> Stop {
        if interpreter.registry.table.isLeadingWord(name) {
            return .failed(CommandError("NameError", "'\(name)' is a command, not a value: run it on its own line, or bind its result, "
                                        + "e.g. r = \(name) …", at: range), recorded: false)
        }
        if session.model == nil, ["layers", "embed", "norm", "lm_head"].contains(name) {
            return .failed(CommandError("NameError", "'\(name)' names a model tensor, and no model is loaded: create one with model new tiny "
                                        + "or load one with model load PATH", at: range), recorded: false)
        }
        let candidates = scope.visibleNames + Builtin.names
        let guess = suggest(name, from: candidates)
        let hint = guess.map { " — did you mean '\($0)'?" } ?? "; define it first, e.g. let \(name) = 1"
        return .failed(CommandError("NameError", "unknown name '\(name.clippedForMessage)'\(hint)", at: range, suggestion: guess),
                       recorded: false)
    }

    private func fail(_ message: String, at range: SourceRange) -> Stop {
        .failed(CommandError("TypeError", message, at: range), recorded: false)
    }

    /// The source text of a span of the current source.
    private func text(of range: SourceRange) -> String {
        let scalars = Array(source.unicodeScalars)
        let start = min(range.start.offset, scalars.count), end = min(max(range.end.offset, start), scalars.count)
        return String(String.UnicodeScalarView(scalars[start..<end]))
    }

    private func clipped(_ value: ScriptValue) -> String {
        let text = value.sourceText
        return text.count > 40 ? String(text.prefix(37)) + "…" : text
    }
}
