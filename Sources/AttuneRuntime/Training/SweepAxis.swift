import AttuneLanguage

/// One swept setting of `sweep KEY=[v1, v2, …]`: a hyperparameter (`lr`, `batch`, `accum`, …) or
/// a LoRA setting of `method` (`r`, `alpha`), with its values checked as `set` / `method` would.
struct SweepAxis: Sendable, Equatable {
    /// The canonical key (`lr` for `learning_rate`).
    var key: String
    var values: [HyperparameterValue]

    /// LoRA settings a sweep may vary besides the hyperparameters.
    static let methodKeys = ["r", "alpha"]

    /// Checks `argument` (`lr=[1e-4, 3e-4]`, or one value) against the key's type and range.
    static func parse(_ argument: Argument, method: TrainingMethod) throws(CommandError) -> SweepAxis {
        guard let key = argument.key else {
            throw CommandError.invalidValue("sweep needs KEY=[values], e.g. sweep lr=[1e-4, 3e-4, 1e-3] steps=40", at: argument.range)
        }
        let items = argument.value.elements ?? [argument.value]
        guard !items.isEmpty else { throw CommandError.invalidValue("\(key.text) needs at least one value", at: argument.range) }
        if methodKeys.contains(key.text) {
            guard method != .full else {
                throw CommandError.invalidValue("\(key.text) is a LoRA setting; the method is full fine-tuning", at: key.range)
            }
            var values = [HyperparameterValue]()
            for item in items {
                if key.text == "r" {
                    guard let rank = item.integer, (1...4096).contains(rank) else {
                        throw CommandError.invalidValue("r must be a whole number from 1 to 4096 (got \(item))", at: item.range)
                    }
                    values.append(.integer(rank))
                } else {
                    guard let alpha = item.number ?? item.integer.map(Double.init), alpha > 0 else {
                        throw CommandError.invalidValue("alpha must be a number above 0 (got \(item))", at: item.range)
                    }
                    values.append(.number(alpha))
                }
            }
            return SweepAxis(key: key.text, values: values)
        }
        guard let spec = HyperparameterTable.spec(key.text) else {
            throw SetCommand.unknownKey(key)
        }
        var values = [HyperparameterValue]()
        for item in items { values.append(try SetCommand.convert(item, spec: spec, method: method)) }
        return SweepAxis(key: spec.name, values: values)
    }

    /// Every combination of the axes' values, first axis slowest (`lr=[a, b] batch=[1, 2]` →
    /// a·1, a·2, b·1, b·2).
    static func combinations(_ axes: [SweepAxis]) -> [[(key: String, value: HyperparameterValue)]] {
        var result: [[(key: String, value: HyperparameterValue)]] = [[]]
        for axis in axes {
            result = result.flatMap { prefix in axis.values.map { prefix + [(axis.key, $0)] } }
        }
        return result
    }

    /// Applies one setting to the session (a hyperparameter, or the method's rank or alpha).
    static func apply(key: String, value: HyperparameterValue, to session: Session) {
        switch key {
        case "r": session.method.rank = value.integer ?? session.method.rank
        case "alpha": session.method.alpha = value.number ?? session.method.alpha
        default:
            guard let hyperparameter = HyperparameterKey(rawValue: key) else { preconditionFailure("sweep: \(key) is neither a hyperparameter nor r/alpha") }
            session.hyperparameters.set(hyperparameter, value)
        }
    }
}
