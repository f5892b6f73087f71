import TensorCore
import Training

/// The name of every `set` key. Code reads a setting through its typed property on
/// `HyperparameterValues` (`values.lr`, `values.pack`), never through a string; the key's spec in
/// `HyperparameterTable` holds its type, range, help and its one default.
public enum HyperparameterKey: String, Sendable, Hashable, CaseIterable {
    case lr, batch, accum, seq, epochs, steps, schedule, warmup
    case weightDecay = "weight_decay", gradClip = "grad_clip", dropout, seed
    case evalEvery = "eval_every", logEvery = "log_every", optimizer, beta1, beta2
    case minLR = "min_lr", patience, minDelta = "min_delta", restoreBest = "restore_best"
    case trainOn = "train_on", pack, checkpointing, numerics

    /// The key's spec in the table.
    public var spec: HyperparameterSpec { HyperparameterTable.spec(self) }
}

/// `warmup`: a number of optimizer steps, or a share of all steps (`warmup=5%`).
public enum WarmupSetting: Sendable, Hashable {
    case steps(Int)
    case share(Double)

    /// Warmup steps in a run of `plannedSteps` optimizer steps.
    public func steps(of plannedSteps: Int) -> Int {
        switch self {
        case .steps(let steps): return steps
        case .share(let share): return Int((share * Double(plannedSteps)).rounded())
        }
    }
}

/// `optimizer`: the update rule.
public enum OptimizerChoice: String, Sendable, Hashable, CaseIterable {
    case adamw, sgd
}

/// `train_on`: which tokens carry loss.
public enum LossTokens: String, Sendable, Hashable, CaseIterable {
    case completions, all
}
