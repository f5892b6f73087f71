/// The commands the parser knows, as data: grouped commands read noun then verb
/// (`model load`), the rest are single verbs (`train`).
///
/// The parser uses the table to read one or two command words and to suggest the nearest
/// command on a typo. `standard` holds the surface of DESIGN.md §3a; the interpreter may add
/// commands with `adding(_:)`.
public struct CommandTable: Sendable, Hashable {
    /// Every command, in the order help lists them.
    public let commands: [CommandSpec]

    public init(_ commands: [CommandSpec]) {
        var seen = Set<[String]>()
        self.commands = commands.filter { seen.insert($0.words).inserted }
    }

    /// This table with more commands (a command already present keeps its first entry).
    public func adding(_ more: [CommandSpec]) -> CommandTable {
        CommandTable(commands + more)
    }

    /// The command with exactly these words.
    public func command(_ words: [String]) -> CommandSpec? {
        commands.first { $0.words == words }
    }

    /// The command with this name (`"model load"`, `"train"`).
    public func command(named name: String) -> CommandSpec? {
        command(name.split(separator: " ").map(String.init))
    }

    /// The nouns of grouped commands, in table order: `model`, `data`, `checkpoint`, …
    public var nouns: [String] {
        unique(commands.compactMap(\.noun))
    }

    /// The verbs that follow `noun`, in table order: `load`, `new`, `info` for `model`.
    public func verbs(of noun: String) -> [String] {
        commands.filter { $0.noun == noun }.map { $0.words[1] }
    }

    /// The commands of one word: `set`, `train`, `eval`, …
    public var singleWordCommands: [String] {
        commands.filter { $0.words.count == 1 }.map { $0.words[0] }
    }

    /// Every word that may start a statement (nouns and single verbs).
    public var leadingWords: [String] {
        unique(commands.map { $0.words[0] })
    }

    /// True when `word` starts a statement.
    public func isLeadingWord(_ word: String) -> Bool {
        commands.contains { $0.words[0] == word }
    }

    private func unique(_ words: [String]) -> [String] {
        var seen = Set<String>()
        return words.filter { seen.insert($0).inserted }
    }
}

