import TensorCore
import Training

/// The current value of every hyperparameter (the table's defaults until `set`).
///
/// Read a setting through its typed property (`lr`, `warmup`, `pack`); the defaults live only in
/// `HyperparameterTable`, so no reader restates one.
public struct HyperparameterValues: Sendable, Hashable {
    private var values: [HyperparameterKey: HyperparameterValue]
    /// Keys set explicitly (the rest hold defaults).
    public private(set) var explicitlySet: Set<HyperparameterKey> = []

    /// Defaults, with the session's starting seed and numerics (a replay's come from the notebook).
    public init(seed: UInt64 = Session.defaultSeed, numerics: NumericsMode = Numerics.initialMode) {
        values = Dictionary(uniqueKeysWithValues: HyperparameterTable.all.map { ($0.key, $0.defaultValue) })
        values[.seed] = .integer(Int(min(seed, 9_007_199_254_740_991)))
        values[.numerics] = .word(numerics.rawValue)
    }

    /// The value of `key` as `set` shows it.
    public subscript(key: HyperparameterKey) -> HyperparameterValue { values[key] ?? key.spec.defaultValue }

    /// Sets `key` to `value`, which `key.spec.convert` has checked.
    public mutating func set(_ key: HyperparameterKey, _ value: HyperparameterValue) {
        values[key] = value
        explicitlySet.insert(key)
    }

    /// The value of `key` decoded, or its default's: a value that does not decode is a programmer's
    /// mistake (the spec checks every value `set` stores), so it never reaches a reader.
    private func read<T>(_ key: HyperparameterKey, _ decode: (HyperparameterValue) -> T?) -> T {
        if let value = decode(self[key]) { return value }
        guard let value = decode(key.spec.defaultValue) else {
            preconditionFailure("hyperparameter \(key.rawValue): default \(key.spec.defaultValue) does not decode as \(T.self)")
        }
        return value
    }

    private func number(_ key: HyperparameterKey) -> Double { read(key) { $0.number } }
    private func integer(_ key: HyperparameterKey) -> Int { read(key) { $0.integer } }
    private func flag(_ key: HyperparameterKey) -> Bool { read(key) { if case .bool(let v) = $0 { v } else { nil } } }
    private func choice<C: RawRepresentable>(_ key: HyperparameterKey, as: C.Type) -> C where C.RawValue == String { read(key) { $0.word.flatMap(C.init(rawValue:)) } }

    /// Peak learning rate.
    public var lr: Double { number(.lr) }
    /// Sequences per micro-batch.
    public var batch: Int { integer(.batch) }
    /// Micro-batches per optimizer step.
    public var accum: Int { integer(.accum) }
    /// Maximum tokens per sequence.
    public var seq: Int { integer(.seq) }
    /// Passes over the training set (when `steps` is 0).
    public var epochs: Double { number(.epochs) }
    /// Optimizer steps; 0: as many as `epochs` needs.
    public var steps: Int { integer(.steps) }
    public var schedule: LearningRateSchedule.Kind { choice(.schedule, as: LearningRateSchedule.Kind.self) }
    public var warmup: WarmupSetting {
        read(.warmup) { value -> WarmupSetting? in
            switch value {
            case .fraction(let share): .share(share)
            case .integer(let steps): .steps(steps)
            default: nil
            }
        }
    }
    public var weightDecay: Double { number(.weightDecay) }
    /// Largest gradient norm; 0: no clipping.
    public var gradClip: Double { number(.gradClip) }
    /// Adapter input dropout.
    public var dropout: Double { number(.dropout) }
    public var seed: UInt64 { UInt64(max(0, integer(.seed))) }
    public var evalEvery: Int { integer(.evalEvery) }
    public var logEvery: Int { integer(.logEvery) }
    public var optimizer: OptimizerChoice { choice(.optimizer, as: OptimizerChoice.self) }
    public var beta1: Double { number(.beta1) }
    public var beta2: Double { number(.beta2) }
    /// The learning rate the cosine or linear decay ends at.
    public var minLR: Double { number(.minLR) }
    public var patience: Int { integer(.patience) }
    public var minDelta: Double { number(.minDelta) }
    public var restoreBest: Bool { flag(.restoreBest) }
    public var trainOn: LossTokens { choice(.trainOn, as: LossTokens.self) }
    /// Pack several examples into one row (block-diagonal attention, positions restarting per example).
    public var pack: Bool { flag(.pack) }
    public var checkpointing: Bool { flag(.checkpointing) }
    /// The numerics mode (`set numerics=…`).
    public var numerics: NumericsMode { choice(.numerics, as: NumericsMode.self) }
}
