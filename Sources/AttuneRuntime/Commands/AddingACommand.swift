/// How to add a command to Attune (the guide for engineers binding new engine features).
///
/// # Adding a command to Attune
///
/// The interpreter (`Interpreter`) parses a statement with the command table of the registry, checks
/// its arguments against the command's `ArgumentSchema`, calls `run`, and turns whatever goes wrong
/// into a `CommandError` rendered as `line L, column C: message` with a caret. Session state lives in
/// `Session`; a command changes it only after all its checks pass, so a failed command changes
/// nothing.
///
/// ## Steps
///
/// 1. **Words.** Commands of DESIGN §3a already have a `CommandSpec` in
///    `CommandTable.standard` (AttuneLanguage): use `StandardSpec.named("data load")`. A new command
///    gives its own `CommandSpec(["word"], usage:, summary:)`; the registry adds it to the parser's
///    table.
/// 2. **A type in `Commands/`**, one concept per file (a noun's verbs may share one file):
///
///    ```swift
///    struct DataLoadCommand: RuntimeCommand {
///        let spec = StandardSpec.named("data load")
///        let schema = ArgumentSchema([
///            .positional("path", .path, "a JSONL file"),
///            .keyed("format", .choice(["chat", "instruction", "completion", "text"]), default: "detected", "the record format"),
///        ])
///        let help = CommandHelp("What it does, in a paragraph.", examples: ["data load \"data/support.jsonl\""])
///
///        func run(_ context: CommandContext) throws {
///            let url = try context.resolvePath(context.arguments.word("path")!, argument: "path")  // path policy
///            // … call the engine; throw CommandError for anything the user can fix …
///            context.session.dataPath = url                       // change state last
///            context.result("412 examples · chat format · …")     // the compact echo
///        }
///    }
///    ```
///
///    - Argument kinds: `.integer(range)`, `.number(range)`, `.fraction` (0.9 or 90%), `.choice`,
///      `.bool`, `.text`, `.path`, `.names` (`[q_proj, v_proj]`), `.tensorPath`, `.list`. Unknown keys
///      get "did you mean", out-of-range values "lr must be greater than 0 (got -1)" at the value.
///    - Outputs: `context.result(_)` (one compact text), `context.warn(_)` (appended as
///      `warning: …`), `context.stream(_)` (a progress line, printed live and recorded),
///      `context.metrics(JSONValue)` (one record per logged step: what `verify` compares numerically
///      and `plot` re-draws). Long loops check `context.shouldStop` (Ctrl-C) at step boundaries.
///    - Errors: `throw CommandError("Name", "message", at: range)`; without a range the whole
///      command is underlined. `context.range(of: "argument")` points at one argument.
///      Helpers: `.invalidValue`, `.notFound`, `.noModel`, `.notAvailable`.
/// 3. **Register it** in `CommandRegistry+Standard.swift` (and its spec in AttuneLanguage's
///    `CommandTable`, so the parser knows its name and noun).
/// 4. **Test it** in `Tests/AttuneRuntimeTests`: the happy path through `ok(interpreter, "…")` and
///    each error through `failure(interpreter, "…")`, asserting the exact message and column.
///    `HelpTests` already requires help details, examples that parse, and argument help.
/// 5. If its output is deterministic on the tiny model, add a cell to a notebook in `Notebooks/`
///    and run `attune verify --fix` on it (or `attune replay NB -o NB`) to record the output.
///
/// ## Hyperparameters
///
/// A new `set` key is one `HyperparameterSpec` appended to `HyperparameterTable.all`: type and
/// hard range, default, meaning, the guide's recommended range (per method or global), what too high
/// and too low look like, aliases people type, an example. `set`, `?key`, completion and the tests
/// pick it up.
///
/// ## Names of tensors
///
/// `show` and `list` find tensors through `TensorCatalog` (short names such as
/// `layers.0.attn.q_proj`, see `ParameterNames`, and the Hugging Face names). When the trainer
/// creates adapter matrices or optimizer moments, add them with `catalog.add(_:)` under their
/// Hugging Face/PEFT names (`model.layers.0.self_attn.q_proj.lora_A.weight` shows as
/// `layers.0.attn.q_proj.lora_A`).
enum AddingACommand {}