extension CommandTable {
    /// The command surface of DESIGN.md §3a.
    public static let standard = CommandTable([
        CommandSpec(["model", "load"], usage: "model load NAME|PATH",
                    summary: "Load a built-in model by name, a .gguf file or a Hugging Face folder."),
        CommandSpec(["model", "new"], usage: "model new tiny [layers= dim= heads= kv_heads= mlp= ctx=]",
                    summary: "Create a randomly initialised toy model for teaching."),
        CommandSpec(["model", "info"], usage: "model info",
                    summary: "Describe the loaded model: architecture, sizes, parameters, quantization."),
        CommandSpec(["data", "load"], usage: "data load PATH [format=chat|instruction|completion|text] [mode=strict|lenient]",
                    summary: "Load a JSONL dataset; the format is detected when not given."),
        CommandSpec(["data", "check"], usage: "data check [goal=style|task|domain|behaviour]",
                    summary: "Run the data checklist: formats, duplicates, PII, balance, lengths."),
        CommandSpec(["data", "split"], usage: "data split train= val= [test=] [seed=]",
                    summary: "Split the dataset into training, validation and test sets."),
        CommandSpec(["data", "show"], usage: "data show N",
                    summary: "Show example N as the model will see it."),
        CommandSpec(["data", "dedup"], usage: "data dedup",
                    summary: "Remove duplicate examples."),
        CommandSpec(["data", "redact"], usage: "data redact",
                    summary: "Mask personal data (emails, phone numbers, keys) in the examples."),
        CommandSpec(["data", "compare"], usage: "data compare A [B] [near=] [words=]",
                    summary: "Leakage and drift between two sets: shared examples, length, label and word shifts (PSI)."),
        CommandSpec(["data", "mix"], usage: "data mix PATH share=15% [seed=]",
                    summary: "Mix a second dataset into the training data at a share (e.g. general data against forgetting)."),
        CommandSpec(["method"], usage: "method full|lora|qlora [r= alpha= dropout= targets=[…] rslora=]",
                    summary: "Choose full fine-tuning, LoRA or QLoRA and their settings."),
        CommandSpec(["set"], usage: "set KEY=VALUE …",
                    summary: "Set hyperparameters such as lr, batch, accum, seq, schedule, warmup, epochs."),
        CommandSpec(["train"], usage: "train [steps=N|epochs=N]",
                    summary: "Run training steps with live progress; Ctrl-C stops cleanly."),
        CommandSpec(["checkpoint", "save"], usage: "checkpoint save PATH",
                    summary: "Save the trainable weights and optimizer state."),
        CommandSpec(["checkpoint", "keep"], usage: "checkpoint keep DIR|off",
                    summary: "Keep the last and the best (by validation loss) checkpoint while training."),
        CommandSpec(["resume"], usage: "resume PATH",
                    summary: "Continue training from a saved checkpoint."),
        CommandSpec(["eval"], usage: "eval [on=SET] [schema=PATH]",
                    summary: "Evaluate: validation loss, perplexity, token accuracy, sample generations, schema-valid JSON rate."),
        CommandSpec(["eval", "general"], usage: "eval general [probe=PATH] [max=N]",
                    summary: "Run the general-capability probe: pass rate per category, for the forgetting row of compare."),
        CommandSpec(["compare"], usage: "compare A B [on=SET]",
                    summary: "Compare two evaluations, or the model without and with its adapter, on the same prompts."),
        CommandSpec(["generate"], usage: "generate \"PROMPT\" [max=N temperature=T]",
                    summary: "Generate text from a prompt."),
        CommandSpec(["tokenize"], usage: "tokenize \"TEXT\"",
                    summary: "Show the token ids and pieces of a text."),
        CommandSpec(["logits"], usage: "logits \"TEXT\" [top=N]",
                    summary: "Show the next-token distribution after a text."),
        CommandSpec(["activations"], usage: "activations \"TEXT\" [layers=[…]] [compare=base]",
                    summary: "Run one forward pass and keep each layer's residual stream, attention per head and MLP output as tensors."),
        CommandSpec(["show"], usage: "show PATH",
                    summary: "Inspect a tensor: shape, dtype, statistics and a slice; .grad for gradients."),
        CommandSpec(["list"], usage: "list PATTERN",
                    summary: "List tensors whose names match a glob such as layers.*.attn.*."),
        CommandSpec(["plot"], usage: "plot SERIES…",
                    summary: "Chart logged series such as loss and val_loss."),
        CommandSpec(["sweep"], usage: "sweep KEY=[…] …",
                    summary: "Train once per value and overlay the curves in one chart and table."),
        CommandSpec(["estimate"], usage: "estimate",
                    summary: "Estimate memory and time for the current settings."),
        CommandSpec(["advise"], usage: "advise",
                    summary: "Suggest settings from the data, the model and the guide's recommendations."),
        CommandSpec(["help"], usage: "help [TOPIC]",
                    summary: "Explain a command, a hyperparameter or the syntax; ?lr is short for help lr."),
        CommandSpec(["adapter", "save"], usage: "adapter save PATH",
                    summary: "Save the LoRA adapter in PEFT format."),
        CommandSpec(["adapter", "load"], usage: "adapter load PATH",
                    summary: "Load a LoRA adapter in PEFT format."),
        CommandSpec(["export", "gguf"], usage: "export gguf PATH [merge=true]",
                    summary: "Write the model as a GGUF file, optionally with the adapter merged."),
        CommandSpec(["export", "merged"], usage: "export merged PATH",
                    summary: "Write the model with the adapter merged into its weights."),
        CommandSpec(["export", "trl"], usage: "export trl DIR",
                    summary: "Write an equivalent TRL training script and config."),
        CommandSpec(["export", "axolotl"], usage: "export axolotl DIR",
                    summary: "Write an equivalent Axolotl config."),
    ])
}
