import TensorCore

/// The current value of every hyperparameter (defaults until `set`).
public struct HyperparameterValues: Sendable, Hashable {
    private var values: [String: HyperparameterValue]
    /// Keys set explicitly (the rest hold defaults).
    public private(set) var explicitlySet: Set<String> = []

    /// Defaults, with the session's starting seed and numerics (a replay's come from the notebook).
    public init(seed: UInt64 = Session.defaultSeed, numerics: NumericsMode = Numerics.initialMode) {
        values = Dictionary(uniqueKeysWithValues: HyperparameterTable.all.map { ($0.name, $0.defaultValue) })
        values["seed"] = .integer(Int(min(seed, 9_007_199_254_740_991)))
        values[NumericsSetting.key] = .word(numerics.rawValue)
    }

    public subscript(name: String) -> HyperparameterValue? { values[name] }

    public mutating func set(_ name: String, _ value: HyperparameterValue) {
        values[name] = value
        explicitlySet.insert(name)
    }

    public var seed: UInt64 { UInt64(max(0, values["seed"]?.integer ?? Int(Session.defaultSeed))) }

    /// The numerics mode (`set numerics=…`).
    public var numerics: NumericsMode { values[NumericsSetting.key]?.word.flatMap(NumericsMode.init(rawValue:)) ?? Numerics.initialMode }

    public func number(_ name: String) -> Double? { values[name]?.number }
    public func integer(_ name: String) -> Int? { values[name]?.integer }
    public func word(_ name: String) -> String? { values[name]?.word }
    public func bool(_ name: String) -> Bool? { if case .bool(let v)? = values[name] { v } else { nil } }
}
