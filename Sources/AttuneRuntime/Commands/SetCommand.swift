import Foundation
import Essentials
import AttuneLanguage

/// `set KEY=VALUE …`: changes hyperparameters, all or none. Values outside their valid range are
/// errors; values outside the guide's recommended range are accepted with a warning. With no
/// arguments it lists every key and its value.
struct SetCommand: RuntimeCommand {
    let spec = StandardSpec.named("set")
    let schema = ArgumentSchema([], rest: .positional("key", .text, required: false, "a key without a value (an error)"), opensKeys: true)
    let help = CommandHelp("""
        Sets one or more hyperparameters for the next training run. Every key has a type and a valid \
        range (an error when broken) and, where the guide has one, a recommended range (a warning when \
        left). Either every value in the statement is applied or none is. `set` alone lists every key; \
        `?KEY` explains one (meaning, current value, recommended range, what too high or too low looks like).
        Keys: \(HyperparameterTable.names.joined(separator: ", ")).
        """, examples: ["set lr=2e-4 batch=4 accum=4 seq=256", "set schedule=cosine warmup=10 epochs=1", "set warmup=5%", "set numerics=fast", "set"])

    func run(_ context: CommandContext) throws {
        let session = context.session
        if let first = context.arguments.rest.first, case .word(let word) = first {
            let range = context.arguments.restRanges.first
            let example = HyperparameterTable.spec(word)?.example ?? "VALUE"
            throw CommandError.invalidValue("set needs KEY=VALUE, e.g. set \(word)=\(example) (?\(word) explains a key)", at: range)
        }
        if context.arguments.extraKeyed.isEmpty {
            context.result(Self.table(session))
            return
        }
        let method = session.method.method
        var pending: [(HyperparameterSpec, HyperparameterValue)] = []
        for argument in context.arguments.extraKeyed {
            guard let key = argument.key else { continue }
            guard let spec = HyperparameterTable.spec(key.text) else { throw Self.unknownKey(key) }
            guard !pending.contains(where: { $0.0.name == spec.name }) else {
                throw CommandError.invalidValue("\(spec.name) is given twice", at: argument.range)
            }
            pending.append((spec, try Self.convert(argument.value, spec: spec, method: method)))
        }
        for (spec, value) in pending {
            session.hyperparameters.set(spec.key, value)
            if let warning = HyperparameterAdvice.rangeWarning(spec, value, method: method,
                                                               parameterCount: session.model?.model.config.parameterCount) {
                context.warn(warning)
            }
        }
        let changed = Set(pending.map(\.0.key))
        for warning in HyperparameterAdvice.consistencyWarnings(changed: changed, values: session.hyperparameters, model: session.model) {
            context.warn(warning)
        }
        // Machine-dependent, so printed live and never recorded: a bf16 notebook verifies anywhere.
        if changed.contains(.numerics), let note = NumericsSetting.portableNote(mode: session.hyperparameters.numerics) {
            context.progress(note)
        }
        context.result(pending.map { "\($0.0.name)=\($0.1)" }.joined(separator: " ") + " (seed \(session.seed))")
    }

    /// The value checked, with the guide's range added to an error message.
    static func convert(_ value: Value, spec: HyperparameterSpec, method: TrainingMethod) throws(CommandError) -> HyperparameterValue {
        do {
            return try spec.convert(value)
        } catch {
            var error = error
            if let range = spec.recommendedRange(for: method) {
                let scope = spec.recommendedByMethod != nil ? " for \(method.displayName)" : ""
                error.message += "; the guide recommends \(HyperparameterAdvice.rangeText(range))\(scope)"
            }
            throw error
        }
    }

    /// "unknown hyperparameter 'lerning_rate' — did you mean 'lr'?"
    static func unknownKey(_ key: Name) -> CommandError {
        if let canonical = HyperparameterTable.aliases[key.text] {
            return CommandError("UnknownArgument", "unknown hyperparameter '\(key.text.clippedForMessage)' — Attune calls it '\(canonical)'",
                                at: key.range, suggestion: canonical)
        }
        if let guess = suggest(key.text, aliases: HyperparameterTable.aliases) {
            return CommandError("UnknownArgument", "unknown hyperparameter '\(key.text.clippedForMessage)' — did you mean '\(guess)'?",
                                at: key.range, suggestion: guess)
        }
        return CommandError("UnknownArgument", "unknown hyperparameter '\(key.text.clippedForMessage)'; `set` alone lists the keys, `help set` explains them",
                            at: key.range)
    }

    /// Every key with its value, `*` marking values set explicitly.
    static func table(_ session: Session) -> String {
        let width = HyperparameterTable.names.map(\.count).max() ?? 8
        var lines = ["hyperparameters (* set in this session; method \(session.method.summary)):"]
        for spec in HyperparameterTable.all {
            let value = session.hyperparameters[spec.key]
            let mark = session.hyperparameters.explicitlySet.contains(spec.key) ? "*" : " "
            lines.append("  \(mark) " + spec.name.padding(toLength: width, withPad: " ", startingAt: 0) + "  \(value)")
        }
        return lines.joined(separator: "\n")
    }
}
