import Essentials
/// A fine-tuning setting that cannot work, with the value, the reason and the fix.
public enum TrainingError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A hyperparameter out of range: `name`, the value given, what is allowed.
    case invalidSetting(name: String, value: String, expected: String)
    /// A LoRA target that names no projection of the model.
    case unknownTarget(String, suggestion: String?, known: [String])
    /// A layer index outside the model.
    case layerOutOfRange(Int, layers: Int)
    /// The module already carries an adapter (remove or merge it first).
    case alreadyAdapted(module: String)
    /// The module is missing from the model's projections.
    case missingModule(String)
    /// A checkpoint or configuration that does not fit this session (the message says why and what to do).
    case invalidConfiguration(String)

    public var description: String {
        switch self {
        case let .invalidSetting(name, value, expected):
            "\(name) = \(value) is not allowed: \(expected)"
        case let .unknownTarget(name, suggestion, known):
            "unknown LoRA target '\(name)'" + (suggestion.map { " — did you mean '\($0)'?" } ?? "")
                + " (known: \(known.joined(separator: ", ")), or all-linear)"
        case let .layerOutOfRange(layer, layers):
            "layer \(layer) does not exist: the model has layers 0…\(layers - 1)"
        case let .alreadyAdapted(module):
            "\(module) already has a LoRA adapter: remove or merge it before applying another"
        case let .missingModule(module):
            "the model has no projection named \(module)"
        case let .invalidConfiguration(message):
            message
        }
    }
}

/// The closest candidate, when it is close enough to be a likely typo (`Essentials.suggest`).
func closestName(to name: String, in candidates: [String]) -> String? {
    suggest(name, from: candidates)
}
