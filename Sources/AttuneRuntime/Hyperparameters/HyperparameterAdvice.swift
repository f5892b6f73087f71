import Evaluation

/// The guide's advice on values: warnings when a value leaves its recommended range, and when
/// keys disagree with each other or with the model.
public enum HyperparameterAdvice {
    /// "1e-4 … 3e-4".
    public static func rangeText(_ range: ClosedRange<Double>) -> String {
        "\(NumberText.short(range.lowerBound)) … \(NumberText.short(range.upperBound))"
    }

    /// The warning for `value` of `spec` under `method`, if it leaves the recommended range.
    ///
    /// The learning rate's ranges are the guide's for 7B-class models (``GuideModelClass``), and
    /// the warning says so. For a loaded model of `parameterCount` parameters outside that class,
    /// it says the size and that `train` judges the rate by the loss instead of predicting what
    /// goes wrong (``LearningRateRangeDetector`` escalates only on evidence).
    public static func rangeWarning(_ spec: HyperparameterSpec, _ value: HyperparameterValue, method: TrainingMethod,
                                    parameterCount: Int? = nil) -> String? {
        guard let number = value.number, let range = spec.recommendedRange(for: method) else { return nil }
        let above = number > range.upperBound
        guard above || number < range.lowerBound else { return nil }
        let scope = spec.recommendedByMethod != nil ? " for \(method.displayName)" : ""
        var text = "\(spec.name)=\(value) is \(above ? "above" : "below") the guide's recommended \(rangeText(range))\(scope)"
        if spec.key == .lr {
            text += ", a range it gives for 7B-class models"
            if let parameterCount, !GuideModelClass.contains(parameterCount) {
                return text + "; this is a \(GuideModelClass.sizeText(parameterCount)) model, where other rates can work — "
                    + "train watches the loss and warns if it \(above ? "spikes or diverges" : "does not move")"
            }
        }
        return text + ((above ? spec.tooHigh.map { "; too high: \($0)" } : spec.tooLow.map { "; too low: \($0)" }) ?? "")
    }

    /// Warnings about combinations, for the keys just changed.
    public static func consistencyWarnings(changed: Set<HyperparameterKey>, values: HyperparameterValues, model: SessionModel?) -> [String] {
        var warnings: [String] = []
        let steps = values.steps
        if changed.contains(.warmup) || changed.contains(.steps), steps > 0, case .steps(let warmup) = values.warmup, warmup >= steps {
            warnings.append("warmup=\(warmup) is not shorter than steps=\(steps): the learning rate never reaches lr")
        }
        if changed.contains(.seq) || changed.contains(.steps), let model, values.seq > model.model.config.maxPositionEmbeddings {
            warnings.append("seq=\(values.seq) is longer than the model's context of \(model.model.config.maxPositionEmbeddings) tokens")
        }
        if changed.contains(.minLR) || changed.contains(.lr), values.minLR > 0, values.minLR >= values.lr {
            warnings.append("min_lr=\(NumberText.short(values.minLR)) is not below lr=\(NumberText.short(values.lr)): the schedule cannot decay")
        }
        if changed.contains(.evalEvery) || changed.contains(.steps), steps > 0, values.evalEvery > steps {
            warnings.append("eval_every=\(values.evalEvery) is more than steps=\(steps): validation runs only at the end")
        }
        return warnings
    }

    /// The help `?key` prints: meaning, current value, type, recommended range, too high / too low.
    public static func helpText(_ spec: HyperparameterSpec, session: Session) -> String {
        let current = session.hyperparameters[spec.key]
        // A value not set in the session may still differ from the table's default (a seed or
        // numerics mode given on the command line, in the environment or by a replayed notebook).
        let isDefault = !session.hyperparameters.explicitlySet.contains(spec.key) && current == spec.defaultValue
        var lines = ["\(spec.name) — \(spec.meaning)"]
        lines.append("  current      \(current)\(isDefault ? " (default)" : " (default \(spec.defaultValue))")")
        lines.append("  value        \(spec.typePhrase)")
        if let byMethod = spec.recommendedByMethod {
            let parts = TrainingMethod.allCases.compactMap { m in byMethod[m].map { "\(m.displayName) \(rangeText($0))" } }
            let now = session.method.method.displayName + (session.method.isChosen ? "" : ", assumed until `method` is set")
            lines.append("  recommended  " + parts.joined(separator: " · ") + " (now: \(now))")
        } else if let range = spec.recommended {
            lines.append("  recommended  \(rangeText(range))")
        }
        if let high = spec.tooHigh { lines.append("  too high     \(high)") }
        if let low = spec.tooLow { lines.append("  too low      \(low)") }
        lines += spec.details.map { "  " + $0 }
        lines.append("  example      set \(spec.name)=\(spec.example)")
        return lines.joined(separator: "\n")
    }
}
