import TensorCore

/// Every key `set` accepts, in the order `set` and `help hyperparameters` list them.
///
/// Ranges are hard limits (errors); recommended ranges come from the fine-tuning guide and only
/// warn. To add a key: append a `HyperparameterSpec` here; `set`, `?key`, completion and the
/// tests pick it up.
public enum HyperparameterTable {
    public static let all: [HyperparameterSpec] = [
        HyperparameterSpec(
            key: .lr, kind: .number(NumericRange(lower: 0, lowerInclusive: false, upper: 1)), defaultValue: .number(2e-4),
            meaning: "learning rate: how far each optimizer step moves the trainable weights (the peak of the schedule)",
            recommendedByMethod: [.full: TrainingMethod.full.recommendedLearningRate, .lora: TrainingMethod.lora.recommendedLearningRate,
                                  .qlora: TrainingMethod.qlora.recommendedLearningRate],
            recommended: nil,
            tooHigh: "the loss spikes, oscillates or turns nan within a few steps; the model forgets what it knew",
            tooLow: "the loss falls very slowly and the run ends before the model has learned the task",
            aliases: ["learning_rate", "learningrate", "lr_max"], example: "2e-4"),
        HyperparameterSpec(
            key: .batch, kind: .integer(.closed(1, 4096)), defaultValue: .integer(4),
            meaning: "sequences per micro-batch (one forward and backward pass)",
            recommendedByMethod: nil, recommended: 1...64,
            tooHigh: "memory runs out and each step takes long; fewer updates per epoch",
            tooLow: "noisy gradients and a jumpy loss curve; raise accum instead when memory is short",
            aliases: ["batch_size", "bs", "per_device_train_batch_size", "micro_batch"], example: "4"),
        HyperparameterSpec(
            key: .accum, kind: .integer(.closed(1, 4096)), defaultValue: .integer(1),
            meaning: "gradient accumulation: micro-batches summed before each optimizer step (effective batch = batch × accum)",
            recommendedByMethod: nil, recommended: 1...64,
            tooHigh: "few optimizer steps per epoch, so training moves slowly",
            tooLow: "a small effective batch gives noisy updates",
            aliases: ["grad_accum", "gradient_accumulation_steps", "accumulation"], example: "4"),
        HyperparameterSpec(
            key: .seq, kind: .integer(.closed(8, 131_072)), defaultValue: .integer(256),
            meaning: "maximum tokens per training sequence; longer examples are cut",
            recommendedByMethod: nil, recommended: nil,
            tooHigh: "memory and time grow with it (attention grows with its square); padding is wasted",
            tooLow: "examples are truncated and the model never sees their endings",
            aliases: ["max_seq_length", "seq_len", "max_length", "context", "ctx"], example: "256"),
        HyperparameterSpec(
            key: .epochs, kind: .number(NumericRange(lower: 0, lowerInclusive: false, upper: 1000)), defaultValue: .number(1),
            meaning: "passes over the training set (used when steps is 0)",
            recommendedByMethod: nil, recommended: 1...3,
            tooHigh: "validation loss rises while training loss keeps falling: overfitting, memorised answers",
            tooLow: "the model has not seen enough examples to pick up the task",
            aliases: ["num_epochs", "num_train_epochs", "epoch"], example: "1"),
        HyperparameterSpec(
            key: .steps, kind: .integer(.closed(0, 10_000_000)), defaultValue: .integer(0),
            meaning: "optimizer steps to train; 0 means as many as epochs needs",
            recommendedByMethod: nil, recommended: nil,
            tooHigh: "overfitting, as with too many epochs", tooLow: "training stops before the loss settles",
            aliases: ["max_steps", "num_steps", "iterations", "iters"], example: "50"),
        HyperparameterSpec(
            key: .schedule, kind: .choice(["cosine", "linear", "constant"]), defaultValue: .word("cosine"),
            meaning: "how the learning rate changes after warmup: cosine decay (the guide's choice), linear decay or constant",
            recommendedByMethod: nil, recommended: nil, tooHigh: nil, tooLow: nil,
            aliases: ["lr_scheduler", "lr_scheduler_type", "scheduler", "lr_schedule"], example: "cosine"),
        HyperparameterSpec(
            key: .warmup, kind: .stepsOrShare, defaultValue: .fraction(0.03),
            meaning: "steps over which the learning rate rises from 0 to lr, as a count or a share of all steps (3% by default)",
            recommendedByMethod: nil, recommended: nil,
            tooHigh: "the run spends its budget at a small learning rate", tooLow: "early updates are large and can destabilise training",
            aliases: ["warmup_steps", "warmup_ratio", "warm_up"], example: "10"),
        HyperparameterSpec(
            key: .weightDecay, kind: .number(.closed(0, 1)), defaultValue: .number(0),
            meaning: "AdamW's decoupled weight decay: pulls trainable weights towards zero each step",
            recommendedByMethod: nil, recommended: 0...0.1,
            tooHigh: "the adapter cannot grow large enough to learn the task", tooLow: "no regularisation (usually fine for short runs)",
            aliases: ["wd", "decay"], example: "0.01"),
        HyperparameterSpec(
            key: .gradClip, kind: .number(.nonNegative), defaultValue: .number(1),
            meaning: "largest gradient norm before an update is scaled down; 0 turns clipping off",
            recommendedByMethod: nil, recommended: 0.3...1,
            tooHigh: "a rare huge gradient can wreck the weights (loss spikes)", tooLow: "every update is shrunk and training crawls",
            aliases: ["max_grad_norm", "clip", "clip_grad", "gradient_clipping"], example: "1.0"),
        HyperparameterSpec(
            key: .dropout, kind: .number(NumericRange(lower: 0, upper: 1, upperInclusive: false)), defaultValue: .number(0.05),
            meaning: "dropout on the adapter's input (LoRA/QLoRA), also set by `method … dropout=`",
            recommendedByMethod: nil, recommended: 0...0.1,
            tooHigh: "the adapter learns slowly and the loss stays high", tooLow: "more overfitting on small datasets",
            aliases: ["lora_dropout", "drop"], example: "0.05"),
        HyperparameterSpec(
            key: .seed, kind: .integer(.closed(0, 9_007_199_254_740_991)), defaultValue: .integer(Int(Session.defaultSeed)),
            meaning: "seed for every random stream (initialisation, dropout, data order, sampling); recorded in the notebook",
            recommendedByMethod: nil, recommended: nil, tooHigh: nil, tooLow: nil,
            aliases: ["random_seed", "rng"], example: "42"),
        HyperparameterSpec(
            key: .evalEvery, kind: .integer(.closed(0, 10_000_000)), defaultValue: .integer(0),
            meaning: "steps between validation passes during training; 0 evaluates only at the end",
            recommendedByMethod: nil, recommended: nil,
            tooHigh: "overfitting is noticed late", tooLow: "evaluation takes more time than training",
            aliases: ["eval_steps", "evaluate_every", "val_every"], example: "10"),
        HyperparameterSpec(
            key: .logEvery, kind: .integer(.closed(1, 10_000_000)), defaultValue: .integer(1),
            meaning: "steps between logged metrics records (loss, lr, grad norm, tokens/s)",
            recommendedByMethod: nil, recommended: nil, tooHigh: "curves with few points", tooLow: nil,
            aliases: ["logging_steps", "log_steps"], example: "1"),
        HyperparameterSpec(
            key: .optimizer, kind: .choice(OptimizerChoice.allCases.map(\.rawValue)), defaultValue: .word("adamw"),
            meaning: "the update rule: AdamW (the guide's choice) or plain SGD with momentum",
            recommendedByMethod: nil, recommended: nil, tooHigh: nil, tooLow: nil,
            aliases: ["optim", "opt"], example: "adamw"),
        HyperparameterSpec(
            key: .beta1, kind: .number(NumericRange(lower: 0, upper: 1, upperInclusive: false)), defaultValue: .number(0.9),
            meaning: "AdamW's first-moment decay (momentum)",
            recommendedByMethod: nil, recommended: 0.8...0.95, tooHigh: "slow to react to a changing gradient", tooLow: "noisy updates",
            aliases: ["adam_beta1"], example: "0.9"),
        HyperparameterSpec(
            key: .beta2, kind: .number(NumericRange(lower: 0, upper: 1, upperInclusive: false)), defaultValue: .number(0.999),
            meaning: "AdamW's second-moment decay",
            recommendedByMethod: nil, recommended: 0.95...0.9999, tooHigh: nil, tooLow: "unstable step sizes",
            aliases: ["adam_beta2"], example: "0.999"),
        HyperparameterSpec(
            key: .minLR, kind: .number(.nonNegative), defaultValue: .number(0),
            meaning: "learning rate at the end of the cosine or linear decay",
            recommendedByMethod: nil, recommended: nil, tooHigh: "barely any decay", tooLow: nil,
            aliases: ["lr_min", "final_lr"], example: "0"),
        HyperparameterSpec(
            key: .patience, kind: .integer(.closed(0, 1_000_000)), defaultValue: .integer(0),
            meaning: "early stopping: validation passes (every eval_every steps) without improvement before training stops and the best weights come back; 0 never stops early",
            recommendedByMethod: nil, recommended: nil, tooHigh: "overfitting runs on", tooLow: "a noisy validation loss stops training too soon",
            aliases: ["early_stopping", "early_stop", "early_stopping_patience"], example: "3"),
        HyperparameterSpec(
            key: .minDelta, kind: .number(.nonNegative), defaultValue: .number(0),
            meaning: "early stopping: how much a validation loss must improve on the best so far to count as better",
            recommendedByMethod: nil, recommended: nil, tooHigh: "real but small improvements are ignored and training stops early",
            tooLow: nil, aliases: ["early_stopping_threshold", "min_improvement"], example: "0.01"),
        HyperparameterSpec(
            key: .restoreBest, kind: .bool, defaultValue: .bool(true),
            meaning: "early stopping: put back the trainable weights of the best validation loss when training ends",
            recommendedByMethod: nil, recommended: nil, tooHigh: nil, tooLow: nil,
            aliases: ["load_best_model_at_end", "keep_best"], example: "true"),
        HyperparameterSpec(
            key: .trainOn, kind: .choice(LossTokens.allCases.map(\.rawValue)), defaultValue: .word("completions"),
            meaning: "which tokens count in the loss: the assistant's completions only (the guide's default) or every token",
            recommendedByMethod: nil, recommended: nil, tooHigh: nil, tooLow: nil,
            aliases: ["loss_on", "mask", "completion_only"], example: "completions"),
        HyperparameterSpec(
            key: .pack, kind: .bool, defaultValue: .bool(false),
            meaning: "pack several short examples into one sequence to waste no padding",
            recommendedByMethod: nil, recommended: nil, tooHigh: nil, tooLow: nil,
            aliases: ["packing"], example: "true"),
        HyperparameterSpec(
            key: .checkpointing, kind: .bool, defaultValue: .bool(false),
            meaning: "gradient checkpointing: keep only each layer's input and recompute the layer in backward (about a third more time, a fraction of the activation memory)",
            recommendedByMethod: nil, recommended: nil, tooHigh: nil, tooLow: nil,
            aliases: ["gradient_checkpointing", "grad_checkpointing", "activation_checkpointing"], example: "true"),
        // The documented default; a session starts in `Numerics.initialMode` (ATTUNE_NUMERICS) or a
        // replayed notebook's mode (see `HyperparameterValues.init`).
        HyperparameterSpec(
            key: .numerics, kind: .choice(NumericsMode.allCases.map(\.rawValue)), defaultValue: .word(NumericsMode.reproducible.rawValue),
            meaning: "how matrix products and sums are rounded: reproducible (the same bits on every CPU and core count, so recorded notebooks verify anywhere), fast (OpenBLAS; bits depend on the CPU and the core count) or bf16 (frozen weights and their inputs, and attention's products, rounded to bfloat16, the same bits everywhere; fast on AVX512_BF16 CPUs); takes effect at once and is recorded in the notebook",
            recommendedByMethod: nil, recommended: nil, tooHigh: nil, tooLow: nil,
            aliases: ["numerics_mode", "numeric_mode", "determinism", "deterministic"], example: "fast",
            details: NumericsSetting.helpLines),
    ]

    /// The key named `name` (as typed after `set`), if any.
    public static func spec(_ name: String) -> HyperparameterSpec? { HyperparameterKey(rawValue: name).map { spec($0) } }

    /// The spec of `key`.
    public static func spec(_ key: HyperparameterKey) -> HyperparameterSpec { byKey[key]! }

    private static let byKey: [HyperparameterKey: HyperparameterSpec] = Dictionary(uniqueKeysWithValues: all.map { ($0.key, $0) })

    /// Every key and alias, mapped to the key (for "did you mean").
    public static let aliases: [String: String] = {
        var map = [String: String]()
        for spec in all {
            map[spec.name] = spec.name
            for alias in spec.aliases { map[alias] = spec.name }
        }
        return map
    }()

    public static var names: [String] { all.map(\.name) }
}
