import Foundation
import Training

/// Where each Attune hyperparameter goes in a TRL run (`SFTConfig`, PEFT's `LoraConfig`, a
/// callback) and in an Axolotl config: one row per `HyperparameterTable` key, so a key added
/// there without a row here fails `ScaleOutMappingTests`.
///
/// A row either names the fields a value becomes or says why the other tool has no equivalent;
/// `export trl` and `export axolotl` write the fields and list the rest in their README.
enum ScaleOutMapping {
    /// Where one setting lands in one tool.
    enum Target: Equatable {
        /// The fields the value is written to (`learning_rate`; `warmup_steps`/`warmup_ratio`).
        case fields([String])
        /// No equivalent, and why.
        case noEquivalent(String)

        var fields: [String] {
            if case .fields(let names) = self { return names }
            return []
        }

        /// Why the tool has no equivalent, if it has none.
        var reason: String? {
            if case .noEquivalent(let reason) = self { return reason }
            return nil
        }
    }

    struct Row {
        let key: String
        let trl: Target
        let axolotl: Target
    }

    static let rows: [Row] = [
        Row(key: "lr", trl: .fields(["learning_rate"]), axolotl: .fields(["learning_rate"])),
        Row(key: "batch", trl: .fields(["per_device_train_batch_size"]), axolotl: .fields(["micro_batch_size"])),
        Row(key: "accum", trl: .fields(["gradient_accumulation_steps"]), axolotl: .fields(["gradient_accumulation_steps"])),
        Row(key: "seq", trl: .fields(["max_length"]), axolotl: .fields(["sequence_len"])),
        Row(key: "epochs", trl: .fields(["num_train_epochs"]), axolotl: .fields(["num_epochs"])),
        Row(key: "steps", trl: .fields(["max_steps"]), axolotl: .fields(["max_steps"])),
        Row(key: "schedule", trl: .fields(["lr_scheduler_type"]), axolotl: .fields(["lr_scheduler"])),
        Row(key: "warmup", trl: .fields(["warmup_steps", "warmup_ratio"]), axolotl: .fields(["warmup_steps", "warmup_ratio"])),
        Row(key: "weight_decay", trl: .fields(["weight_decay"]), axolotl: .fields(["weight_decay"])),
        Row(key: "grad_clip", trl: .fields(["max_grad_norm"]), axolotl: .fields(["max_grad_norm"])),
        Row(key: "dropout", trl: .fields(["lora_dropout"]), axolotl: .fields(["lora_dropout"])),
        Row(key: "seed", trl: .fields(["seed", "data_seed"]), axolotl: .fields(["seed"])),
        Row(key: "eval_every", trl: .fields(["eval_strategy", "eval_steps"]), axolotl: .fields(["eval_steps"])),
        Row(key: "log_every", trl: .fields(["logging_steps"]), axolotl: .fields(["logging_steps"])),
        Row(key: "optimizer", trl: .fields(["optim"]), axolotl: .fields(["optimizer"])),
        Row(key: "beta1", trl: .fields(["adam_beta1"]), axolotl: .fields(["adam_beta1"])),
        Row(key: "beta2", trl: .fields(["adam_beta2"]), axolotl: .fields(["adam_beta2"])),
        Row(key: "min_lr", trl: .fields(["lr_scheduler_kwargs"]), axolotl: .fields(["cosine_min_lr_ratio"])),
        Row(key: "patience", trl: .fields(["early_stopping_patience"]), axolotl: .fields(["early_stopping_patience"])),
        Row(key: "min_delta", trl: .fields(["early_stopping_threshold"]),
            axolotl: .noEquivalent("Axolotl's early stopping takes only a patience; any improvement counts")),
        Row(key: "restore_best", trl: .fields(["load_best_model_at_end"]), axolotl: .fields(["load_best_model_at_end"])),
        Row(key: "train_on", trl: .fields(["assistant_only_loss", "completion_only_loss"]), axolotl: .fields(["train_on_inputs"])),
        Row(key: "pack", trl: .fields(["packing"]), axolotl: .fields(["sample_packing"])),
        Row(key: "checkpointing", trl: .fields(["gradient_checkpointing"]), axolotl: .fields(["gradient_checkpointing"])),
        Row(key: "numerics", trl: .noEquivalent(numericsReason), axolotl: .noEquivalent(numericsReason)),
    ]

    /// Why `numerics` does not carry over (transformers' `full_determinism` is something else).
    static let numericsReason = "it chooses how Attune's own CPU kernels round matrix products; PyTorch runs its own kernels (transformers' `full_determinism` makes a run repeat on the same hardware, not match Attune's bits)"

    /// The row of `key`, if any.
    static func row(_ key: String) -> Row? { rows.first { $0.key == key } }

    /// HF's `lr_scheduler_type` for Attune's schedule (a floor turns cosine into `cosine_with_min_lr`).
    static func trlScheduler(_ schedule: LearningRateSchedule.Kind, minLR: Double) -> String {
        switch schedule {
        case .linear: return "linear"
        case .constant: return "constant_with_warmup"
        case .cosine: return minLR > 0 ? "cosine_with_min_lr" : "cosine"
        }
    }

    /// HF's `optim` name for Attune's optimizer.
    static func trlOptimizer(_ optimizer: OptimizerChoice) -> String {
        switch optimizer {
        case .sgd: return "sgd"
        case .adamw: return "adamw_torch"
        }
    }

    /// Settings whose values the tools read differently, with what differs (README notes).
    static let caveats: [String: String] = [
        "min_lr": "TRL: only the cosine schedule has a floor (`cosine_with_min_lr`); linear decays to 0. Axolotl: written as `cosine_min_lr_ratio` = min_lr / lr.",
        "optimizer": "`sgd` maps to torch's SGD without momentum (Attune's SGD uses momentum 0.9); beta1/beta2 apply to AdamW only.",
        "eval_every": "0 (evaluate only at the end) becomes `eval_strategy: \"no\"` plus a final `trainer.evaluate()`.",
        "patience": "needs validation passes (eval_every > 0) and a validation split; TRL uses transformers' EarlyStoppingCallback, which also saves a checkpoint at every evaluation.",
        "steps": "0 (train for epochs) becomes `max_steps: -1` in TRL and is left out of the Axolotl config.",
        "train_on": "`completions` trains on assistant turns (their text and end-of-turn token) through the exported chat template's `{% generation %}` markers, and on `completion` for prompt/completion data; turns with `weight: 0` cannot be excluded in TRL and are trained.",
        "dropout": "full fine-tuning has no adapter, so dropout is not used there.",
        "seq": "TRL truncates each example to max_length like Attune; Axolotl drops longer examples unless told otherwise.",
    ]
}
