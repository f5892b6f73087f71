import AttuneLanguage
import Essentials
import Foundation

/// `export axolotl DIR [base=auto|include]`: the notebook's run as an Axolotl config plus data.
struct ExportAxolotlCommand: RuntimeCommand {
    let spec = StandardSpec.named("export axolotl")
    let schema = ArgumentSchema([
        .positional("path", .path, "a folder to write"),
        .keyed("base", .choice(["auto", "include"]), default: "auto",
               "include: write the base into DIR/base as a Hugging Face folder; auto: reference the loaded Hugging Face folder or the published SmolLM2, include otherwise"),
    ])
    let help = CommandHelp("""
        Writes the current run as an Axolotl folder: config.yml (base_model, datasets with type chat_template and \
        Attune's chat template, adapter lora/qlora, lora_r/alpha/dropout/target_modules, learning_rate, \
        micro_batch_size, gradient_accumulation_steps, sequence_len, epochs or max_steps, schedule, warmup, seed, \
        train_on_inputs, sample_packing, early stopping, output_dir, …), the data after Attune's split, and a \
        README with the launch command and the settings Axolotl lacks.
        """, examples: ["export axolotl \"out/axolotl\""])

    func run(_ context: CommandContext) throws {
        let export = try ScaleOutExport(context, command: "export axolotl", includeBase: context.arguments.word("base") == "include")
        try export.write("config.yml", AxolotlConfig.yaml(export))
        try export.write("README.md", ScaleOutReadme.axolotl(export))
        var text = "wrote \(export.written): config.yml, README.md, data (train \(export.counts.train)"
        if export.counts.validation > 0 { text += ", validation \(export.counts.validation)" }
        text += ")"
        if !export.includedBaseFiles.isEmpty { text += ", base (\(export.includedBaseFiles.count) files)" }
        text += " · base: \(export.baseReference) · \(export.method.summary)"
        text += "\nlaunch: cd \(export.written) && accelerate launch --num_processes 2 -m axolotl.cli.train config.yml"
        context.result(text)
    }
}

/// The Axolotl YAML: scalars written as JSON (valid YAML), one `key: value` per line.
enum AxolotlConfig {
    static func yaml(_ e: ScaleOutExport) -> String {
        let h = e.hyperparameters
        var lines: [String] = ["# Axolotl config written by Attune's `export axolotl` (\(e.modelName), \(e.method.summary)).",
                               "# Every Attune setting is listed in README.md; `# attune KEY` names the setting a line comes from."]
        func put(_ key: String, _ value: Any, from setting: HyperparameterKey? = nil) {
            lines.append("\(key): \(scalar(value))" + (setting.map { "  # attune \($0.rawValue)" } ?? ""))
        }
        put("base_model", e.baseReference)
        put("tokenizer_type", "AutoTokenizer")
        put("output_dir", "./out")
        put("dataset_prepared_path", "./prepared")
        if let template = e.chatTemplate {
            put("chat_template", "jinja")
            put("chat_template_jinja", template)
        } else {
            put("chat_template", "tokenizer_default")
        }
        lines.append("datasets:")
        lines += dataset("data/train.jsonl", e)
        if e.counts.validation > 0 {
            lines.append("test_datasets:")
            lines += dataset("data/validation.jsonl", e)
        }
        put("val_set_size", 0)
        switch e.method.method {
        case .full: break
        case .lora: put("adapter", "lora")
        case .qlora:
            put("adapter", "qlora")
            put("load_in_4bit", true)
        }
        if e.isAdapter {
            put("lora_r", e.method.rank)
            put("lora_alpha", e.method.alpha)
            put("lora_dropout", h.dropout, from: .dropout)
            if e.isAllLinear { put("lora_target_linear", true) } else { put("lora_target_modules", e.targets) }
            if e.method.rsLoRA { put("peft_use_rslora", true) }
        }
        let lr = h.lr
        put("learning_rate", lr, from: .lr)
        put("micro_batch_size", h.batch, from: .batch)
        put("eval_batch_size", h.batch, from: .batch)
        put("gradient_accumulation_steps", h.accum, from: .accum)
        put("sequence_len", h.seq, from: .seq)
        put("num_epochs", h.epochs, from: .epochs)
        if h.steps > 0 { put("max_steps", h.steps, from: .steps) }
        put("lr_scheduler", h.schedule == .constant ? "constant_with_warmup" : h.schedule.rawValue, from: .schedule)
        if h.minLR > 0 { put("cosine_min_lr_ratio", h.minLR / lr, from: .minLR) }
        let warmup = e.warmup
        if let steps = warmup.steps { put("warmup_steps", steps, from: .warmup) }
        if let ratio = warmup.ratio { put("warmup_ratio", ratio, from: .warmup) }
        put("weight_decay", h.weightDecay, from: .weightDecay)
        put("max_grad_norm", h.gradClip, from: .gradClip)
        put("optimizer", ScaleOutMapping.trlOptimizer(h.optimizer), from: .optimizer)
        put("adam_beta1", h.beta1, from: .beta1)
        put("adam_beta2", h.beta2, from: .beta2)
        put("seed", Int(h.seed), from: .seed)
        put("logging_steps", h.logEvery, from: .logEvery)
        let evalEvery = h.evalEvery
        if evalEvery > 0 && e.counts.validation > 0 { put("eval_steps", evalEvery, from: .evalEvery) }
        let patience = h.patience
        if patience > 0 && evalEvery > 0 && e.counts.validation > 0 {
            put("early_stopping_patience", patience, from: .patience)
            put("load_best_model_at_end", h.restoreBest, from: .restoreBest)
            put("save_steps", evalEvery)
        }
        put("train_on_inputs", h.trainOn == .all, from: .trainOn)
        put("sample_packing", h.pack, from: .pack)
        put("gradient_checkpointing", h.checkpointing, from: .checkpointing)
        put("bf16", "auto")
        put("special_tokens", [String: String]())
        return lines.joined(separator: "\n") + "\n"
    }

    static func dataset(_ path: String, _ e: ScaleOutExport) -> [String] {
        var out = ["  - path: \(scalar(path))", "    ds_type: json", "    split: train"]
        switch e.dataFormat {
        case "messages":
            out += ["    type: chat_template", "    field_messages: messages", "    message_property_mappings:",
                    "      role: role", "      content: content", "    roles_to_train: [\"assistant\"]", "    train_on_eos: turn"]
        case "prompt/completion":
            // Axolotl's input_output needs segments; prompt/completion pairs read as the `completion` type's text.
            out += ["    type:", "      field_instruction: prompt", "      field_output: completion", "      format: \"{instruction}\"",
                    "      no_input_format: \"{instruction}\""]
        default:
            out += ["    type: completion", "    field: text"]
        }
        return out
    }

    /// A YAML scalar or flow collection (JSON is valid YAML).
    static func scalar(_ value: Any) -> String {
        if let bool = value as? Bool { return bool ? "true" : "false" }
        if let int = value as? Int { return String(int) }
        if let double = value as? Double {
            // Plain decimals: PyYAML (YAML 1.1) reads `1e-05` as a string.
            if double == double.rounded(), abs(double) < 1e15 { return String(Int(double)) + ".0" }
            var text = String(format: "%.12f", double)
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text += "0" }
            return text
        }
        if let text = value as? String { return JSONValue.quoted(text) }
        if let list = value as? [String] { return JSONValue.array(list.map { .string($0) }).text(.compact) }
        if let map = value as? [String: String] {
            return JSONValue.object(map.map { ($0.key, .string($0.value)) }).text(JSONStyle(sortedKeys: true))
        }
        preconditionFailure("export axolotl: no YAML form for a \(type(of: value))")
    }
}
